"""Hub processes started together on one fresh hub database: a hub and its intake
workers after a reboot (docs/scale.md). Each process opens the store as `kiosk hub run`
and `kiosk hub intake` do (``devtools.store_open_proc``); all are released at the same
instant, and every one must open it at the newest schema.

``python -m devtools.fleet_start [ROUNDS] [PROCESSES]`` prints the failures as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hub.migrations import HUB_MIGRATIONS


@dataclass(frozen=True)
class StartRound:
    answers: list[str]  # each process's last line: "ok <version>" or "error <what>"

    @property
    def failures(self) -> list[str]:
        return [a for a in self.answers if a != f"ok {len(HUB_MIGRATIONS)}"]


def start_together(db: Path, processes: int = 3, *, keyed: bool = True) -> StartRound:
    """``processes`` openers of ``db``, imported first, then told to open at once."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "devtools.store_open_proc", str(db), "keyed" if keyed else "plain"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    answers: list[str] = []
    try:
        for proc in procs:  # every one imported and waiting
            if proc.stdout is None or proc.stdout.readline().strip() != "ready":
                raise RuntimeError(f"an opener did not start: {proc.stderr.read() if proc.stderr else ''}")
        for proc in procs:
            if proc.stdin is not None:
                proc.stdin.write("go\n")
                proc.stdin.flush()
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            lines = out.strip().splitlines()
            answers.append(lines[-1] if lines else f"error no answer (exit {proc.returncode}): {err[-300:]}")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
    return StartRound(answers)


def concurrent_start_failures(
    rounds: int = 50, processes: int = 3, *, keyed: bool = True
) -> dict[str, object]:
    """``rounds`` fresh databases, each opened by ``processes`` processes at once."""
    failed_rounds = 0
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-start-") as tmp:
        for n in range(rounds):
            result = start_together(Path(tmp) / f"r{n}" / "hub.sqlite", processes, keyed=keyed)
            failed_rounds += bool(result.failures)
            failures += result.failures
    return {
        "rounds": rounds,
        "processes": processes,
        "fleet_concurrent_start_failures": failed_rounds,
        "failed_opens": len(failures),
        "first_errors": sorted(set(failures))[:3],
    }


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    print(json.dumps(concurrent_start_failures(*args), indent=2))
