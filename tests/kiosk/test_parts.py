"""Parts start in order and stop in reverse; one part's fault never stops the others."""

from __future__ import annotations

import logging

import pytest

from kiosk.parts import Lifecycle, Part


class Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def part(self, name: str, *, start_raises: bool = False, stop_raises: bool = False) -> Part:
        def start() -> None:
            self.calls.append(f"start {name}")
            if start_raises:
                raise OSError("no such device")

        def stop() -> None:
            self.calls.append(f"stop {name}")
            if stop_raises:
                raise RuntimeError("stuck")

        return Part(name, start, stop)


def _lifecycle(recorder: Recorder, **faults: str) -> Lifecycle:
    parts = Lifecycle()
    for name in ("storage", "sync", "devices", "flow"):
        parts.add(
            recorder.part(
                name, start_raises=faults.get("start") == name, stop_raises=faults.get("stop") == name
            )
        )
    return parts


def test_parts_start_in_order_and_stop_in_reverse() -> None:
    recorder = Recorder()
    parts = _lifecycle(recorder)
    assert parts.start() == []
    assert {n: h.state for n, h in parts.health().items()} == dict.fromkeys(
        ("storage", "sync", "devices", "flow"), "running"
    )
    assert parts.stop() == []
    assert recorder.calls == [
        "start storage",
        "start sync",
        "start devices",
        "start flow",
        "stop flow",
        "stop devices",
        "stop sync",
        "stop storage",
    ]
    assert all(h.state == "stopped" for h in parts.health().values())
    assert parts.stop() == [] and len(recorder.calls) == 8  # a second stop stops nothing twice


def test_a_part_that_fails_to_start_is_logged_by_name_reported_and_the_others_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    parts = _lifecycle(recorder, start="devices")
    with caplog.at_level(logging.ERROR, logger="kiosk.parts"):
        assert parts.start() == ["devices"]
    assert recorder.calls == ["start storage", "start sync", "start devices", "start flow"]
    health = parts.health()
    assert health["devices"].state == "failed" and health["devices"].error == "OSError"
    assert [health[n].state for n in ("storage", "sync", "flow")] == ["running"] * 3
    (record,) = caplog.records
    assert record.part == "devices" and record.error == "OSError"  # type: ignore[attr-defined]
    assert "no such device" not in caplog.text  # the type only, never the text
    parts.stop()  # a half-started part may hold a port: it is stopped too
    assert recorder.calls[4:] == ["stop flow", "stop devices", "stop sync", "stop storage"]


def test_a_part_whose_stop_raises_does_not_keep_the_others_from_stopping(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    parts = _lifecycle(recorder, stop="sync")
    parts.start()
    with caplog.at_level(logging.ERROR, logger="kiosk.parts"):
        assert parts.stop() == ["sync"]
    assert recorder.calls[4:] == ["stop flow", "stop devices", "stop sync", "stop storage"]
    assert parts.health()["sync"].state == "stop failed" and parts.health()["storage"].state == "stopped"
    assert caplog.records[0].part == "sync"  # type: ignore[attr-defined]


def test_part_names_are_unique() -> None:
    parts = Lifecycle()
    parts.add(Part("sync"))
    with pytest.raises(ValueError, match="sync"):
        parts.add(Part("sync"))
