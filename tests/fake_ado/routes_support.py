"""Helpers for the simulator's route tests (``test_routes_*.py``): credentials, a private simulator, GETs
that must succeed, spec validation, example entities and continuation paging. The shared module-scoped
``msim``/``api`` fixtures live in ``conftest.py``."""

from __future__ import annotations

import base64

from starlette.testclient import TestClient

from adometrics.fake_ado.app import create_app
from adometrics.fake_ado.specs import validator
from adometrics.fake_ado.state import Simulator, SimulatorConfig

V = {"api-version": "7.1"}
SUPPRESS = {"X-TFS-FedAuthRedirect": "Suppress"}


def basic(token: str) -> dict[str, str]:
    """Headers for a PAT over HTTP Basic (empty user name), with sign-in redirects suppressed."""
    encoded = base64.b64encode(f":{token}".encode()).decode()
    return {"Authorization": f"Basic {encoded}", **SUPPRESS}


def tiny() -> Simulator:
    """A fresh tiny organization (deterministic: seed 1)."""
    return Simulator(SimulatorConfig(scenario="tiny"))


def fresh() -> tuple[Simulator, TestClient]:
    """A simulator of one's own, for tests that write or move the clock."""
    sim = tiny()
    return sim, TestClient(create_app(sim), headers=basic(sim.pat))


def get(api, path: str, **params):
    """GET with ``api-version=7.1``; the call must answer 200."""
    response = api.get(path, params={**V, **params})
    assert response.status_code == 200, response.text
    return response


def all_pages(api, path: str, **params) -> list[dict]:
    """Follow ``x-ms-continuationtoken`` to the end; pages must be disjoint."""
    items: list[dict] = []
    token = None
    for _ in range(1000):
        response = get(api, path, **params, **({"continuationToken": token} if token else {}))
        items.extend(response.json()["value"])
        token = response.headers.get("x-ms-continuationtoken")
        if token is None:
            return items
    raise AssertionError("the continuation token never ended")


def assert_spec(specs, spec: str, operation_id: str, body) -> None:
    """``body`` validates against the wire schema of ``operation_id``'s response in ``spec``."""
    op = specs.operation(spec, operation_id)
    assert op is not None, operation_id
    errors = list(validator(specs.spec(spec).wire_schema(op, date_time=True)).iter_errors(body))
    assert not errors, errors[0]


def example_entity(specs, spec: str, operation_id: str, index: int = 0) -> dict:
    """The entity of the operation's ``index``-th example: the first of ``value`` for a list."""
    body = specs.spec(spec).example_bodies(specs.operation(spec, operation_id))[index]
    return body["value"][0] if isinstance(body, dict) and isinstance(body.get("value"), list) else body


def base(repo, *, project: bool = True) -> str:
    """A repository's API path, with the ``{project}`` segment or (``project=False``) without."""
    return (f"/fabrikam/{repo.project_id}" if project else "/fabrikam") + f"/_apis/git/repositories/{repo.id}"
