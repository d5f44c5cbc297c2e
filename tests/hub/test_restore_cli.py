"""`kiosk hub restore BACKUP`: a backup copy of the hub's database goes in place under a new
epoch, the store it replaces is kept, a backup the key does not open changes nothing; and
`kiosk hub kiosks` names the epoch each kiosk follows."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stdout
from pathlib import Path

from hub.sample import sample_morning
from hub.store import HubStore
from kiosk.cli import main
from sync import messages as m
from tests.support.clock import wall_now, wall_today


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\nid = "lobby-1"\npractice = "acme"\nsite = "main"\nstate_dir = "{tmp_path}"\n'
        f'[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
    )
    return path


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def test_restore_puts_the_backup_in_place_under_a_new_epoch(tmp_path: Path) -> None:
    config, db = _config(tmp_path), tmp_path / "hub" / "hub.sqlite"
    store = HubStore.open(db)
    store.load_day(sample_morning(wall_today()))
    backed_up = store.epochs.current()
    store.close()
    (tmp_path / "backup").mkdir()
    shutil.copy2(db, tmp_path / "backup" / "hub.sqlite")
    store = HubStore.open(db)  # the day goes on after the backup
    with store.transaction():
        store.record_checkin(
            m.CheckIn("k" * 16, "lobby-1", "che-0001", "chen", wall_now().isoformat(), "dob"), "t"
        )
        later = store.epochs.start(wall_now(), "newer_epoch")
    store.close()

    code, out = _cli("--config", str(config), "hub", "restore", str(tmp_path / "backup" / "hub.sqlite"))
    assert code == 0, out
    store = HubStore.open(db)
    restored = store.epochs.current()
    assert restored > later > backed_up and str(restored) in out
    assert store.checkin_count() == 0  # the backup's state, not the later one
    assert store.epochs.all()[-1]["reason"] == "restored"
    code, out = _cli("--config", str(config), "hub", "kiosks")
    assert f"hub epoch {restored}" in out
    store.close()
    assert HubStore.open(tmp_path / "hub" / "hub.sqlite.pre-restore").checkin_count() == 1


def test_a_backup_the_key_does_not_open_changes_nothing(tmp_path: Path) -> None:
    config, db = _config(tmp_path), tmp_path / "hub" / "hub.sqlite"
    HubStore.open(db).close()
    foreign = tmp_path / "elsewhere" / "hub.sqlite"
    HubStore.open(foreign).close()  # another hub's: its own store.key
    before = db.read_bytes()
    code, _out = _cli("--config", str(config), "hub", "restore", str(foreign))
    assert code != 0
    assert db.read_bytes() == before
    assert not list(db.parent.glob("*.restoring*"))
    code, _out = _cli("--config", str(config), "hub", "restore", str(tmp_path / "nowhere.sqlite"))
    assert code != 0
