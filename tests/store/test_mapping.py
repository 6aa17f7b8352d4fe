"""Every domain record is stored, every sensitive field is encrypted, and every column is accounted for."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from sqlalchemy import LargeBinary

from adometrics.domain import checkpoints, git, organization, pipelines, pulls, sensitive_fields
from adometrics.store import metric_facts
from adometrics.store.mapping import CHILD_SPECS, SPECS
from adometrics.store.schema import metadata

ALL_SPECS = (*SPECS, *CHILD_SPECS)


# The modules of collected records; the others (e.g. ``facts``, the metrics' inputs) are computed, not stored.
COLLECTED = (organization, git, pulls, pipelines, checkpoints)


def _record_types() -> set[type]:
    return {obj for module in COLLECTED for _, obj in inspect.getmembers(module, inspect.isclass)
            if dataclasses.is_dataclass(obj) and obj.__module__ == module.__name__}


def test_every_domain_record_has_a_table():
    assert {s.record for s in ALL_SPECS} == _record_types()
    # data_keys and project_settings hold keys and user settings, the metric tables derived results
    others = {"data_keys", "project_settings", "metric_state", *(t.name for t in metric_facts.DERIVED)}
    assert {s.table.name for s in ALL_SPECS} == set(metadata.tables) - others


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s.entity)
def test_sensitive_fields_are_exactly_the_encrypted_ones(spec):
    assert {x.field for x in spec.sealed} == set(sensitive_fields(spec.record))


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s.entity)
def test_columns_match_fields(spec):
    columns = set(spec.table.c.keys())
    expected = set(spec.plain_fields) | {c for c, _ in spec.context} | {x.enc for x in spec.sealed}
    expected |= {x.bidx for x in spec.sealed if x.index}
    expected |= {"row_digest"} if spec.has_digest else set()
    assert columns == expected
    for x in spec.sealed:  # the plaintext name is never a column; ciphertext and index are binary
        assert x.field not in columns
        assert isinstance(spec.table.c[x.enc].type, LargeBinary)
    assert tuple(c.name for c in spec.table.primary_key.columns) == spec.key


def test_only_ciphertext_blind_index_and_digest_columns_are_binary():
    binary = {f"{t.name}.{c.name}" for t in metadata.tables.values() for c in t.columns
              if isinstance(c.type, LargeBinary)}
    assert {b for b in binary if not b.endswith(("_enc", "_bidx", ".row_digest"))} == {"data_keys.wrapped"}
