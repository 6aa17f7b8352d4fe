"""The tolerant readers every parser shares: dates, GUIDs, enums, identities (BEHAVIOUR.md §7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from adometrics.connectors.azure_devops.parse_common import (
    MalformedRecord,
    as_bool,
    as_int,
    enum_value,
    guid,
    identity_is_user,
    iso_z,
    parse_datetime,
    same_identity,
    short_branch,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-09-19T14:50:25.1680228Z", datetime(2017, 9, 19, 14, 50, 25, 168022, tzinfo=UTC)),
        ("2018-06-15T17:06:53Z", datetime(2018, 6, 15, 17, 6, 53, tzinfo=UTC)),
        ("2016-01-21T08:19:17.26Z", datetime(2016, 1, 21, 8, 19, 17, 260000, tzinfo=UTC)),
        ("2014-05-12T22:23:07.727+00:00", datetime(2014, 5, 12, 22, 23, 7, 727000, tzinfo=UTC)),
        ("2014-05-12T22:23:07+02:00", datetime(2014, 5, 12, 20, 23, 7, tzinfo=UTC)),
        ("2014-05-12T22:23:07.1-0130", datetime(2014, 5, 12, 23, 53, 7, 100000, tzinfo=UTC)),
        ("2020-02-03T04:05:06", datetime(2020, 2, 3, 4, 5, 6, tzinfo=UTC)),  # no zone: UTC
        ("2020-02-03T04:05:06z", datetime(2020, 2, 3, 4, 5, 6, tzinfo=UTC)),
    ],
)
def test_dates_with_any_fraction_and_zone(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected and parsed.tzinfo is UTC


@pytest.mark.parametrize("unset", ["0001-01-01T00:00:00", "0001-01-01T00:00:00Z", "", None])
def test_the_not_set_date_is_none(unset) -> None:
    assert parse_datetime(unset) is None


@pytest.mark.parametrize("bad", ["yesterday", "2020-13-01T00:00:00Z", "6/14/2018 12:00:00 AM", 12, {}])
def test_an_unparsable_date_is_malformed(bad) -> None:
    with pytest.raises(MalformedRecord, match="when"):
        parse_datetime(bad, "when")


def test_aware_datetimes_are_converted_to_utc() -> None:
    local = datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert parse_datetime(local) == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert iso_z(local) == "2024-01-01T10:00:00Z"


def test_guids_have_one_canonical_form() -> None:
    canonical = "b335b0d4-578f-4944-b94c-a45216eb1a1a"
    for spelling in ("b335b0d4578f4944b94ca45216eb1a1a", "B335B0D4-578F-4944-B94C-A45216EB1A1A",
                     "{b335b0d4-578f-4944-b94c-a45216eb1a1a}"):
        assert guid(spelling) == canonical
    assert guid("owner/repo") == "owner/repo"  # not a GUID: kept
    assert guid(None) is None
    assert same_identity("B335B0D4578F4944B94CA45216EB1A1A", canonical)
    assert not same_identity(canonical, None)


def test_enums_compare_case_insensitively() -> None:
    assert enum_value("PhaseFailed", "s") == "phaseFailed"
    assert enum_value("PARTIALLYSUCCEEDED", "s", ("succeeded", "partiallySucceeded")) == "partiallySucceeded"
    assert enum_value("Succeeded", "s", ("succeeded",)) == "succeeded"
    assert enum_value("", "s") is None


def test_numbers_and_flags() -> None:
    assert as_int("42", "x") == 42 and as_int(7, "x") == 7 and as_int(None, "x") is None
    with pytest.raises(MalformedRecord):
        as_int("4.2", "x")
    with pytest.raises(MalformedRecord):
        as_int(True, "x")
    assert as_bool("True", "f") is True and as_bool(None, "f") is False
    with pytest.raises(MalformedRecord):
        as_bool("yes", "f")


def test_users_are_told_from_groups_and_services() -> None:
    assert identity_is_user({"id": "x", "descriptor": "aad.Zm9v"})
    assert identity_is_user({"id": "x", "descriptor": "msa.Zm9v"})
    assert identity_is_user({"id": "x", "uniqueName": "someone@example.com"})  # examples carry no descriptor
    assert not identity_is_user({"id": "x", "isContainer": True})
    assert not identity_is_user({"id": "x", "descriptor": "svc.Zm9v"})
    assert not identity_is_user({"id": "x", "descriptor": "vssgp.Zm9v"})
    assert not identity_is_user({"id": "x", "uniqueName": "[Fabrikam]\\Fabrikam Team"})


def test_short_branch() -> None:
    assert short_branch("refs/heads/feature/x") == "feature/x"
    assert short_branch("main") == "main"
