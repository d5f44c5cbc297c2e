"""The hub's rejection counts are kept in its store (migration 6) and shown by
`kiosk hub health`, across hub restarts, by sender and reason, never with the payload."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

from hub.migrations import HUB_MIGRATIONS
from hub.store import HubStore
from kiosk.cli import main
from sync.topics import TopicTree
from tests.support.broker import Broker, broker_toml, publish_raw
from tests.support.site import start_hub, wait_for

TREE = TopicTree("acme", "main")
SEED = b'{"kind":"checkin","v":1,"key":"k","appointment_id":"ZZPHIMARK Jones","dob":"ZZPHIMARK-02/01/1980"'


def test_migration_seven_adds_the_rejection_counts(tmp_path: Path) -> None:
    assert HUB_MIGRATIONS[6].__name__ == "_v7_rejection_counts"
    store = HubStore.open(tmp_path / "hub.sqlite")
    with store.transaction():
        store.count_rejections({("lobby-1", "schema"): 2, ("", "unknown_topic"): 1}, "2026-01-01T08:00:00")
    with store.transaction():
        store.count_rejections({("lobby-1", "schema"): 3}, "2026-01-01T09:00:00")
    store.close()
    store = HubStore.open(tmp_path / "hub.sqlite", readonly=True)
    try:
        assert store.rejections() == [
            {"source": "", "reason": "unknown_topic", "count": 1, "last_at": "2026-01-01T08:00:00"},
            {"source": "lobby-1", "reason": "schema", "count": 5, "last_at": "2026-01-01T09:00:00"},
        ]
    finally:
        store.close()


def _health(config: Path, *extra: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["--config", str(config), "hub", "health", *extra])
    return code, out.getvalue()


def test_rejections_survive_a_hub_restart_and_show_in_hub_health(broker: Broker, tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nid = "lobby-1"\npractice = "acme"\nsite = "main"\nstate_dir = "{tmp_path}"\n'
        + broker_toml(broker)
        + f'[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
    )
    hub = start_hub(broker.settings(), tmp_path)
    try:
        wait_for(lambda: hub.link.connected, what="hub connected")
        publish_raw(broker, TREE.checkin("lobby-9"), SEED)
        wait_for(lambda: sum(hub.rejected().values()) == 1, what="the hub rejects it")
    finally:
        hub.stop()
    hub = start_hub(broker.settings(), tmp_path)
    try:
        wait_for(lambda: hub.link.connected, what="hub back")
        publish_raw(broker, TREE.checkin("lobby-9"), SEED)
        wait_for(lambda: sum(hub.rejected().values()) == 1, what="the restarted hub rejects it")
        hub.call(lambda _s: None)  # the worker has gone idle once: its counts are flushed
        code, out = _health(config, "--json")
        assert code == 0
        rows = [r for r in json.loads(out)["hub_rejected"] if r["source"] == "lobby-9"]
        assert len(rows) == 1 and rows[0]["count"] == 2, rows
        code, text = _health(config)
        assert code == 0 and "lobby-9" in text and rows[0]["reason"] in text
        assert "ZZPHIMARK" not in out + text
    finally:
        hub.stop()
