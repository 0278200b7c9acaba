"""Check `readinglist.bibsplit` against bibtexparser's own splitter on every .bib under some folders.

    .venv/bin/python scripts/check_bibsplit.py DIR... [--import]

For each file: whether bibsplit's fast path takes it and gives exactly what bibtexparser's splitter
gives (`fast-equal`), leaves it to bibtexparser (`fallback`), or differs (`MISMATCH`: a bug; please
report it with the file). The fast path is tried whatever the installed bibtexparser version, so
this is also how to check a new bibtexparser release before adding it to `bibsplit.VERIFIED`.
With --import, each file is also imported into an empty temporary project (`import_bib`,
keep-going) and its counts printed. Exit status 1 if any file differs or the import crashes.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import traceback
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--import", dest="do_import", action="store_true", help="also import each file")
    args = ap.parse_args()
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    from bibtexparser.splitter import Splitter

    from readinglist import bibsplit

    files = sorted(f for d in args.dirs for f in (d.rglob("*.bib") if d.is_dir() else [d]))
    tally = {"fast-equal": 0, "fallback": 0, "MISMATCH": 0, "crash": 0}
    for f in files:
        text = f.read_bytes().decode("utf-8-sig", errors="replace")
        fast = bibsplit._fast(text)
        want = bibsplit.from_library(Splitter(text).split())
        status = "fallback" if fast is None else "fast-equal" if fast == want else "MISMATCH"
        tally[status] += 1
        line = f"{status:10s} {len(want.entries):6d} entries  {f}"
        if args.do_import:
            from readinglist.importers.bibtex import import_bib

            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp)
                (root / "bib").mkdir()
                (root / "topics.yaml").write_text("version: 1\ncourses: []\nareas: []\n", encoding="utf-8")
                try:
                    c = import_bib(root, [str(f)], keep_going=True).counts()
                    line += f"  import: added {c['added']} merged {c['merged']} skipped {c['skipped']} failed {c['failed']}"
                except Exception:  # noqa: BLE001 - reported, and the exit status says so
                    tally["crash"] += 1
                    line += "  import CRASH: " + traceback.format_exc().splitlines()[-1]
        print(line)
    print(f"{len(files)} files: " + ", ".join(f"{k} {v}" for k, v in tally.items()))
    return 1 if tally["MISMATCH"] or tally["crash"] else 0


if __name__ == "__main__":
    sys.exit(main())
