"""An area that never returns, after starting a child of its own (as the fleet starts
brokers): its pid goes to ``$FAKE_AREA_CHILD_PID``, so a test can see it was stopped too."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def run_bench(quick: bool) -> dict[str, object]:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    Path(os.environ["FAKE_AREA_CHILD_PID"]).write_text(str(child.pid))
    while True:
        time.sleep(1)
