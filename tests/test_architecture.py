"""The layers of docs/architecture.md hold, and the check that enforces them can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "core", "config", "sync", "domain", "hub", "hardware", "speech", "ui", "kiosk", "phone", "devtools"
)  # fmt: skip
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """The source packages and the contracts, copied (so a probe never touches the checkout)."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.qm"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("domain/_probe.py", "import ui.app\n", "Layers"),
        ("sync/_probe.py", "from domain import flow\n", "Layers"),
        ("core/_probe.py", "import config\n", "Layers"),
        ("hub/_probe.py", "import hardware.ioboard\n", "The hub imports no kiosk"),
        ("hub/_probe.py", "import cv2\n", "The hub imports no kiosk"),
        ("domain/_probe.py", "from PySide6 import QtCore\n", "Nothing below ui imports Qt"),
        ("speech/_probe.py", "import hardware\n", "Layers"),
        ("phone/_probe.py", "import kiosk.app\n", "Layers"),
        ("speech/_probe.py", "import phone.line\n", "Layers"),
        ("hub/_probe.py", "import phone.sip\n", "The hub imports no kiosk"),
    ],
)
def test_a_violating_import_breaks_the_contract(tree_copy: Path, module: str, line: str, broken: str) -> None:
    (tree_copy / module).write_text(line)
    result = _lint(tree_copy)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
    broken_lines = [ln for ln in result.stdout.splitlines() if ln.rstrip().endswith("BROKEN")]
    assert any(ln.startswith(broken) for ln in broken_lines), result.stdout
    assert module.replace("/", ".").removesuffix(".py") in result.stdout


def test_the_checkout_keeps_every_contract(tree_copy: Path) -> None:
    result = _lint(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
