"""Count the CPU instructions of a fixed, serial `import bib` (and of the bare parse of the same
files), with valgrind's cachegrind: a figure that a busy machine does not move (wall time on a
shared machine moves by 40% between runs minutes apart; this moves by about 0.5%).

    .venv/bin/python scripts/count_instructions.py [--data DIR]

Needs `valgrind` (Debian: `apt-get install valgrind`); takes about a minute. The input: 8 files of
the ACL Anthology split and 2 years of the biblatex library from shared/data/bib/large (about 3,000
entries), imported with one process into an empty temporary project, hash seed fixed.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import logging, sys, tempfile
from pathlib import Path
mode, files = sys.argv[1], sys.argv[2:]
if mode == "parse":
    import bibtexparser
    for f in files:
        bibtexparser.parse_string(Path(f).read_text(encoding="utf-8"))
else:
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    from readinglist.importers.bibtex import import_bib
    root = Path(tempfile.mkdtemp())
    (root / "bib").mkdir()
    (root / "topics.yaml").write_text("version: 1\ncourses: []\nareas: []\n")
    import_bib(root, files, keep_going=True, workers=1)
"""


def count(mode: str, files: list[str]) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no",
                              f"--cachegrind-out-file={Path(tmp) / 'cg.out'}", sys.executable, "-c", CHILD, mode, *files],
                             capture_output=True, text=True, env=env, check=True).stderr
    m = re.search(r"I\s+refs:\s+([\d,]+)", out)
    if m is None:
        sys.exit(f"no instruction count in valgrind's output:\n{out[-2000:]}")
    return int(m.group(1).replace(",", ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "bib" / "large"))
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    data = Path(args.data)
    files = (sorted(glob.glob(str(data / "acl-anthology-split" / "*.bib")))[:40:5]
             + sorted(glob.glob(str(data / "jgrey4296-personal-library-by-year" / "*.bib")))[-12::6])
    if len(files) < 10:
        sys.exit(f"the large data set is not at {data}; pass --data DIR")
    parse, imp = count("parse", files), count("import", files)
    print(f"instructions, millions: bare parse {parse / 1e6:,.0f}  import (one process) {imp / 1e6:,.0f}  "
          f"ratio {imp / parse:.2f}")


if __name__ == "__main__":
    main()
