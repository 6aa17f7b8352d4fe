"""The official Swagger specs as the simulator's oracle: operations, wire schemas and examples.

The fidelity tests and the coverage ledger read Microsoft's specs (``reference/azure-devops/specs``), never
our own client. This module knows their quirks: a UTF-8 BOM, operations in both ``paths`` and ``x-ms-paths``,
example ``$ref``\\ s whose case differs from the folders, and 200 responses described as bare arrays that the
wire wraps as ``{"count", "value"}``. Swagger 2.0 schemas are turned into self-contained JSON Schema (Draft 7)
documents; validating them needs ``jsonschema`` (a test dependency), building them does not.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SPECS_ENV = "ADOMETRICS_SPECS_DIR"
METHODS = ("get", "put", "post", "patch", "delete", "head", "options")

# Swagger/OpenAPI-2 keys JSON Schema does not know (plus vendor ``x-*`` keys, dropped by prefix).
# C# number types the generator wrote as ``type: string``; the wire carries numbers.
_NUMERIC_STRINGS = {"byte": "integer", "decimal": "number"}
# Generic parameters and JSON.NET types the generator also wrote as ``type: string``: any JSON value.
_ANY_JSON = {"T", "JObject", "JToken", "JContainer", "TimeZoneInfo"}
# JSON.NET classes described as definitions (their members, not their JSON): any JSON value.
_ANY_JSON_DEFINITIONS = {"JObject", "JToken", "JArray", "JContainer"}
_SWAGGER_ONLY = {"discriminator", "readOnly", "xml", "externalDocs", "example", "description", "title"}


def specs_dir() -> Path | None:
    """``$ADOMETRICS_SPECS_DIR``, else ``../shared/reference/azure-devops/specs`` beside the repository."""
    env = os.environ.get(SPECS_ENV)
    candidates = [Path(env)] if env else []
    repo = Path(__file__).resolve().parents[2]
    candidates.append(repo.parent / "shared" / "reference" / "azure-devops" / "specs")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return None


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8-sig"))


@dataclass(frozen=True, slots=True)
class Operation:
    """One Swagger operation; ``spec`` is the file relative to the specs folder, e.g. ``git/7.1/git.json``."""

    spec: str
    method: str  # upper case
    path: str  # as the spec writes it, x-ms-paths keep their ``?query`` suffix
    operation_id: str
    table: str  # "paths" | "x-ms-paths"
    raw: dict[str, Any] = field(compare=False, repr=False)

    @property
    def api_version(self) -> str | None:
        return self.raw.get("x-ms-docs-override-version")

    @property
    def success_status(self) -> int:
        codes = sorted(int(c) for c in self.raw.get("responses", {}) if str(c).isdigit() and str(c)[0] == "2")
        return codes[0] if codes else 200

    @property
    def scopes(self) -> list[str]:
        return [s for req in self.raw.get("security") or [] for s in req.get("oauth2", [])]


class Spec:
    """One spec file: its operations, definitions and examples."""

    def __init__(self, root: Path, name: str):
        self.root = root
        self.name = name
        self.file = root / name
        self.doc: dict[str, Any] = read_json(self.file)
        self.definitions: dict[str, Any] = self.doc.get("definitions", {})
        self.operations: list[Operation] = [
            Operation(name, method.upper(), path, op["operationId"], table, op)
            for table in ("paths", "x-ms-paths")
            for path, item in self.doc.get(table, {}).items()
            for method, op in item.items()
            if method in METHODS
        ]

    @property
    def version(self) -> str:
        return self.doc.get("info", {}).get("version", "")

    def operation(self, operation_id: str) -> Operation | None:
        return next((op for op in self.operations if op.operation_id == operation_id), None)

    def parameters(self, op: Operation) -> list[dict[str, Any]]:
        """The operation's parameters with ``#/parameters/...`` references resolved."""
        shared = self.doc.get("parameters", {})
        out = []
        for param in op.raw.get("parameters", []):
            if "$ref" in param:
                param = shared.get(param["$ref"].rsplit("/", 1)[-1], {})
            out.append(param)
        return out

    def parameter_names(self, op: Operation, location: str | None = None) -> list[str]:
        return [p["name"] for p in self.parameters(op) if location is None or p.get("in") == location]

    def response_schema(self, op: Operation) -> dict[str, Any] | None:
        """The Swagger schema of the operation's success response (None when it declares no body)."""
        response = op.raw.get("responses", {}).get(str(op.success_status), {})
        return response.get("schema")

    def item_definition(self, op: Operation) -> str | None:
        """Name of the definition the operation returns, or of its list items."""
        schema = self.response_schema(op) or {}
        if schema.get("type") == "array":
            schema = schema.get("items") or {}
        ref = schema.get("$ref")
        return ref.rsplit("/", 1)[-1] if ref else None

    def wire_schema(self, op: Operation, *, date_time: bool = False) -> dict[str, Any] | None:
        """JSON Schema of the body on the wire: bare arrays become the ``{count, value}`` envelope."""
        schema = self.response_schema(op)
        if schema is None:
            return None
        if schema.get("type") == "array":
            schema = {
                "type": "object",
                "required": ["count", "value"],
                "properties": {"count": {"type": "integer", "minimum": 0}, "value": schema},
            }
        return to_json_schema(schema, self.definitions, date_time=date_time)

    def examples(self, op: Operation) -> list[dict[str, Any]]:
        """The operation's example files that exist here (a subset was kept), resolved case-insensitively."""
        found = []
        for example in (op.raw.get("x-ms-examples") or {}).values():
            ref = example.get("$ref") if isinstance(example, dict) else None
            path = resolve_case_insensitive(self.file.parent, ref) if ref else None
            if path is not None:
                found.append(read_json(path))
        return found

    def example_bodies(self, op: Operation) -> list[Any]:
        """Bodies of the examples' success responses."""
        status = str(op.success_status)
        bodies = []
        for example in self.examples(op):
            response = example.get("responses", {}).get(status) or example.get("responses", {}).get("200")
            if response and "body" in response:
                bodies.append(response["body"])
        return bodies


def resolve_case_insensitive(base: Path, ref: str) -> Path | None:
    """Follow ``ref`` from ``base``, matching each segment case-insensitively (upstream case mismatches)."""
    current = base
    for part in Path(ref).parts:
        if part in (".", ""):
            continue
        if part == "..":
            current = current.parent
            continue
        exact = current / part
        if exact.exists():
            current = exact
            continue
        if not current.is_dir():
            return None
        match = next((c for c in current.iterdir() if c.name.lower() == part.lower()), None)
        if match is None:
            return None
        current = match
    return current if current.is_file() else None


class SpecLibrary:
    """Every spec file under a folder, loaded on first use."""

    def __init__(self, root: Path):
        self.root = root
        self.names: list[str] = sorted(
            p.relative_to(root).as_posix() for p in root.rglob("*.json") if "httpExamples" not in p.parts
        )
        self._specs: dict[str, Spec] = {}

    def spec(self, name: str) -> Spec:
        if name not in self._specs:
            if name not in self.names:
                raise KeyError(f"no spec {name!r} under {self.root}")
            self._specs[name] = Spec(self.root, name)
        return self._specs[name]

    def operation(self, spec: str, operation_id: str) -> Operation | None:
        if spec not in self.names:
            return None
        return self.spec(spec).operation(operation_id)


@cache
def _library(root: str) -> SpecLibrary:
    return SpecLibrary(Path(root))


def load_library() -> SpecLibrary | None:
    """The library at ``specs_dir()``, or None when the folder is absent."""
    root = specs_dir()
    return _library(str(root)) if root is not None else None


# -- Swagger 2.0 -> JSON Schema --------------------------------------------------------------------------


def to_json_schema(schema: dict[str, Any], definitions: dict[str, Any], *, date_time: bool = False) -> dict:
    """A self-contained Draft 7 schema for ``schema``, with the definitions it reaches.

    Conversions (each mirrors how ADO's serializer really behaves, see the examples):
    - absent ``additionalProperties`` stays absent, i.e. extra keys are allowed;
    - ``null`` is accepted for reference-typed properties (strings other than dates, objects, arrays): the
      examples show ``"description": null`` and similar, while value types (ints, bools, dates, enums) are
      never null;
    - enums compare case-insensitively (examples show ``PhaseFailed`` for the spec's ``phaseFailed``);
    - ``type: string`` with ``format: byte`` or ``decimal`` is a C# number type and goes on the wire as a
      number (``probationRetries: 6``, ``minValue: 1`` in the hooks examples);
    - ``type: string`` with ``format: T``, ``JObject``, ``JToken``… is a generic or JSON.NET type: any JSON
      (a change's ``item`` object, a policy's ``settings`` object);
    - ``format`` is dropped except ``date-time`` when ``date_time`` is set.
    """
    reached: dict[str, Any] = {}
    pending = list(_refs(schema))
    while pending:
        name = pending.pop()
        if name in reached or name not in definitions:
            continue
        reached[name] = _convert(definitions[name], date_time)
        pending.extend(_refs(definitions[name]))
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "allOf": [_convert(schema, date_time)],
        "definitions": reached,
    }


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        out = [node["$ref"].rsplit("/", 1)[-1]] if isinstance(node.get("$ref"), str) else []
        for value in node.values():
            out.extend(_refs(value))
        return out
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def _convert(node: Any, date_time: bool) -> Any:
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        if node["$ref"].rsplit("/", 1)[-1] in _ANY_JSON_DEFINITIONS:
            return {}
        return {"$ref": node["$ref"]}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-") or key in _SWAGGER_ONLY or key in ("format", "enum"):
            continue
        if key == "properties":
            out[key] = {name: _nullable(_convert(prop, date_time), prop) for name, prop in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = _convert(value, date_time)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [_convert(v, date_time) for v in value]
        else:
            out[key] = value
    if "enum" in node:
        out.pop("type", None)
        alternatives = "|".join(re.escape(str(v)) for v in node["enum"])
        out.update({"type": "string", "pattern": f"(?i)^(?:{alternatives})$"})
    fmt = node.get("format")
    if fmt in _ANY_JSON:
        out.pop("type", None)
    elif fmt in _NUMERIC_STRINGS and node.get("type") == "string":
        out["type"] = [_NUMERIC_STRINGS[fmt], "string"]
    elif fmt == "date-time" and date_time:
        out["format"] = "date-time"
    return out


def _nullable(converted: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    """Allow ``null`` where the C# type is a reference type (see ``to_json_schema``)."""
    kind, fmt = original.get("type"), original.get("format")
    is_reference = "$ref" in original or kind in ("object", "array") or (
        kind == "string" and "enum" not in original and fmt not in ("date-time", *_NUMERIC_STRINGS)
    )
    if not is_reference:
        return converted
    return {"anyOf": [converted, {"type": "null"}]}


# -- validation (needs jsonschema, a test dependency) ----------------------------------------------------

# ADO dates: ISO 8601, 0-7 fractional digits, ``Z`` or an offset; "not set" may lack the zone (BEHAVIOUR §7).
_ADO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?(?:Z|[+-]\d{2}:\d{2})?$")


def is_ado_date(value: object) -> bool:
    return not isinstance(value, str) or bool(_ADO_DATE.match(value))


def validator(schema: dict[str, Any]):
    """A Draft 7 validator that also checks ADO's date-time format (no extra format packages needed)."""
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(is_ado_date)
    return jsonschema.Draft7Validator(schema, format_checker=checker)
