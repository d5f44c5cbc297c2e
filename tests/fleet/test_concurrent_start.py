"""A hub and two intake workers started at the same instant on a fresh hub database (a
reboot): every process opens it at the newest schema, none runs a migration twice, and
one store key is made, the one that opens the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from devtools.fleet_start import start_together
from hub.migrations import HUB_MIGRATIONS
from hub.store import HubStore
from sync.vault import KeySource


@pytest.mark.parametrize("keyed", [True, False], ids=["encrypted", "plain"])
def test_processes_started_together_all_open_a_fresh_hub_database(tmp_path: Path, keyed: bool) -> None:
    for n in range(3):
        db = tmp_path / f"round-{n}" / "hub.sqlite"
        result = start_together(db, processes=3, keyed=keyed)
        assert result.failures == [], result.answers
        key = KeySource(file=db.parent / "store.key") if keyed else KeySource(plain=True)
        store = HubStore.open(db, readonly=True, key=key)  # the key on disk opens what was written
        try:
            assert int(store.db.execute("PRAGMA user_version").fetchone()[0]) == len(HUB_MIGRATIONS)
            assert store.db.execute("SELECT count(*) FROM providers").fetchone()[0] == 0
        finally:
            store.close()


def test_processes_started_together_on_an_older_schema_migrate_it_once(tmp_path: Path) -> None:
    """A database left at version 1 (an older release) upgraded by three processes at once."""
    db = tmp_path / "hub.sqlite"
    conn = sqlite3.connect(db)
    HUB_MIGRATIONS[0](sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    result = start_together(db, processes=3, keyed=False)
    assert result.failures == [], result.answers
