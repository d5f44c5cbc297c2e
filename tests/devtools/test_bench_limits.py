"""``python -m devtools bench`` keeps what it measured: an area that hangs or fails is named
in ``bench_failed_areas`` and the areas after it still run and are written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from devtools import bench
from tests.support.site import wait_for

ROOT = Path(__file__).resolve().parents[2]
_FAKE = "tests.devtools.fake_areas"
_AREAS = (f"{_FAKE}.hangs", f"{_FAKE}.fails", f"{_FAKE}.measures")
_HANG_LIMIT_S = 3.0


def _bench(out: Path, child_pid: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The real ``devtools bench`` command in a process of its own, with the fake areas
    registered (the hanging one with a short limit)."""
    code = (
        "import sys, devtools.bench as bench\n"
        f"bench._AREAS = {_AREAS!r}\n"
        f"bench._LIMIT_S[{_AREAS[0]!r}] = {_HANG_LIMIT_S}\n"
        "from devtools.__main__ import main\n"
        f"sys.exit(main(['bench', '--out', {str(out)!r}, *{list(extra)!r}]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FAKE_AREA_CHILD_PID": str(child_pid)}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return "Z"


def test_a_hanging_area_is_recorded_as_failed_and_the_others_are_written(tmp_path: Path) -> None:
    out, child_pid = tmp_path / "bench.json", tmp_path / "child.pid"
    proc = _bench(out, child_pid)
    assert proc.returncode == 1, proc.stderr  # a failed area fails the run, after writing it
    result = json.loads(out.read_text())
    assert json.loads(proc.stdout) == result
    # The area after the hanging and the failing one still ran, and its keys are there.
    assert result["fake_figure_ms"] == {"p50": 1.0, "p99": 2.0}
    assert result["fake_quick"] is False
    failed = result["bench_failed_areas"]
    assert set(failed) == {"hangs", "fails"}
    assert failed["hangs"]["reason"] == f"timed out after {_HANG_LIMIT_S:.0f} s (stopped)"
    assert failed["hangs"]["seconds"] >= _HANG_LIMIT_S
    assert failed["fails"]["reason"].startswith("exit 1: RuntimeError: the fake area's broker")
    assert set(result["bench_seconds"]) == {"hangs", "fails", "measures"}
    assert result["bench_seconds"]["hangs"] == failed["hangs"]["seconds"]
    assert set(result["bench_cpu_seconds"]) == {"hangs", "fails", "measures"}
    assert all(0 <= cpu < 60 for cpu in result["bench_cpu_seconds"].values())
    load = result["bench_load"]
    assert isinstance(load["start"], float) and isinstance(load["end"], float)
    # What the hanging area started was stopped with it.
    pid = int(child_pid.read_text())
    wait_for(lambda: not _alive(pid), 30, "the hanging area's child to be stopped with it")


def test_only_runs_the_named_areas_and_a_clean_run_has_no_failures(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = _bench(out, tmp_path / "child.pid", "--only", "measures", "--quick")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert result["fake_quick"] is True
    assert result["fake_full"] is False  # the default run takes an area's slice
    assert result["bench_failed_areas"] == {}
    assert set(result["bench_seconds"]) == {"measures"}


def test_full_reaches_the_area_and_lengthens_its_limit(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = _bench(out, tmp_path / "child.pid", "--only", "measures", "--full")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())["fake_full"] is True
    limit = bench.DEFAULT_LIMIT_S * bench.FULL_LIMIT_FACTOR
    assert f"{_AREAS[2]} (limit {limit:.0f} s)" in proc.stderr


def test_an_unknown_area_is_refused_before_anything_runs(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = _bench(out, tmp_path / "child.pid", "--only", "no_such_area")
    assert proc.returncode == 2
    assert "no such area: no_such_area" in proc.stderr
    assert not out.exists()
