"""The dashboard's kiosk rows read receipts as versions of the hub's epoch: a kiosk still
on a restored hub's older epoch shows none of this epoch's changes, whatever its numbers."""

from __future__ import annotations

from pathlib import Path

from hub.sample import sample_morning
from hub.store import HubStore
from hub.web import views
from sync import messages as m
from tests.support.clock import wall_now, wall_today


def test_a_kiosk_on_another_epoch_is_behind_on_the_kiosks_page(tmp_path: Path) -> None:
    store = HubStore.open(tmp_path / "hub.sqlite")
    try:
        epoch = store.epochs.current()
        store.load_day(sample_morning(wall_today()))
        with store.transaction():
            store.set_status(m.ProviderStatus("martinez", 3, "out", epoch=epoch), "k1")
        now = wall_now()
        seen = now.isoformat()
        store.kiosk_display(m.DisplayAck("lobby-1", {"martinez": 3}, seen, True, epoch), seen)
        assert views.kiosks(store, now)[0]["behind"] == []
        older = m.Epoch(epoch.seq - 1000, "0123456789abcdef")  # what a restored hub's kiosks hold
        store.kiosk_display(m.DisplayAck("lobby-1", {"martinez": 9}, seen, True, older), seen)
        row = views.kiosks(store, now)[0]
        assert row["behind"] == ["Dr. Ana Martinez"]
        assert {d["provider"]: d["shows"] for d in row["display"]}["Dr. Ana Martinez"] == 0
    finally:
        store.close()
