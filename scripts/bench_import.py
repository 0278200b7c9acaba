"""Benchmark `readinglist import bib` on the large real bibliographies against bibtexparser's bare parse.

For 1k, 10k and all entries of /work/shared/data/bib/large (ACL anthology split files + a personal
biblatex library; MANIFEST.tsv gives the entry counts), each measurement runs in a fresh subprocess
and prints wall time and peak RSS (resource.getrusage maxrss): the bare `bibtexparser.parse_string`
of the same files, then the full import (decode, parse, checks, macros, crossref, normalize, dedup,
keys, safe write with re-parse verification) into an empty temporary project, with the default
number of worker processes (a pool of one per core above 1 MiB of input) and, with --serial, also
forced into one process (READINGLIST_IMPORT_WORKERS=1). "MiB" is the parent's peak; "+workers" the
largest worker's peak (each of the workers peaks at about that: the total is parent + n x that).
The ratio is import time / bare parse time; "cpu" is the CPU seconds of the process and its workers
(from interpreter start: steadier than wall time on a busy machine); --check compares the written
files of the two runs.

    .venv/bin/python scripts/bench_import.py [--sizes 1000,10000,all] [--data DIR] [--serial] [--check]
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import json
import os
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
own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
out["cpu_s"] = round(own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime, 2)
out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
out["worker_rss_mib"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
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


def run(mode: str, files: list[str], out: Path, workers: str = "") -> dict[str, float]:
    root = out / f"{mode}{workers}"
    (root / "bib").mkdir(parents=True)
    (root / "topics.yaml").write_text("version: 1\ncourses: []\nareas: []\n")
    env = {**os.environ, "READINGLIST_IMPORT_WORKERS": workers}
    p = subprocess.run([sys.executable, "-c", CHILD, mode, json.dumps(files), str(root)],
                       capture_output=True, text=True, check=True, env=env)
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,all")
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "bib" / "large"))
    ap.add_argument("--serial", action="store_true", help="also time the import forced into one process")
    ap.add_argument("--check", action="store_true", help="with --serial: the two written files must be identical")
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "MANIFEST.tsv").exists():
        sys.exit(f"no large data set at {data} (MANIFEST.tsv missing); pass --data DIR")
    print(f"{'size':>6} {'files':>5} {'parse s':>8} {'cpu':>5} {'parse MiB':>9} {'import s':>9} {'cpu':>5} {'MiB':>6} "
          f"{'+workers':>8} {'ratio':>6}" + (f" {'serial s':>9} {'MiB':>6} {'ratio':>6}" if args.serial else "") + "  report")
    for s in args.sizes.split(","):
        size = None if s == "all" else int(s)
        files = pick(data, size)
        with tempfile.TemporaryDirectory() as tmp:
            bare = run("parse", files, Path(tmp))
            imp = run("import", files, Path(tmp))
            counts = {k: imp[k] for k in ("added", "merged", "skipped", "failed")}
            line = (f"{s:>6} {len(files):>5} {bare['seconds']:>8} {bare['cpu_s']:>5} {bare['peak_rss_mib']:>9} "
                    f"{imp['seconds']:>9} {imp['cpu_s']:>5} {imp['peak_rss_mib']:>6} {imp['worker_rss_mib']:>8} "
                    f"{imp['seconds'] / bare['seconds']:>6.2f}")
            if args.serial:
                ser = run("import", files, Path(tmp), "1")
                line += f" {ser['seconds']:>9} {ser['peak_rss_mib']:>6} {ser['seconds'] / bare['seconds']:>6.2f}"
                if args.check:
                    same = filecmp.cmp(Path(tmp) / "import" / "bib" / "imported.bib",
                                       Path(tmp) / "import1" / "bib" / "imported.bib", shallow=False)
                    counts["identical"] = same
            print(f"{line}  entries={bare['entries']} {counts}", flush=True)


if __name__ == "__main__":
    main()
