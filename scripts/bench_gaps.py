#!/usr/bin/env python3
"""Benchmark `readinglist gaps` and `compare` on generated knowledge bases.

    .venv/bin/python scripts/bench_gaps.py [--sizes 1000,10000,100000] [--courses 50] [--topics 1000]
        [--readings-per-topic 10] [--repeat 3] [--full-build-max 10000]

For each size it writes a project (topics.yaml with the repo's 23-area taxonomy, COURSES courses,
TOPICS topics, bib/*.bib with N papers) into a temp folder, builds it (in-process from the generated
catalog, so bib parsing is not measured; `readinglist build` from the files is timed as well up to
--full-build-max papers), then times whole processes (`python -m readinglist ...`, best of --repeat):
    gaps --course c00 --format json
    compare c00 --format json          (against the 49 other courses)
and prints the figures with the growth from the smallest to the largest size.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from readinglist.api import ReadingList  # noqa: E402
from readinglist.areas import infer_areas  # noqa: E402
from readinglist.models import Catalog, Course, Paper, Reading, Topic  # noqa: E402

WORDS = ("adaptive efficient scalable robust fast towards learning neural deep graph memory network system systems "
         "framework analysis optimization model models data large small sparse dense online offline learned "
         "distributed parallel hardware compiler kernel cluster cloud edge mobile secure private query index "
         "storage stream streaming workload benchmark accelerator tensor gradient scheduling placement").split()


def taxonomy_block() -> str:
    text = (REPO / "topics.yaml").read_text(encoding="utf-8")
    return text[text.index("\nareas:") + 1:]


def area_keywords() -> list[str]:
    from readinglist.project import Project

    return [k for a in Project(REPO).load().areas for k in a.keywords]


def generate(root: Path, n_papers: int, n_courses: int, n_topics: int, per_topic: int, seed: int = 7) -> Catalog:
    rnd = random.Random(seed)
    kws = area_keywords()
    (root / "bib").mkdir(parents=True, exist_ok=True)
    papers: dict[str, Paper] = {}
    chunks: list[list[str]] = [[] for _ in range(max(1, n_papers // 5000))]
    for i in range(n_papers):
        words = rnd.sample(WORDS, 5)
        if rnd.random() < 0.6:
            words.insert(rnd.randrange(6), rnd.choice(kws))
        title = " ".join(words).capitalize()
        key = f"p{i:06d}"
        year = str(rnd.randint(1995, 2024))
        f = {"author": f"Author{rnd.randrange(n_papers // 3 + 1)}, A. and Author{rnd.randrange(n_papers // 3 + 1)}, B.",
             "title": title, "year": year, "venue": rnd.choice(["OSDI", "SOSP", "NeurIPS", "ICML", "MLSys", "arXiv"]),
             "booktitle": "Proceedings", "url": f"https://example.org/{key}", "pages": f"1--{rnd.randint(8, 20)}"}
        papers[key] = Paper(key, "inproceedings", f, file="bib/gen.bib", line=i + 1)
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in f.items())
        chunks[i % len(chunks)].append(f"@inproceedings{{{key},\n{body}\n}}\n")
    for j, chunk in enumerate(chunks):
        (root / "bib" / f"gen{j:03d}.bib").write_text("\n".join(chunk), encoding="utf-8")
    keys = list(papers)
    popular = keys[: max(50, n_papers // 100)]  # a canon many courses share
    courses = []
    lines = ["version: 1", "courses:"]
    per_course = n_topics // n_courses
    for c in range(n_courses):
        cid = f"c{c:02d}"
        course = Course(cid, f"Course {c}", term=f"Fall {rnd.randint(2015, 2024)}")
        lines += [f"  - id: {cid}", f"    title: \"Course {c}\"", f"    term: \"{course.term}\"", "    topics:"]
        for t in range(per_course):
            tid = f"t{t:02d}"
            title = " ".join(rnd.sample(WORDS, 2) + [rnd.choice(kws)]).capitalize()
            chosen = list(dict.fromkeys(rnd.choice(popular) if rnd.random() < 0.4 else rnd.choice(keys)
                                        for _ in range(per_topic)))
            readings = [Reading(k, "required" if i < 3 else "optional") for i, k in enumerate(chosen)]
            course.topics.append(Topic(tid, title, readings=readings))
            lines += [f"      - id: {tid}", f"        title: \"{title}\"", "        readings:"]
            lines += [f"          - {{paper: {r.paper}, role: {r.role}}}" for r in readings]
        courses.append(course)
    (root / "topics.yaml").write_text("\n".join(lines) + "\n" + taxonomy_block(), encoding="utf-8")
    cat = Catalog(courses=courses, papers=papers)
    # the taxonomy as the loader reads it (only topics.yaml areas; no bib parsing)
    import readinglist.yamlsrc as ys
    from readinglist.project import parse_catalog

    tmp = Catalog(papers=papers)
    parse_catalog(ys.load("version: 1\n" + taxonomy_block(), "topics.yaml"), "topics.yaml", tmp, [])
    cat.areas = tmp.areas
    return cat


def best(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if p.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--courses", type=int, default=50)
    ap.add_argument("--topics", type=int, default=1000)
    ap.add_argument("--readings-per-topic", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--full-build-max", type=int, default=10000)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    py = sys.executable
    results = []
    print(f"{'papers':>8} {'infer s':>8} {'build s':>8} {'cli build s':>11} {'gaps s':>7} {'compare s':>9} "
          f"{'findings':>8} {'db MB':>6}")
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"rl-bench-{n}-") as d:
            root = Path(d)
            cat = generate(root, n, args.courses, args.topics, args.readings_per_topic)
            t0 = time.perf_counter()
            inf = infer_areas(cat)
            t_infer = time.perf_counter() - t0
            proj = ReadingList(root)
            t0 = time.perf_counter()
            proj.build(cat)
            t_build = time.perf_counter() - t0
            t_cli_build = float("nan")
            if n <= args.full_build_max:
                t_cli_build = best([py, "-m", "readinglist", "--root", str(root), "build", "-q"], 1)
            base = [py, "-m", "readinglist", "--root", str(root)]
            t_gaps = best(base + ["gaps", "--course", "c00", "--format", "json"], args.repeat)
            t_cmp = best(base + ["compare", "c00", "--format", "json"], args.repeat)
            out = subprocess.run(base + ["gaps", "--course", "c00", "--format", "json"], capture_output=True,
                                 text=True, check=True).stdout
            n_found = len(json.loads(out))
            mb = proj.db_path.stat().st_size / 1e6
            results.append((n, t_infer, t_build, t_gaps, t_cmp))
            print(f"{n:>8} {t_infer:>8.2f} {t_build:>8.2f} {t_cli_build:>11.2f} {t_gaps:>7.3f} {t_cmp:>9.3f} "
                  f"{n_found:>8} {mb:>6.1f}   ({len(inf.paper_rows)} paper-area rows)")
    if len(results) > 1:
        a, b = results[0], results[-1]
        print(f"growth {a[0]} -> {b[0]} papers ({b[0] / a[0]:.0f}x): infer {b[1] / a[1]:.1f}x, build {b[2] / a[2]:.1f}x, "
              f"gaps {b[3] / a[3]:.2f}x, compare {b[4] / a[4]:.2f}x")
    print(f"({args.courses} courses, {args.topics} topics, {args.readings_per_topic} readings per topic; "
          f"whole-process times, best of {args.repeat}; 'build' from the in-memory catalog, "
          "'cli build' = `readinglist build` parsing the generated .bib files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
