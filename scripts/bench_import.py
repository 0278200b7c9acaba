"""Benchmark `readinglist import bib` on the large real bibliographies against bibtexparser's bare parse.

For 1k, 10k and all entries of /work/shared/data/bib/large (ACL anthology split files + a personal
biblatex library; MANIFEST.tsv gives the entry counts), each measurement runs in a fresh subprocess
and prints wall time and peak RSS (resource.getrusage maxrss): the bare `bibtexparser.parse_string`
of the same files, then the full import (decode, parse, checks, macros, crossref, normalize, dedup,
keys, safe write with re-parse verification) into an empty temporary project, with the default
number of worker processes (a pool of one per core, at most 4, above 256 KiB of input) and, with
--serial, also forced into one process (READINGLIST_IMPORT_WORKERS=1). "MiB" is the parent's peak; "+workers" the
largest worker's peak (each of the workers peaks at about that: the total is parent + n x that).
The ratio is import time / bare parse time, of the medians of interleaved runs (21 of each up to
2,000 entries, 7 up to 20,000, else 3; --repeat N to choose); "pairs" is the range of the single
runs' own ratios, which shows how much a busy machine moves them (at 1k on a shared two-core
machine, from 0.75x to 2.1x: a median of a few such runs can land anywhere in that range). "cpu" is the CPU seconds of the process and
its workers (from interpreter start: steadier than wall time on a busy machine); --check compares
the written files of the two runs.

    .venv/bin/python scripts/bench_import.py [--sizes 1000,10000,all] [--data DIR] [--serial] [--check]
                                             [--repeat N] [--one-file]

--one-file concatenates each size's files into one .bib (the common real case: one export from
Zotero, DBLP or Google Scholar), which the import reads in pieces of about 256 KiB.
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


def child_env(workers: str = "") -> dict[str, str]:
    # bytecode caches on, as in an installed package (pip compiles site-packages; an editable
    # install under PYTHONDONTWRITEBYTECODE would recompile readinglist in every run)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["READINGLIST_IMPORT_WORKERS"] = workers
    return env


def run(mode: str, files: list[str], out: Path, workers: str = "", i: int = 0) -> dict[str, float]:
    """One run in a fresh process, into a fresh project."""
    root = out / f"{mode}{workers}-{i}"
    (root / "bib").mkdir(parents=True)
    (root / "topics.yaml").write_text("version: 1\ncourses: []\nareas: []\n")
    p = subprocess.run([sys.executable, "-c", CHILD, mode, json.dumps(files), str(root)],
                       capture_output=True, text=True, check=True, env=child_env(workers))
    return dict(json.loads(p.stdout.strip().splitlines()[-1]))


def median(results: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median wall time (its memory and CPU figures with it)."""
    return sorted(results, key=lambda r: r["seconds"])[len(results) // 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,all")
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "bib" / "large"))
    ap.add_argument("--serial", action="store_true", help="also time the import forced into one process")
    ap.add_argument("--check", action="store_true", help="with --serial: the two written files must be identical")
    ap.add_argument("--repeat", type=int, default=None,
                    help="runs per measurement, the median shown (default: 21 up to 2,000 entries, 7 up to 20,000, "
                         "else 3: a short run is at the mercy of a busy machine, and costs little to repeat)")
    ap.add_argument("--one-file", action="store_true",
                    help="concatenate each size's files into one .bib first (one large export, read in pieces)")
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "MANIFEST.tsv").exists():
        sys.exit(f"no large data set at {data} (MANIFEST.tsv missing); pass --data DIR")
    subprocess.run([sys.executable, "-c", "import bibtexparser, readinglist.importers.bibtex, readinglist.bibwrite, "
                    "readinglist.normalize.keys, readinglist.project, readinglist.yamledit"], check=True, env=child_env())
    print("medians of interleaved runs; the ratio is of the medians, 'pairs' the range of the runs' own ratios")
    print(f"{'size':>6} {'files':>5} {'runs':>4} {'parse s':>8} {'cpu':>5} {'parse MiB':>9} {'import s':>9} {'cpu':>5} "
          f"{'MiB':>6} {'+workers':>8} {'ratio':>6} {'pairs':>10}"
          + (f" {'serial s':>9} {'MiB':>6} {'ratio':>6}" if args.serial else "") + "  report")
    for s in args.sizes.split(","):
        size = None if s == "all" else int(s)
        files = pick(data, size)
        with tempfile.TemporaryDirectory() as tmp:
            if args.one_file:
                one = Path(tmp) / "one.bib"
                with one.open("wb") as fh:
                    for f in files:
                        fh.write(Path(f).read_bytes() + b"\n")
                files = [str(one)]
            runs: dict[str, list[dict[str, float]]] = {"parse": [], "import": [], "serial": []}
            repeat = args.repeat or (21 if size is not None and size <= 2000 else 7 if size is not None and size <= 20000 else 3)
            for i in range(repeat):  # interleaved, so a slow spell of the machine hits both alike
                runs["parse"].append(run("parse", files, Path(tmp), i=i))
                runs["import"].append(run("import", files, Path(tmp), i=i))
                if args.serial:
                    runs["serial"].append(run("import", files, Path(tmp), "1", i=i))
            bare, imp = median(runs["parse"]), median(runs["import"])
            counts = {k: imp[k] for k in ("added", "merged", "skipped", "failed")}
            pairs = sorted(b["seconds"] / a["seconds"] for a, b in zip(runs["parse"], runs["import"], strict=True))
            line = (f"{s:>6} {len(files):>5} {repeat:>4} {bare['seconds']:>8} {bare['cpu_s']:>5} {bare['peak_rss_mib']:>9} "
                    f"{imp['seconds']:>9} {imp['cpu_s']:>5} {imp['peak_rss_mib']:>6} {imp['worker_rss_mib']:>8} "
                    f"{imp['seconds'] / bare['seconds']:>6.2f} {pairs[0]:>4.2f}-{pairs[-1]:<4.2f}")
            if args.serial:
                ser = median(runs["serial"])
                line += f" {ser['seconds']:>9} {ser['peak_rss_mib']:>6} {ser['seconds'] / bare['seconds']:>6.2f}"
                if args.check:
                    same = filecmp.cmp(Path(tmp) / "import-0" / "bib" / "imported.bib",
                                       Path(tmp) / "import1-0" / "bib" / "imported.bib", shallow=False)
                    counts["identical"] = same
            print(f"{line}  entries={bare['entries']} {counts}", flush=True)


if __name__ == "__main__":
    main()
