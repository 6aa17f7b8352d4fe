"""``adometrics keys rotate``: a new master key (and optionally new data keys), online."""

from __future__ import annotations

import click

from ..store.rotation import drop_retired_keys, prune_master_keys, reencrypt, rotate
from .common import app_of


@click.group("keys")
def keys() -> None:
    """Encryption keys of the database."""


@keys.command("rotate")
@click.option("--data-keys", is_flag=True,
              help="Also give every organization a new data key and re-encrypt its values with it.")
@click.pass_context
def rotate_keys(ctx: click.Context, data_keys: bool) -> None:
    """Re-wrap every data key under a new master key; syncs may keep running meanwhile."""
    app = app_of(ctx)
    engine, keyring = app.engine, app.keyring
    with engine.begin() as conn:
        report = rotate(conn, keyring, new_data_keys=data_keys)
    dropped = prune_master_keys(engine, keyring)
    click.echo(f"master key {report.master_key_id}: {report.rewrapped} data keys re-wrapped"
               + (f"; retired master keys dropped: {', '.join(dropped)}" if dropped else ""))
    for org_id, key_id in sorted(report.new_data_keys.items()):
        rewritten = 0
        with engine.connect() as conn:
            for changed in reencrypt(conn, keyring, org_id):  # short transactions: writers keep going
                rewritten += changed
                conn.commit()
            retired = drop_retired_keys(conn, org_id)
            conn.commit()
        click.echo(f"organization {org_id}: data key {key_id}, {rewritten} rows re-encrypted, "
                   f"retired keys deleted: {retired or 'none'}")
