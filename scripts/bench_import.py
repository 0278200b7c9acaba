"""Benchmark `readinglist import bib` on the large real bibliographies against bibtexparser's bare parse.

For 1k, 10k and all entries of /work/shared/data/bib/large (ACL anthology split files + a personal
biblatex library; MANIFEST.tsv gives the entry counts), each measurement runs in a fresh subprocess
and prints wall time and peak RSS (resource.getrusage maxrss): the bare `bibtexparser.parse_string`
of the same files, then the full import (decode, parse, checks, macros, crossref, normalize, dedup,
keys, safe write with re-parse verification) into an empty temporary project.

    .venv/bin/python scripts/bench_import.py [--sizes 1000,10000,all] [--data DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
mode, files, root = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
t0 = time.perf_counter()
if mode == "parse":
    import bibtexparser
    n = 0
    for f in files:
        n += len(bibtexparser.parse_string(Path(f).read_text(encoding="utf-8-sig")).entries)
    out = {"entries": n}
else:
    import logging
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    from readinglist.importers.bibtex import import_bib
    r = import_bib(Path(root), files, keep_going=True)
    out = r.counts()
out["seconds"] = round(time.perf_counter() - t0, 2)
out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(out))
"""


def pick(data: Path, size: int | None) -> list[str]:
    rows = list(csv.reader((data / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))[1:]
    files, total = [], 0
    for row in rows:
        path = data / Path(row[0]).relative_to("bib/large")
        files.append(str(path))
        total += int(row[5])
        if size is not None and total >= size:
            break
    return files


def run(mode: str, files: list[str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        (root / "bib").mkdir(parents=True)
        (root / "topics.yaml").write_text("version: 1\ncourses: []\nareas: []\n")
        p = subprocess.run([sys.executable, "-c", CHILD, mode, json.dumps(files), str(root)],
                           capture_output=True, text=True, check=True)
        return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,all")
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "bib" / "large"))
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "MANIFEST.tsv").exists():
        sys.exit(f"no large data set at {data} (MANIFEST.tsv missing); pass --data DIR")
    print(f"{'size':>6} {'files':>5} {'parse s':>8} {'parse MiB':>9} {'import s':>9} {'import MiB':>10} {'ratio':>6}  report")
    for s in args.sizes.split(","):
        size = None if s == "all" else int(s)
        files = pick(data, size)
        bare = run("parse", files)
        imp = run("import", files)
        ratio = imp["seconds"] / bare["seconds"] if bare["seconds"] else float("nan")
        counts = {k: imp[k] for k in ("added", "merged", "skipped", "failed")}
        print(f"{s:>6} {len(files):>5} {bare['seconds']:>8} {bare['peak_rss_mib']:>9} {imp['seconds']:>9} "
              f"{imp['peak_rss_mib']:>10} {ratio:>6.2f}  entries={bare['entries']} {counts}", flush=True)


if __name__ == "__main__":
    main()
