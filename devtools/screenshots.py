"""``make screenshots``: every scene x {800x480, 1280x800} x {en, es} to PNG, offscreen.

python -m devtools.screenshots [--out build/screenshots] [--only NAME ...] [--x11]

With ``--x11`` the same scenes are also shown on a real X server (Xvfb) and grabbed
from its root window into ``OUT/x11/`` (skipped, with a note, when Xvfb is missing).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/screenshots", help="directory for the PNG files")
    parser.add_argument("--only", nargs="*", default=[], help="scene names (default: all)")
    parser.add_argument("--x11", action="store_true", help="also render on Xvfb into OUT/x11/")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from devtools.ui_scenes import LANGUAGES, SCENES, SIZES, show_scenes

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = args.only or list(SCENES)
    count = 0
    for ui, shown in show_scenes(names, prefix="kiosk-shots-"):
        image = ui.window.grabWindow()
        image.save(str(out / f"{shown.width}x{shown.height}_{shown.language}_{shown.name}.png"))
        count += 1
    print(f"{count} screenshots in {out}/")
    if args.x11:
        from devtools.x11_screenshots import missing_tools, shoot

        if missing_tools():
            print(f"x11 screenshots skipped: {missing_tools()} missing (deps/apt-ui-test.txt)")
        else:
            shots = shoot(out / "x11", SIZES, LANGUAGES, names)
            print(f"{shots} screenshots from a real X server in {out / 'x11'}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
