"""Fixtures for the ADO client tests; the helpers themselves live in ado_fakes.py."""

from __future__ import annotations

import pytest
import stamina
from ado_fakes import FakeTime


@pytest.fixture(autouse=True)
def _stamina_testing():
    """No real backoff sleeps; three attempts unless a test says otherwise."""
    with stamina.set_testing(True, attempts=3):
        yield


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()
