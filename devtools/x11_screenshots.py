"""The x11/ set of ``make screenshots``: each scene on a real X server (Xvfb), played in
the kiosk process ``kiosk run`` would be (``devtools.x11_kiosk``), grabbed from the X
root window. Beside the offscreen PNGs, so the two can be compared."""

from __future__ import annotations

import json
import select
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from devtools.xvfb import ROOT, XServer

TOOLS = ("Xvfb", "xset")


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def _ask(proc: subprocess.Popen[str], command: str, timeout_s: float = 20.0) -> object:
    if proc.stdin is None or proc.stdout is None:
        raise RuntimeError("no pipe to the kiosk")
    if command:
        proc.stdin.write(command + "\n")
        proc.stdin.flush()
    ready, _, _ = select.select([proc.stdout], [], [], timeout_s)
    line = proc.stdout.readline() if ready else ""
    if not line:
        raise RuntimeError(f"the X11 kiosk did not answer {command!r} (exit {proc.poll()})")
    return json.loads(line)


def shoot(out: Path, sizes: Sequence[tuple[int, int]], languages: Sequence[str], names: Sequence[str]) -> int:
    """Write ``out/WxH_LANG_NAME.png`` for every scene; returns how many."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for width, height in sizes:
        server = XServer(size=(width, height))
        try:
            with tempfile.TemporaryDirectory(prefix="kiosk-x11-") as tmp:
                proc = subprocess.Popen(  # this interpreter, a devtools module
                    [sys.executable, "-m", "devtools.x11_kiosk", tmp],
                    env=server.env(),
                    cwd=ROOT,
                    text=True,
                    bufsize=1,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
                try:
                    if _ask(proc, "", 30.0) != "ready":
                        raise RuntimeError("the X11 kiosk did not start")
                    for language in languages:
                        for name in names:
                            path = out / f"{width}x{height}_{language}_{name}.png"
                            answer = _ask(proc, f"shoot {name} {language} {path}")
                            if not isinstance(answer, dict) or "error" in answer:
                                raise RuntimeError(f"{name}: {answer}")
                            count += 1
                    _ask(proc, "quit")
                finally:
                    if proc.poll() is None:
                        proc.terminate()
                    proc.wait(10)
                    for pipe in (proc.stdin, proc.stdout):
                        if pipe is not None:
                            pipe.close()
        finally:
            server.stop()
    return count


__all__ = ["missing_tools", "shoot"]
