"""`kiosk hub ehr replay FILE` feeds the running hub's listener like the practice system;
`kiosk hub ehr status` shows what came of it, from the hub's database."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

from hub.cli import main
from tests.support.broker import free_port
from tests.support.clock import wall_now
from tests.support.siu import EhrHub, Siu, ehr_settings


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def test_replay_a_file_then_read_the_status(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\npractice = "acme"\nstate_dir = "{tmp_path}"\n[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
        f'[hub.ehr]\nenabled = true\nport = {port}\nproviders = {{ D1 = "chen" }}\n'
    )
    site = EhrHub(ehr_settings(tmp_path, port=port))
    try:
        start = wall_now().replace(second=0, microsecond=0)
        messages = [
            Siu("F1", start=start, appointment_id="F1"),
            Siu("F2", start=start, appointment_id="F2", provider="D77"),
            Siu("F3", "S15", start=start, appointment_id="F1"),
        ]
        replay = tmp_path / "messages.hl7"
        # LF line ends, as a text editor saves it
        replay.write_text("\n".join(m.text().replace("\r", "\n") for m in messages))
        code, out = _cli("--config", str(config), "ehr", "replay", str(replay))
        assert code == 3, out  # one AE
        lines = out.splitlines()
        assert lines[0].split()[:3] == ["1", "AA", "F1"]
        assert lines[1].split()[:3] == ["2", "AE", "F2"] and "unknown provider D77" in lines[1]
        assert lines[-1] == "3 messages: AA 2, AE 1"
        code, out = _cli("--config", str(config), "ehr", "status")
        assert code == 0
        assert "messages: AA 2, AE 1, AR 0" in out
        assert "last message:" in out and "SIU^S15 F3 AA" in out
        code, out = _cli("--config", str(config), "ehr", "status", "--json")
        view = json.loads(out)
        assert view["counts"]["AA"] == 2 and view["arrivals"]["pending"] == 0
    finally:
        site.stop()
    code, out = _cli("--config", str(config), "ehr", "replay", str(replay))
    assert code == 1  # the listener is gone: one clear line on stderr, exit 1
