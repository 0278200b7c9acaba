"""Benchmark (issue 4): requests made by `readinglist enrich`, and `readinglist add` from cache.

    .venv/bin/python scripts/bench_enrich.py [--papers 1000] [--runs 5]

Against a local HTTP server standing in for arXiv, Semantic Scholar, DBLP and Crossref (pacing
interval 0.001 s for its host), on a generated project of N arXiv preprints, whole processes:

* requests of a first `readinglist enrich` per service (goal: ceil(N/100) arXiv requests; a
  per-paper tool makes N);
* requests of a second run (goal: 0, all from the HTTP cache under .readinglist/);
* the median time of `readinglist add ID` answered from the cache (goal: under 300 ms).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

REPO = Path(__file__).resolve().parents[1]
CLI = [str(REPO / ".venv" / "bin" / "readinglist")]
ATOM = "application/atom+xml; charset=utf-8"


def _feed(request: Request) -> Response:
    ids = [re.sub(r"v\d+$", "", i) for i in request.args.get("id_list", "").split(",") if i]
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/{i}v1</id><updated>2021-04-20T16:07:14Z</updated>"
        f"<published>2021-04-09T17:59:02Z</published><title>Generated paper {i}</title>"
        f"<summary>About {i}.</summary><author><name>Ada Lovelace</name></author>"
        f"<author><name>Charles Babbage</name></author>"
        f'<arxiv:primary_category term="cs.DC"/><category term="cs.DC"/></entry>' for i in ids)
    body = ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
            f"<opensearch:totalResults>{len(ids)}</opensearch:totalResults>{entries}</feed>")
    return Response(body, content_type=ATOM)


def handle(request: Request) -> Response:
    if request.path.startswith("/api/query"):
        return _feed(request)
    if request.path.startswith("/s2/graph/v1/paper/batch"):
        ids = (request.get_json() or {}).get("ids", [])
        return Response(json.dumps([None] * len(ids)), content_type="application/json")
    return Response("not found", status=404)


def make_project(root: Path, n: int) -> None:
    (root / "bib").mkdir(parents=True)
    entries = [f"@misc{{p{i},\n  author = {{Lovelace, Ada and Babbage, Charles}},\n"
               f"  title = {{Generated paper 2104.{i:05d}}},\n  year = {{2021}},\n"
               f"  eprint = {{2104.{i:05d}}},\n  archiveprefix = {{arXiv}},\n}}\n"
               for i in range(1, n + 1)]
    (root / "bib" / "papers.bib").write_text("\n".join(entries), encoding="utf-8")
    readings = "".join(f"          - paper: p{i}\n            role: optional\n"
                       for i in range(1, n + 1))
    (root / "topics.yaml").write_text(
        "version: 1\nconfig:\n  sources:\n    intervals: {localhost: 0.001}\n"
        "courses:\n  - id: bench\n    title: Bench\n    topics:\n      - id: all\n"
        f"        title: All\n        readings:\n{readings}"
        "      - id: new\n        title: New\n        readings:\n          - paper: p1\n            role: optional\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    args, _ = ap.parse_known_args()
    n = args.papers

    server = HTTPServer()
    server.expect_request(re.compile(".*")).respond_with_handler(handle)
    server.start()
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
           "READINGLIST_ARXIV_URL": server.url_for("/api/query") + "?{}",
           "READINGLIST_S2_URL": server.url_for("/s2/graph/v1"),
           "READINGLIST_DBLP_URL": server.url_for("/dblp"),
           "READINGLIST_CROSSREF_URL": server.url_for("/crossref")}

    def count(prefix: str, since: int = 0) -> int:
        return sum(1 for req, _ in server.log[since:] if req.path.startswith(prefix))

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "proj"
        make_project(root, n)
        cmd = [*CLI, "--root", str(root), "enrich", "--format", "json"]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
        first_s = time.perf_counter() - t0
        first = len(server.log)
        print(f"enrich {n} arXiv papers, first run: {count('/api/query')} arXiv request(s) "
              f"(goal ceil(N/100) = {math.ceil(n / 100)}; a per-paper tool makes {n}), "
              f"{count('/s2/')} Semantic Scholar, {first} in all, {first_s:.2f} s")
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
        print(f"enrich second run: {len(server.log) - first} request(s) (goal 0)")

        for label, proj, course, topic in (
                (f"a project of {n} papers", root, "bench", "new"),
                ("the embedded default (60 readings)", None, "cs294-sp22", "ml-for-systems")):
            if proj is None:
                proj = Path(tmp) / "default"
                proj.mkdir()
                shutil.copy(REPO / "topics.yaml", proj / "topics.yaml")
                shutil.copytree(REPO / "bib", proj / "bib")
            ident = f"2104.{n + 1:05d}"
            add = [*CLI, "--root", str(proj), "add", ident, "--course", course, "--topic", topic]
            subprocess.run([*add, "--dry-run"], check=True, env=env, stdout=subprocess.DEVNULL)
            snap = Path(tmp) / f"snap-{course}"
            shutil.copytree(proj, snap, ignore=shutil.ignore_patterns(".readinglist"))
            before = len(server.log)
            times = []
            for _ in range(args.runs):
                for name in ("topics.yaml", "bib"):
                    target = proj / name
                    shutil.rmtree(target) if target.is_dir() else target.unlink()
                    src = snap / name
                    shutil.copytree(src, target) if src.is_dir() else shutil.copy(src, target)
                t0 = time.perf_counter()
                subprocess.run(add, check=True, env=env, stdout=subprocess.DEVNULL)
                times.append(time.perf_counter() - t0)
            print(f"add {ident} answered from cache, {label}, incl. rebuilding the database: "
                  f"median {statistics.median(times) * 1000:.0f} ms over {args.runs} runs "
                  f"(goal < 300 ms), {len(server.log) - before} request(s)")
    server.stop()


if __name__ == "__main__":
    sys.exit(main())
