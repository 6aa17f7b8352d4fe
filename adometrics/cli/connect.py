"""``adometrics connect --org-url URL``: verify a PAT against an organization and store the connection."""

from __future__ import annotations

import click

from ..connectors.azure_devops.errors import AzureDevOpsError
from ..errors import FatalError
from ..sync import Verified, default_collectors, describe_health, save, verify
from ..sync.health import scope_label
from .common import app_of, read_pat


@click.command("connect")
@click.option("--org-url", required=True, metavar="URL",
              help="https://dev.azure.com/ORG, an Azure DevOps Server collection URL, or the simulator's.")
@click.option("--pat-stdin", is_flag=True,
              help="Read the PAT from standard input (else from AZURE_DEVOPS_EXT_PAT).")
@click.pass_context
def connect(ctx: click.Context, org_url: str, pat_stdin: bool) -> None:
    """Add (or renew) the connection to an organization: identity, scopes and what it can see."""
    app = app_of(ctx)
    pat = read_pat(pat_stdin)
    client = app.client(org_url, pat)
    try:
        verified = verify(client, default_collectors())
    except AzureDevOpsError as exc:
        raise FatalError(f"cannot connect to {client.org.url}: {exc}") from exc
    finally:
        client.http.close()
    existed = save(app.engine, app.keyring, verified, pat)
    for line in summary(verified, existed):
        click.echo(line)


def summary(verified: Verified, existed: bool) -> list[str]:
    org = verified.org
    health, reason = verified.health()
    scopes = ", ".join(f"{s.scope} {'ok' if s.works else 'MISSING' if s.works is False else 'unchecked'}"
                       for s in verified.scopes)
    lines = [
        f"{'Updated' if existed else 'Added'} connection to {org.name} ({org.url})",
        f"  identity: {verified.identity_name or '?'} ({verified.identity_id})",
        f"  scopes:   {scopes}",
        f"  sees:     {verified.projects} projects, {verified.repositories} repositories",
        f"  health:   {describe_health(health.value, reason)}",
    ]
    for check in verified.scopes:
        if check.works is False and check.scope == "vso.code_status":
            lines.append(f"  note: without {scope_label(check.scope)} status write-back will be unavailable")
    return lines
