"""``adometrics fake-ado``: run the Azure DevOps simulator (imported lazily: production never loads it)."""

from __future__ import annotations

import click

SCENARIOS = ("tiny", "small", "large")


@click.group("fake-ado")
def fake_ado() -> None:
    """The Azure DevOps simulator used by the tests and the demo."""


@fake_ado.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any).")
@click.option("--scenario", default="small", show_default=True, type=click.Choice(SCENARIOS),
              help="Which simulated organization to serve.")
@click.option("--seed", default=1, show_default=True, type=int, help="Seed of the generated data.")
@click.option("--organization", default="fabrikam", show_default=True, help="Organization name.")
@click.option("--pat", default=None, help="Accept this personal access token (default: a generated one).")
def serve(host: str, port: int, scenario: str, seed: int, organization: str, pat: str | None) -> None:
    """Serve a simulated organization; prints its URL and a PAT it accepts."""
    from ..fake_ado.server import serve as run

    run(host=host, port=port, scenario=scenario, seed=seed, organization=organization, pat=pat)
