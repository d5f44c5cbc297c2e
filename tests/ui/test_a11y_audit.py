"""A slice of the accessibility audit (``python -m devtools bench`` runs all of it): the
screens where it went wrong — the dimmed board, the keypads, a scrolling outcome, the
staff PIN pad — on both reference panels, in both languages, at both text sizes."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication

from devtools.a11y_audit import THRESHOLDS, audit, summary

SLICE = ("attract_dimmed", "code", "letters", "dob", "outcome_out", "countdown", "admin_pin")


@pytest.fixture(scope="module")
def result(qapp: QGuiApplication) -> dict[str, object]:
    return summary(audit(SLICE))


def test_every_render_of_the_slice_was_measured(result: dict[str, object]) -> None:
    assert result["renders"] == len(SLICE) * 2 * 2 * 2


def test_nothing_in_the_slice_fails(result: dict[str, object]) -> None:
    problems = result["problems"]
    assert isinstance(problems, list)
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("key", sorted(THRESHOLDS))
def test_each_minimum_meets_its_threshold(result: dict[str, object], key: str) -> None:
    minima = result["minima"]
    assert isinstance(minima, dict)
    assert minima[key] >= THRESHOLDS[key], f"{key}: {minima[key]} at {result['where']}"
