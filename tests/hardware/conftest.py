"""Fixtures for the hardware tests (helpers live in ``tests.hardware.support``)."""

from __future__ import annotations

import pytest

from tests.hardware.support import Events


@pytest.fixture
def events() -> Events:
    return Events()
