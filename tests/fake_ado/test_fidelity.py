"""Fidelity: every registered endpoint, called on the tiny world, against the official specs and examples.

For each endpoint that names a spec operation: the route matches the operation (method, host, path,
api-version, scopes); the response status is a documented one; the body validates against the operation's
schema (the ``{count, value}`` envelope for lists); and it carries every field the operation's official
examples show (keys present in *all* of its examples, recursively; lists compare their first element). Fields
that are legitimately absent in context are listed in ``OPTIONAL`` with the reason, rather than weakening the
check.
"""

from __future__ import annotations

import json
import re
from functools import cache

import jsonschema
import pytest

from adometrics.fake_ado.registry import ENDPOINTS, Endpoint
from adometrics.fake_ado.specs import Operation, Spec, SpecLibrary, load_library, to_json_schema, validator

BY_NAME = {ep.name: ep for ep in ENDPOINTS}
SPECIFIED = sorted(ep.name for ep in ENDPOINTS if ep.spec and ep.operation_id)
DISCOVERY = {"connectiondata", "resourceareas.list", "resourceareas.get", "resourceareas.global"}
# Routes without a spec operation that are neither control, content nor discovery: name -> why.
UNSPECIFIED: dict[str, str] = {}
SPEC_HOSTS = {
    "dev.azure.com": "dev",
    "vsrm.dev.azure.com": "vsrm",
    "vsaex.dev.azure.com": "vsaex",
    "vssps.dev.azure.com": "vssps",
    "app.vssps.visualstudio.com": "app",
}

# Routes whose path knowingly differs from their operation's: name -> why.
PATH_VARIANTS = {
    "builds.timeline": "the spec path has {timelineId}; the id-less form is the common one (BEHAVIOUR §9.6)",
}

# Example fields that may be absent here, per operation: {operationId: {key path: reason}}. Paths are
# relative to the entity (a list's first item); ``[]`` is a nested list's first element; "*": every operation.
_AUTOMATED = "automated approvals (isAutomated: true) have no approver; the example's approval is manual"
_IDENTITY = ("", ".displayName", ".id", ".imageUrl", ".uniqueName", ".url")
_BORROWED_COMMIT = (
    "borrowed from the commits-list examples; the documented PR-commits sample has no remoteUrl"
)
OPTIONAL: dict[str, dict[str, str]] = {
    "Pull Request Commits_Get Pull Request Commits": {"remoteUrl": _BORROWED_COMMIT},
    "Pull Request Commits_Get Pull Request Iteration Commits": {"remoteUrl": _BORROWED_COMMIT},
    "Deployments_List": {
        f"preDeployApprovals[].{who}{k}": _AUTOMATED for who in ("approver", "approvedBy") for k in _IDENTITY
    },
    "Releases_Get Release": {
        f"environments[].preApprovalsSnapshot.approvals[].approver{k}": _AUTOMATED for k in _IDENTITY
    },
    # The example's first consumer is Zendesk; the simulator lists only webHooks, which in the same example
    # has no imageUrl and an empty consumer-level inputDescriptors.
    "Consumers_List": {
        **dict.fromkeys(
            [
                "imageUrl",
                "inputDescriptors[].description",
                "inputDescriptors[].id",
                "inputDescriptors[].inputMode",
                "inputDescriptors[].isConfidential",
                "inputDescriptors[].name",
                "inputDescriptors[].useInDefaultDescription",
                "inputDescriptors[].validation",
                "inputDescriptors[].validation.dataType",
                "inputDescriptors[].validation.isRequired",
                "inputDescriptors[].validation.maxLength",
                "inputDescriptors[].validation.pattern",
            ],
            "webHooks is not Zendesk",
        ),
    },
}

# Mismatches found in other areas' routes, reported for a fix: name -> what differs. Marked xfail(strict),
# so a fix turns them into failures that ask for removal from this list.
KNOWN_MISMATCHES: dict[str, str] = {}

# C# classes the wire serializes as plain dictionaries: their example keys are data, not fields.
MAP_DEFINITIONS = {"ReferenceLinks", "PropertiesCollection"}


def operation_of(specs: SpecLibrary, ep: Endpoint) -> tuple[Spec, Operation]:
    spec = specs.spec(ep.spec)
    op = spec.operation(ep.operation_id)
    assert op is not None, f"{ep.name}: {ep.spec} has no operation {ep.operation_id!r}"
    return spec, op


# -- the registry against the specs ------------------------------------------------------------------------


def test_every_route_without_a_spec_operation_is_accounted_for():
    stray = [
        ep.name
        for ep in ENDPOINTS
        if not (ep.spec and ep.operation_id)
        and ep.host != "control"
        and not ep.content
        and ep.name not in DISCOVERY | set(UNSPECIFIED)
    ]
    assert stray == [], "give these a spec + operation_id, or list them in UNSPECIFIED with a reason"


def test_the_harness_covers_a_real_share_of_the_registry():
    assert len(SPECIFIED) >= 10


def _shape(path: str) -> str:
    """A path with its query suffix dropped, parameters blanked and case folded."""
    return re.sub(r"\{[^}]*\}", "{}", path.split("?", 1)[0]).rstrip("/").lower()


@pytest.mark.parametrize("name", SPECIFIED)
def test_route_matches_its_spec_operation(name, specs):
    ep = BY_NAME[name]
    spec, op = operation_of(specs, ep)
    problems = []
    if ep.method != op.method:
        problems.append(f"method {ep.method} != spec {op.method}")
    if SPEC_HOSTS.get(spec.doc.get("host", "")) != ep.host:
        problems.append(f"host {ep.host} != spec host {spec.doc.get('host')}")
    ours, theirs = _shape(ep.path), _shape(op.path)
    # Git routes also exist without the {project} segment (ENDPOINTS §0.1).
    if ours not in (theirs, theirs.replace("/{}/{}/_apis/", "/{}/_apis/", 1)) and name not in PATH_VARIANTS:
        problems.append(f"path {ep.path} does not match spec {op.path}")
    if op.api_version and ep.api_version != op.api_version:
        problems.append(f"api-version {ep.api_version} != spec {op.api_version}")
    missing_scopes = set(op.scopes) - ep.scopes
    if missing_scopes:
        problems.append(f"refuses spec scopes {sorted(missing_scopes)}")
    assert problems == [], f"{name} ({op.operation_id}): " + "; ".join(problems)


def test_every_kept_example_validates_against_its_own_schema(specs):
    """The Swagger -> JSON Schema conversion accepts what the real service sent."""
    checked = 0
    for name in specs.names:
        spec = specs.spec(name)
        for op in spec.operations:
            bodies = spec.example_bodies(op)
            if not bodies or spec.wire_schema(op) is None:
                continue
            check = _validator(name, op.operation_id, op.method, op.path)
            for body in bodies:
                error = jsonschema.exceptions.best_match(check.iter_errors(body))
                assert error is None, f"{op.operation_id}: {error.message} at {list(error.absolute_path)}"
                checked += 1
    assert checked >= 60


def test_schemas_are_strict_where_the_spec_is():
    """A wrong type, a non-ADO date and an unknown enum value are caught; case-insensitive enums pass."""
    definitions = {
        "Thing": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "when": {"type": "string", "format": "date-time"},
                "state": {"enum": ["active", "closed"]},
                "name": {"type": "string"},
            },
        }
    }
    check = validator(to_json_schema({"$ref": "#/definitions/Thing"}, definitions, date_time=True))
    assert check.is_valid({"id": 1, "when": "2024-01-02T03:04:05.1234567Z", "state": "Active", "name": None})
    assert not check.is_valid({"id": "1"})
    assert not check.is_valid({"when": "2024-01-02 03:04"})
    assert not check.is_valid({"state": "merged"})
    assert not check.is_valid({"id": None})


# -- responses against schemas and examples ----------------------------------------------------------------


@cache
def _validator(spec_name: str, operation_id: str, method: str, path: str):
    spec = load_library().spec(spec_name)
    op = next(
        o for o in spec.operations if (o.operation_id, o.method, o.path) == (operation_id, method, path)
    )
    return validator(spec.wire_schema(op, date_time=True))


def documented_statuses(spec: Spec, op: Operation) -> set[int]:
    codes = {int(c) for c in op.raw.get("responses", {}) if str(c).isdigit() and str(c).startswith("2")}
    for example in spec.examples(op):
        codes |= {int(c) for c in example.get("responses", {}) if str(c).isdigit() and str(c).startswith("2")}
    return codes or {200}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_MISMATCHES[n], strict=True))
        if n in KNOWN_MISMATCHES
        else n
        for n in SPECIFIED
    ],
)
def test_response_matches_spec_and_examples(name, specs, world_client, world_headers, world_params):
    ep = BY_NAME[name]
    spec, op = operation_of(specs, ep)
    url, query, body = world_params.request(ep, op.api_version)
    response = world_client.request(ep.method, url, params=query, json=body, headers=world_headers)
    assert response.status_code in documented_statuses(spec, op), (
        f"{name}: {ep.method} {url} -> {response.status_code} {response.text[:300]}"
    )
    if spec.wire_schema(op) is None or not response.content:
        return
    if ep.content and not response.headers.get("content-type", "").startswith("application/json"):
        return  # file content (deny-listed routes): only the status is ADO's
    payload = response.json()
    error = jsonschema.exceptions.best_match(
        _validator(ep.spec, op.operation_id, op.method, op.path).iter_errors(payload)
    )
    assert error is None, f"{name}: {error.message[:300]} at {list(error.absolute_path)}"
    if isinstance(payload, dict) and "count" in payload and isinstance(payload.get("value"), list):
        assert payload["count"] == len(payload["value"])
    missing = missing_example_fields(spec, op, payload)
    allowed = {**OPTIONAL.get("*", {}), **OPTIONAL.get(op.operation_id, {})}
    missing = [m for m in missing if m not in allowed]
    assert missing == [], f"{name}: fields the examples of {op.operation_id} show are missing: {missing}"


def _is_list(spec: Spec, op: Operation) -> bool:
    return (spec.response_schema(op) or {}).get("type") == "array"


def _entities(spec: Spec, op: Operation) -> list:
    """The example entities of ``op``: each body, or the first item of a listed body."""
    out = []
    for body in spec.example_bodies(op):
        if _is_list(spec, op) and isinstance(body, dict):
            out += body.get("value", [])[:1]
        else:
            out.append(body)
    return out


def example_entities(spec: Spec, op: Operation) -> list:
    """The operation's own example entities; without any, those of the spec's operations returning the same
    definition (e.g. a PR iteration status borrows the PR status examples)."""
    own = _entities(spec, op)
    name = spec.item_definition(op)
    if own or not name:
        return own
    return [
        e for other in spec.operations if spec.item_definition(other) == name for e in _entities(spec, other)
    ]


def missing_example_fields(spec: Spec, op: Operation, payload) -> list[str]:
    """Key paths present in every example entity of ``op`` but absent from ``payload``'s entity (the body, or
    the first item of a list)."""
    entities = example_entities(spec, op)
    if not entities:
        return []
    name = spec.item_definition(op)
    schema = (
        to_json_schema({"$ref": f"#/definitions/{name}"}, spec.definitions) if name else spec.wire_schema(op)
    )
    common = set.intersection(*(key_paths(e, schema, schema) for e in entities))
    if _is_list(spec, op):
        items = payload.get("value") or []
        if not items:
            return sorted(common) and ["value (empty: nothing to compare with the examples)"]
        payload = items[0]
    return sorted(p for p in common if not has_path(payload, p))


def _resolve(node: dict, root: dict) -> tuple[dict, str | None]:
    """Follow ``$ref``, unwrap the nullable ``anyOf`` and merge ``allOf`` parts; also the definition name."""
    name = None
    while True:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            node = root["definitions"].get(name, {})
        elif "anyOf" in node:
            node = next((n for n in node["anyOf"] if n != {"type": "null"}), {})
        else:
            break
    if "allOf" in node:
        merged: dict = {"properties": dict(node.get("properties", {}))}
        for part in node["allOf"]:
            resolved, part_name = _resolve(part, root)
            name = name or part_name
            merged["properties"].update(resolved.get("properties", {}))
            if "items" in resolved:
                merged["items"] = resolved["items"]
        return merged, name
    return node, name


def key_paths(node, schema: dict, root: dict, path: str = "") -> set[str]:
    """The example's key paths; free-form objects and dictionaries (per the schema) are not descended."""
    resolved, name = _resolve(schema or {}, root)
    if isinstance(node, dict):
        props = resolved.get("properties")
        if not props or name in MAP_DEFINITIONS:
            return set()
        out: set[str] = set()
        for key, value in node.items():
            if value is None:  # ADO omits nulls as often as it sends them
                continue
            sub = f"{path}.{key}" if path else key
            out.add(sub)
            out |= key_paths(value, props.get(key, {}), root, sub)
        return out
    if isinstance(node, list) and node:
        return key_paths(node[0], resolved.get("items", {}), root, path + "[]")
    return set()


def has_path(payload, path: str) -> bool:
    node = payload
    for part in path.split("."):
        key, brackets = part.rstrip("[]"), (len(part) - len(part.rstrip("[]"))) // 2
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
        for _ in range(brackets):
            if not isinstance(node, list) or not node:
                return False  # nothing to compare with: choose richer world entities or allow-list it
            node = node[0]
    return True


def test_key_paths_and_has_path_follow_lists_and_skip_maps():
    root = {
        "definitions": {
            "ReferenceLinks": {"type": "object", "properties": {"links": {"type": "object"}}},
            "Item": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "tags": {"type": "array"},
                    "_links": {"$ref": "#/definitions/ReferenceLinks"},
                },
            },
        }
    }
    schema = {
        "type": "object",
        "properties": {
            "value": {"type": "array", "items": {"$ref": "#/definitions/Item"}},
            "count": {"type": "integer"},
        },
    }
    example = {
        "count": 1,
        "value": [{"id": 1, "tags": ["a"], "_links": {"self": {"href": "x"}}, "gone": None}],
    }
    assert key_paths(example, schema, root) == {
        "count",
        "value",
        "value[].id",
        "value[].tags",
        "value[]._links",
    }
    assert has_path({"value": [{"id": 2}]}, "value[].id")
    assert not has_path({"value": []}, "value[].id")
    assert not has_path({"value": [{"name": "x"}]}, "value[].id")


# -- the spec machinery on a made-up spec folder -------------------------------------------------------


def test_spec_loading_honours_the_env_var_bom_both_path_tables_and_ref_case(tmp_path, monkeypatch):
    from adometrics.fake_ado.specs import SPECS_ENV, specs_dir

    folder = tmp_path / "area" / "7.1"
    (folder / "httpExamples" / "things").mkdir(parents=True)
    doc = {
        "host": "dev.azure.com",
        "definitions": {"Thing": {"type": "object", "properties": {"id": {"type": "integer"}}}},
        "paths": {
            "/{organization}/_apis/things": {
                "get": {
                    "operationId": "Things_List",
                    "x-ms-docs-override-version": "7.1-preview.2",
                    "x-ms-examples": {"": {"$ref": "./httpExamples/Things/GET_things.json"}},
                    "responses": {
                        "200": {"schema": {"type": "array", "items": {"$ref": "#/definitions/Thing"}}}
                    },
                }
            }
        },
        "x-ms-paths": {
            "/{organization}/_apis/things?name={name}": {
                "get": {
                    "operationId": "Things_Get By Name",
                    "responses": {"200": {"schema": {"$ref": "#/definitions/Thing"}}},
                }
            }
        },
    }
    (folder / "area.json").write_text("\ufeff" + json.dumps(doc), encoding="utf-8")
    example = {"responses": {"200": {"body": {"count": 1, "value": [{"id": 7}]}}}}
    (folder / "httpExamples" / "things" / "GET_things.json").write_text(
        json.dumps(example), encoding="utf-8-sig"
    )
    monkeypatch.setenv(SPECS_ENV, str(tmp_path))
    assert specs_dir() == tmp_path
    library = SpecLibrary(tmp_path)
    spec = library.spec("area/7.1/area.json")
    assert [op.operation_id for op in spec.operations] == ["Things_List", "Things_Get By Name"]
    listing = spec.operation("Things_List")
    assert listing.api_version == "7.1-preview.2" and listing.table == "paths"
    assert spec.example_bodies(listing) == [example["responses"]["200"]["body"]]  # Things/ vs things/
    check = validator(spec.wire_schema(listing))
    assert check.is_valid({"count": 1, "value": [{"id": 1}]})
    assert not check.is_valid([{"id": 1}])  # the wire wraps bare arrays
    assert not check.is_valid({"count": 1, "value": [{"id": "x"}]})
    assert library.operation("area/7.1/area.json", "Things_Get By Name").table == "x-ms-paths"
    assert library.operation("missing.json", "Things_List") is None
