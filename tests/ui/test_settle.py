"""The UI helpers fail loudly: a PIN check that never answers stops the test with what it
was waiting for, instead of letting it read a screen that is still waiting."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QGuiApplication

from devtools.ui_sample import SampleDay
from tests.ui.conftest import Staff
from ui.app import KioskUi, UiOptions


@pytest.fixture
def stuck_pin_check(
    qapp: QGuiApplication, day: SampleDay, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Staff]:
    """The staff panel with a PIN check that hangs until the test ends."""
    ui = KioskUi(day.flow(), day.board, lambda: day.age_s, UiOptions(tick_ms=0), admin=day.admin())
    release = threading.Event()

    def hang() -> None:
        release.wait(10)

    monkeypatch.setattr(ui.admin_model.panel, "submit_pin", hang)
    ui.show()
    yield Staff(ui, qapp)
    release.set()
    assert ui.admin_model.wait_checked(), "the released PIN check never answered"
    ui.close()
    qapp.processEvents()


def test_settle_raises_naming_the_pin_check_it_waited_for(stuck_pin_check: Staff) -> None:
    staff = stuck_pin_check
    staff.ui.open_admin()
    staff.tap("who_ben")
    staff.type_pin("1234")  # each tap settles: nothing is being checked yet
    staff.ui.admin_model.submitPin()  # what pinEnterButton calls; the check now hangs
    with pytest.raises(AssertionError, match=r"PIN check had not answered after 0\.2 s"):
        staff.settle(timeout_s=0.2)
