"""YAML pipeline environments and their deployment records, through the 7.2-preview route.

Why this route: the released 7.1 ``distributedtask/environments`` route accepts only
``vso.environment_manage`` (a high-privilege scope the product never asks for); the 7.2-preview
``pipelines/environments`` route returns the same shapes and accepts ``vso.build`` (ENDPOINTS §10).

Where that route is refused — 401/403 on it while the credential still works elsewhere (checked with one
``connectionData`` call), or a server that does not know the preview api-version — the collector raises
:class:`EnvironmentsUnavailable` (skippable); it never asks for more scopes. The sync reports it and falls
back to build timelines to find the pipelines that deploy (``sync/timeline_hints.py``). A credential that
fails everywhere is not hidden behind this: the ``connectionData`` check raises the usual fatal
AuthenticationError.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any, TypeVar

from adometrics.domain import Environment, EnvironmentDeployment
from adometrics.errors import SkippableError

from ..client import AdoClient
from ..errors import AuthenticationError, AzureDevOpsError, BadRequestError, ForbiddenError
from ..parse import parse_environment, parse_environment_deployment
from .base import Batch, batches, start_params

T = TypeVar("T")
RECORDS_PAGE = 1000
_VERSION_ERRORS = ("vssinvalidpreviewversionexception", "vssversionoutofrangeexception",
                   "vssversionnotsupportedexception")


class EnvironmentsUnavailable(AzureDevOpsError, SkippableError):
    """The YAML environments route is refused for this credential or server: its deployments cannot be read
    (the message says how to count such pipelines' runs instead)."""


def collect_environments(client: AdoClient, org_id: str, project_id: str, resume: dict | None = None,
                         **filters: Any) -> Iterator[Batch[Environment]]:
    pages = client.paged("pipelines.environments.list", start_params(resume, filters), project=project_id)
    yield from _refusable(client, batches(pages, "environment",
                                          partial(parse_environment, org_id=org_id, project_id=project_id)))


def collect_environment_deployments(client: AdoClient, org_id: str, project_id: str, environment_id: int,
                                    resume: dict | None = None, after_id: int | None = None,
                                    **filters: Any) -> Iterator[Batch[EnvironmentDeployment]]:
    """Deployment records, newest first as ADO lists them. With ``after_id`` the listing stops at the first
    record whose id is not above it (an incremental run reads only what is new; the sync passes the
    smallest id it still needs, e.g. just below its oldest unfinished record)."""
    pages = client.paged("pipelines.environments.deployments", start_params(resume, filters),
                         page_size=RECORDS_PAGE, project=project_id, environment=environment_id)
    parse = partial(parse_environment_deployment, org_id=org_id, project_id=project_id,
                    environment_id=environment_id)
    for batch in _refusable(client, batches(pages, "environment_deployment", parse)):
        if after_id is None:
            yield batch
            continue
        kept = [r for r in batch.records if r.id > after_id]
        if len(kept) < len(batch.records):
            yield Batch(kept, None, batch.skipped)
            return
        yield batch


def _refusable(client: AdoClient, pages: Iterable[T]) -> Iterator[T]:
    """Pages of the environments route, with a refusal of the route turned into EnvironmentsUnavailable."""
    iterator = iter(pages)
    while True:
        try:
            page = next(iterator)
        except StopIteration:
            return
        except (AuthenticationError, ForbiddenError) as exc:
            client.connection_data()  # the credential works elsewhere, or this raises the real failure
            raise _unavailable(exc, "refused for this credential") from exc
        except BadRequestError as exc:
            if (exc.type_key or "").casefold() not in _VERSION_ERRORS:
                raise
            raise _unavailable(exc, "not supported by this server") from exc
        yield page


def _unavailable(exc: AzureDevOpsError, why: str) -> EnvironmentsUnavailable:
    return EnvironmentsUnavailable(
        f"YAML environment deployments are {why} ({exc.endpoint}, HTTP {exc.status}); to count a YAML "
        "pipeline's runs as deployments, mark it with `adometrics config deployment-pipeline`",
        status=exc.status, endpoint=exc.endpoint)
