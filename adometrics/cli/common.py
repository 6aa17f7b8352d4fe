"""Helpers the commands share: the per-invocation context and reading the PAT safely."""

from __future__ import annotations

import os
import sys

import click

from ..errors import ConfigurationError
from .context import AppContext

PAT_VARIABLE = "AZURE_DEVOPS_EXT_PAT"


def app_of(ctx: click.Context) -> AppContext:
    """The invocation's AppContext (tests may put their own in ``ctx.obj["app"]``); closed at exit."""
    obj = ctx.ensure_object(dict)
    if "app" not in obj:
        obj["app"] = AppContext()
        ctx.call_on_close(obj["app"].close)
    return obj["app"]


def read_pat(from_stdin: bool) -> str:
    """The PAT from standard input (``--pat-stdin``) or AZURE_DEVOPS_EXT_PAT; never from the command line."""
    if from_stdin:
        token = sys.stdin.readline().strip()
        source = "standard input"
    else:
        token = os.environ.get(PAT_VARIABLE, "").strip()
        source = PAT_VARIABLE
    if not token:
        raise ConfigurationError(
            f"no personal access token: {source} is empty. Set {PAT_VARIABLE}, or pipe the token to "
            "`adometrics connect --pat-stdin`.")
    return token
