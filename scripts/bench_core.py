"""Benchmark (issue 2): start-up and build times, whole-process medians.

    .venv/bin/python scripts/bench_core.py [--papers 10000 --topics 500]

Prints: `readinglist --help` median (goal < 150 ms), `readinglist build` on the embedded default
(goal < 1 s), and the build of a generated course with N papers and T topics.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORDS = ("scalable distributed training inference serving pipeline parallel sparse quantized graph "
         "compiler tensor memory efficient learned index cluster scheduling federated private secure "
         "benchmark accelerator dataflow cache adaptive elastic fault tolerant streaming").split()


def median_run(cmd: list[str], runs: int, cwd: Path | None = None) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def generate(root: Path, papers: int, topics: int, courses: int = 1, seed: int = 7) -> None:
    """A synthetic project: `papers` entries spread over `topics` topics of `courses` courses."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "bib").mkdir(exist_ok=True)
    bib = []
    for i in range(papers):
        title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize()
        authors = " and ".join(f"Author{rng.randrange(papers // 3 + 1)}, First{rng.randrange(50)}" for _ in range(rng.randint(1, 6)))
        arxiv = f"\n  eprint = {{{2000 + i // 100000:04d}.{i % 100000:05d}}},\n  archiveprefix = {{arXiv}}," if i % 3 == 0 else ""
        bib.append(f"@inproceedings{{p{i},\n  title = {{{title} {i}}},\n  author = {{{authors}}},\n"
                   f"  booktitle = {{Proceedings of Venue {i % 40}}},\n  year = {{{2000 + i % 25}}},{arxiv}\n"
                   f"  url = {{https://example.org/p{i}}}\n}}\n")
    (root / "bib" / "papers.bib").write_text("".join(bib), encoding="utf-8")
    lines = ["version: 1", "courses:"]
    per_course = max(1, topics // courses)
    for c in range(courses):
        lines += [f"  - id: course{c}", f"    title: \"Course {c}\"", f"    term: \"Fall {2015 + c % 10}\"", "    topics:"]
        for t in range(per_course):
            lines += [f"      - id: t{t}", f"        title: \"Topic {t} {rng.choice(WORDS)} {rng.choice(WORDS)}\"",
                      f"        week: {t % 15 + 1}", "        readings:"]
            n = max(1, papers // topics)
            picks = rng.sample(range(papers), n) if courses > 1 else range((t * n) % papers, (t * n) % papers + n)
            for j, p in enumerate(dict.fromkeys(picks)):
                lines += [f"          - paper: p{p % papers}", f"            role: {'required' if j < 3 else 'optional'}"]
    lines.append("areas:")
    for a in range(20):
        lines += [f"  - id: area{a}", f"    title: \"Area {a}\"", f"    keywords: [\"{WORDS[a]}\", \"{WORDS[a + 1]} {WORDS[a + 2]}\"]"]
    (root / "topics.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--papers", type=int, default=10_000)
    ap.add_argument("--topics", type=int, default=500)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    exe = [sys.executable, "-m", "readinglist"]
    print(f"readinglist --help            median of {args.runs * 2}: {median_run([*exe, '--help'], args.runs * 2) * 1000:7.0f} ms  (goal < 150 ms)")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "default"
        d.mkdir()
        shutil.copy(REPO / "topics.yaml", d / "topics.yaml")
        shutil.copytree(REPO / "bib", d / "bib")
        t = median_run([*exe, "--root", str(d), "build", "-q"], args.runs)
        print(f"readinglist build (default)   median of {args.runs}: {t * 1000:7.0f} ms  (goal < 1 s)")
        g = Path(tmp) / "generated"
        generate(g, args.papers, args.topics)
        t = median_run([*exe, "--root", str(g), "build", "-q"], 3)
        print(f"readinglist build ({args.papers} papers, {args.topics} topics) median of 3: {t * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
