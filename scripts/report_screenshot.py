#!/usr/bin/env python3
"""Render `readinglist report` in headless Chromium and save a screenshot to look at.

    .venv/bin/python scripts/report_screenshot.py [--root DIR] [--course cs294-sp22]
        [--against gatech-cs8803-smr ...] [-o report.png]

Writes report.html and report.png (default: into a temporary folder, printed at the end).
Needs Debian's `chromium` (apt-get install chromium); no network is used.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def render(html: Path, *, screenshot: Path | None = None, size: str = "1400,2400", timeout: float = 120) -> str:
    """Open `html` in headless Chromium; returns the rendered DOM, and saves a screenshot if asked."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium not found; install it with `apt-get install -y chromium`")
    with tempfile.TemporaryDirectory() as prof:
        base = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={prof}", f"--window-size={size}"]
        if screenshot is not None:
            subprocess.run([*base, f"--screenshot={screenshot}", html.resolve().as_uri()],
                           capture_output=True, timeout=timeout, check=True)
        out = subprocess.run([*base, "--dump-dom", html.resolve().as_uri()],
                             capture_output=True, text=True, timeout=timeout, check=True)
    return out.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[1]))
    ap.add_argument("--course", default="cs294-sp22")
    ap.add_argument("--against", action="append", default=None)
    ap.add_argument("-o", "--output", help="PNG path (default: a temporary folder)")
    args = ap.parse_args()
    against = args.against if args.against is not None else ["gatech-cs8803-smr", "lecture-schedule-004", "umass-692s"]
    out = Path(args.output) if args.output else Path(tempfile.mkdtemp(prefix="rl-report-")) / "report.png"
    html = out.with_suffix(".html")
    cmd = [sys.executable, "-m", "readinglist", "--root", args.root, "report", "--course", args.course, "-o", str(html)]
    for a in against:
        cmd += ["--against", a]
    subprocess.run(cmd, check=True)
    dom = render(html, screenshot=out)
    print(f"report:     {html}")
    print(f"screenshot: {out}")
    print(f"rendered DOM: {len(dom)} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
