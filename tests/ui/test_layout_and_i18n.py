"""Every text on every screen fits, at both screen sizes and in both languages; every
string in the QML has a finished Spanish translation."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlEngine, QQmlExpression

from devtools.layout_check import text_problems
from devtools.ui_sample import SampleDay
from devtools.ui_scenes import LANGUAGES, SCENES, SIZES, play
from ui.app import KioskUi, UiOptions

UI = Path(__file__).resolve().parents[2] / "ui"
_TOLERANCE = 1.5


def _small_targets(ui: KioskUi) -> list[str]:
    """Every visible, enabled touch area is at least 15 mm each way (Theme.mm)."""
    root = ui.window.contentItem()
    loader = ui.find("screenLoader")
    assert loader is not None, "no screenLoader to read Theme.mm in"
    mm, _undefined = QQmlExpression(QQmlEngine.contextForObject(loader), root, "Theme.mm").evaluate()
    floor = 15 * float(mm) - _TOLERANCE
    found = []
    for item in ui.items():
        if not item.inherits("QQuickMouseArea") or not item.isVisible() or not item.isEnabled():
            continue
        owner = item.parentItem()
        if item.width() < floor or item.height() < floor:
            label = item.objectName() or (owner.objectName() if owner is not None else "") or "?"
            found.append(f"touch target {label} is {item.width():.0f}x{item.height():.0f} px < {floor:.0f}")
    return found


@pytest.fixture(scope="module")
def stage(
    qapp: QGuiApplication, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[SampleDay, KioskUi]]:
    day = SampleDay(tmp_path_factory.mktemp("layout"))
    ui = KioskUi(
        day.flow(),
        day.board,
        lambda: day.age_s,
        UiOptions(tick_ms=0, practice_name="Riverside Family Practice"),
        clock=day.clock,
    )
    ui.show()
    yield day, ui
    ui.close()
    day.close()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_overflows_and_every_touch_target_is_15_mm(
    stage: tuple[SampleDay, KioskUi], qapp: QGuiApplication, width: int, height: int, language: str
) -> None:
    day, ui = stage
    ui.resize(width, height)
    failures = []
    for name in SCENES:
        play(name, day, ui, language)
        qapp.processEvents()
        ui.window.grabWindow()
        failures += [f"{name}: {p}" for p in text_problems(ui) + _small_targets(ui)]
    assert not failures, "\n".join(failures)


def _qml_strings() -> set[str]:
    found: set[str] = set()
    for qml in (UI / "qml").glob("*.qml"):
        found.update(re.findall(r'qsTr\("((?:[^"\\]|\\.)*)"\)', qml.read_text(encoding="utf-8")))
    return found


def test_every_qml_string_has_a_finished_spanish_translation() -> None:
    tree = ET.parse(UI / "i18n" / "kiosk_es.ts")
    translated: dict[str, str] = {}
    problems = []
    for message in tree.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None or not (translation.text or "").strip():
            problems.append(f"missing: {source!r}")
        elif translation.get("type") in ("unfinished", "obsolete", "vanished"):
            problems.append(f"{translation.get('type')}: {source!r}")
        else:
            translated[source] = translation.text or ""
            if source.count("%") != (translation.text or "").count("%"):
                problems.append(f"placeholders differ: {source!r}")
    strings = _qml_strings()
    assert len(strings) > 50
    problems += [f"not in kiosk_es.ts: {s!r}" for s in sorted(strings - set(translated))]
    assert not problems, "\n".join(problems)


def test_the_compiled_translation_is_committed_and_current() -> None:
    qm = UI / "i18n" / "kiosk_es.qm"
    ts = UI / "i18n" / "kiosk_es.ts"
    assert qm.exists() and qm.stat().st_size > 1000
    assert qm.stat().st_mtime >= ts.stat().st_mtime - 5, "run pyside6-lrelease ui/i18n/kiosk_es.ts"
