"""`readinglist add` end to end: a real HTTP server on 127.0.0.1 (pytest-httpserver) answers as
arXiv, Semantic Scholar, DBLP and Crossref; the CLI writes bib/, topics.yaml and the database.

The API stand-in (`FakeApis`) serves the recorded arXiv feeds in ../shared/data/api and the
recorded-style files in tests/fixtures/enrich; unknown ids get arXiv's empty feed, S2 `null`,
DBLP/Crossref 404. Every request is counted per service from the server's log.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from readinglist.cli import main
from tests.helpers import REPO, copy_default

FIXTURES = Path(__file__).parent / "fixtures" / "enrich"
ATOM = "application/atom+xml; charset=utf-8"
LEARNED = "1712.01208"
LEARNED_DOI = "10.1145/3183713.3196909"
LEARNED_DBLP = "conf/sigmod/KraskaBCDP18"

TOPICS = """\
version: 1
# a comment at the top that must survive
config:
  sources:
    intervals: {localhost: 0.0, 127.0.0.1: 0.0}
    max_retries: 0
courses:
  - id: c1
    title: Course One   # trailing comment
    term: Fall 2024
    topics:
      - id: t1
        title: Topic One
        readings:
          - paper: smith2020alpha
            role: required   # keep me
      - id: learned
        title: Learned systems
        readings: []
areas:
  - id: a1
    title: Area One
    keywords: [alpha]
"""

BIB = """\
% hand-written library; this comment stays
@inproceedings{smith2020alpha,
  title = {Alpha: A System},
  author = {Smith, Jane and Doe, John},
  booktitle = {OSDI},
  year = {2020},
  url = {https://example.org/alpha}
}
"""


def feed(entries: str, total: int) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
            f"<opensearch:totalResults>{total}</opensearch:totalResults>{entries}</feed>")


def synthetic_entry(aid: str) -> str:
    """An arXiv Atom entry for any id (shape of the recorded ones)."""
    return (f"<entry><id>http://arxiv.org/abs/{aid}v1</id><updated>2021-04-20T16:07:14Z</updated>"
            f"<published>2021-04-09T17:59:02Z</published><title>Synthetic paper {aid}</title>"
            f"<summary>About {aid}.</summary><author><name>Ada Lovelace</name></author>"
            f'<arxiv:primary_category term="cs.DC"/><category term="cs.DC"/></entry>')


class FakeApis:
    """One handler for every service, routed by path prefix; `fail` hooks inject faults."""

    def __init__(self, server: HTTPServer, shared: Path | None = None,
                 synthetic: bool = False) -> None:
        self.server = server
        self.shared = shared
        self.synthetic = synthetic
        self.fail: Callable[[Request, int], Response | None] | None = None
        self.arxiv_calls = 0
        self.dblp_hits: list[dict] = []
        self.s2: dict[str, dict] = {f"ARXIV:{LEARNED}": json.loads(
            (FIXTURES / "s2_1712.01208.json").read_text())}
        self.s2[f"DOI:{LEARNED_DOI}"] = self.s2[f"ARXIV:{LEARNED}"]
        self.pages: dict[str, str] = {"/pages/osdi21-qiao": (FIXTURES / "page_usenix.html")
                                      .read_text()}
        server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    # -- routing -------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/api/query"):
            self.arxiv_calls += 1
            if self.fail is not None:
                bad = self.fail(request, self.arxiv_calls)
                if bad is not None:
                    return bad
            return self.arxiv(request)
        if path.startswith("/s2/graph/v1/paper/batch"):
            ids = (request.get_json() or {}).get("ids", [])
            return Response(json.dumps([self.s2.get(i) for i in ids]),
                            content_type="application/json")
        if path.startswith("/s2/graph/v1/paper/search/match"):
            return Response('{"error": "Title match not found"}', status=404,
                            content_type="application/json")
        if path == f"/dblp/rec/{LEARNED_DBLP}.bib":
            return Response((FIXTURES / "dblp_KraskaBCDP18.bib").read_text(),
                            content_type="text/plain")
        if path.startswith("/dblp/search/publ/api"):
            hits = {"@total": str(len(self.dblp_hits)), "hit": [{"info": h} for h in self.dblp_hits]}
            return Response(json.dumps({"result": {"hits": hits}}),
                            content_type="application/json")
        if path == f"/crossref/works/{LEARNED_DOI}":
            return Response((FIXTURES / "crossref_10.1145_3183713.3196909.json").read_text(),
                            content_type="application/json")
        if path == "/crossref/works":
            return Response(json.dumps({"message": {"items": []}}),
                            content_type="application/json")
        if path in self.pages:
            return Response(self.pages[path], content_type="text/html")
        return Response("not found", status=404)

    def arxiv(self, request: Request) -> Response:
        ids = [i for i in request.args.get("id_list", "").split(",") if i]
        entries = []
        for aid in ids:
            base = re.sub(r"v\d+$", "", aid)
            if base == LEARNED:
                text = (FIXTURES / "arxiv_1712.01208.xml").read_text()
                entries.append(re.search(r"<entry>.*</entry>", text, re.S).group(0))  # type: ignore[union-attr]
            elif base == "2104.12255" and self.shared is not None:
                text = (self.shared / "api" / "arxiv" / "atom-xml-extracted" /
                        "id_2104.12255v1_s0_m100_6ae69987ffe1.xml").read_text()
                entries.append(re.search(r"<entry>.*</entry>", text, re.S).group(0))  # type: ignore[union-attr]
            elif self.synthetic:
                entries.append(synthetic_entry(base))
        return Response(feed("".join(entries), len(entries)), content_type=ATOM)

    # -- counting ------------------------------------------------------------------------------

    def count(self, prefix: str = "") -> int:
        return sum(1 for req, _ in self.server.log if req.path.startswith(prefix))

    def env(self) -> dict[str, str]:
        return {
            "READINGLIST_ARXIV_URL": self.server.url_for("/api/query") + "?{}",
            "READINGLIST_S2_URL": self.server.url_for("/s2/graph/v1"),
            "READINGLIST_DBLP_URL": self.server.url_for("/dblp"),
            "READINGLIST_CROSSREF_URL": self.server.url_for("/crossref"),
        }


def make_apis(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> FakeApis:
    """The stand-in on `httpserver`, with the READINGLIST_*_URL variables pointing at it."""
    fake = FakeApis(httpserver)
    for k, v in fake.env().items():
        monkeypatch.setenv(k, v)
    return fake


@pytest.fixture
def apis(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> FakeApis:
    return make_apis(httpserver, monkeypatch)


def project(tmp_path: Path, topics: str = TOPICS, bib: str = BIB) -> Path:
    root = tmp_path / "proj"
    (root / "bib").mkdir(parents=True)
    (root / "topics.yaml").write_text(topics, encoding="utf-8")
    (root / "bib" / "refs.bib").write_text(bib, encoding="utf-8")
    return root


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False)


def snapshot(root: Path) -> dict[str, bytes]:
    files = [root / "topics.yaml", *sorted((root / "bib").glob("*.bib"))]
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def db_rows(root: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(root / ".readinglist" / "readinglist.db")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------


def test_add_by_arxiv_id_writes_bib_yaml_and_db(apis: FakeApis, tmp_path: Path) -> None:
    root = project(tmp_path)
    r = run(root, "add", LEARNED, "--course", "c1", "--topic", "learned", "--optional",
            "--note", "Read sections 1-3")
    assert r.exit_code == 0, r.output
    assert "kraska2018case" in r.output
    bib = (root / "bib" / "c1.bib").read_text()
    assert "@inproceedings{kraska2018case," in bib
    assert "venue = {SIGMOD}" in bib and f"doi = {{{LEARNED_DOI}}}" in bib
    assert "eprint = {1712.01208}" in bib and "year = {2018}" in bib
    assert "fieldsource = {" in bib and "venue: " in bib
    topics = (root / "topics.yaml").read_text()
    assert "# a comment at the top that must survive" in topics
    assert "title: Course One   # trailing comment" in topics
    assert "role: required   # keep me" in topics
    assert "- paper: kraska2018case\n            role: optional\n" in topics
    assert 'note: "Read sections 1-3"' in topics
    rows = db_rows(root, "SELECT paper_key, role FROM readings WHERE topic_id = 'learned'")
    assert rows == [("kraska2018case", "optional")]
    # the original file is untouched
    assert (root / "bib" / "refs.bib").read_text() == BIB
    assert apis.count("/api/query") == 1


@pytest.mark.parametrize("again", [
    pytest.param("arXiv:1712.01208v2", id="arxiv_prefix_with_version"),
    pytest.param("https://arxiv.org/pdf/1712.01208", id="pdf_url"),
    pytest.param("https://doi.org/10.1145/3183713.3196909", id="published_doi_url"),
    pytest.param("10.48550/arXiv.1712.01208", id="arxiv_doi"),
])
def test_add_again_in_another_form_changes_nothing(apis: FakeApis, tmp_path: Path,
                                                   again: str) -> None:
    root = project(tmp_path)
    assert run(root, "add", LEARNED, "-c", "c1", "-t", "learned").exit_code == 0
    before = snapshot(root)
    seen = len(apis.server.log)
    r = run(root, "add", again, "-c", "c1", "-t", "learned")
    assert r.exit_code == 0, r.output
    assert "already there as kraska2018case" in r.output
    assert snapshot(root) == before
    assert len(apis.server.log) == seen  # known ids are recognized before any request


def test_add_existing_paper_to_another_topic_adds_only_the_reading(apis: FakeApis,
                                                                    tmp_path: Path) -> None:
    root = project(tmp_path)
    assert run(root, "add", LEARNED, "-c", "c1", "-t", "learned").exit_code == 0
    bibs = {k: v for k, v in snapshot(root).items() if k.endswith(".bib")}
    r = run(root, "add", "arXiv:1712.01208", "-c", "c1", "-t", "t1")
    assert r.exit_code == 0, r.output
    assert "already in bib/ as kraska2018case" in r.output
    assert {k: v for k, v in snapshot(root).items() if k.endswith(".bib")} == bibs
    assert db_rows(root, "SELECT count(*) FROM readings WHERE paper_key = 'kraska2018case'") == [(2,)]


def test_offline_add_of_uncached_id_writes_nothing(apis: FakeApis, tmp_path: Path) -> None:
    root = project(tmp_path)
    before = snapshot(root)
    r = run(root, "add", "2104.12255", "-c", "c1", "-t", "learned", "--offline")
    assert r.exit_code == 1
    assert "not in the HTTP cache; run without --offline" in r.output
    assert snapshot(root) == before
    assert len(apis.server.log) == 0


def test_offline_add_from_cache_makes_no_request(apis: FakeApis, tmp_path: Path) -> None:
    root = project(tmp_path)
    assert run(root, "add", LEARNED, "-c", "c1", "-t", "learned", "--dry-run").exit_code == 0
    seen = len(apis.server.log)
    r = run(root, "add", LEARNED, "-c", "c1", "-t", "learned", "--offline")
    assert r.exit_code == 0, r.output
    assert len(apis.server.log) == seen
    assert "kraska2018case" in (root / "bib" / "c1.bib").read_text()


def test_offline_missing_secondary_sources_are_listed_exit_0(apis: FakeApis,
                                                            tmp_path: Path,
                                                            shared_data: Path) -> None:
    """arXiv answered from the cache, S2 never asked before: listed, entry written, status 0."""
    apis.shared = shared_data
    root = project(tmp_path)
    # fill the HTTP cache for arXiv only, as an earlier run restricted to arXiv would
    from readinglist.sources import make_http, make_sources

    http = make_http({"sources": {"intervals": {"localhost": 0.0}}}, root / ".readinglist",
                     offline=False)
    make_sources({}, root / ".readinglist", False, http=http)["arxiv"].lookup(["2104.12255"])
    http.close()
    seen = len(apis.server.log)
    r2 = run(root, "add", "2104.12255", "-c", "c1", "-t", "learned", "--offline")
    assert r2.exit_code == 0, r2.output
    assert "not resolved: semanticscholar" in r2.output
    assert len(apis.server.log) == seen
    bib = (root / "bib" / "c1.bib").read_text()
    assert "nguyen2021" in bib and "title = {0}" in bib


def test_unknown_topic_needs_create_topic(apis: FakeApis, tmp_path: Path) -> None:
    root = project(tmp_path)
    before = snapshot(root)
    r = run(root, "add", LEARNED, "-c", "c1", "-t", "indexes")
    assert r.exit_code == 1 and "--create-topic" in r.output
    assert snapshot(root) == before and len(apis.server.log) == 0
    r = run(root, "add", LEARNED, "-c", "c1", "-t", "indexes", "--create-topic",
            "--topic-title", "Learned indexes")
    assert r.exit_code == 0, r.output
    topics = (root / "topics.yaml").read_text()
    assert "- id: indexes\n        title: \"Learned indexes\"" in topics
    assert db_rows(root, "SELECT topic_id FROM readings WHERE paper_key='kraska2018case'") == [
        ("indexes",)]


def test_dry_run_prints_bibtex_and_diff_writes_nothing(apis: FakeApis, tmp_path: Path) -> None:
    root = project(tmp_path)
    before = snapshot(root)
    r = run(root, "add", LEARNED, "-c", "c1", "-t", "learned", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "@inproceedings{kraska2018case," in r.output
    assert "+          - paper: kraska2018case" in r.output
    assert "would be added" in r.output
    assert snapshot(root) == before
    assert not (root / ".readinglist" / "readinglist.db").exists()


def test_add_by_doi_and_by_proceedings_page(apis: FakeApis, tmp_path: Path) -> None:
    root = project(tmp_path)
    r = run(root, "add", f"https://dl.acm.org/doi/{LEARNED_DOI}", "-c", "c1", "-t", "learned")
    assert r.exit_code == 0, r.output
    bib = (root / "bib" / "c1.bib").read_text()
    assert "kraska2018case" in bib and "eprint = {1712.01208}" in bib  # arXiv id via S2
    page = apis.server.url_for("/pages/osdi21-qiao")
    r = run(root, "add", page, "-c", "c1", "-t", "learned")
    assert r.exit_code == 0, r.output
    bib = (root / "bib" / "c1.bib").read_text()
    assert "@inproceedings{qiao2021pollux," in bib
    assert "pages = {1--18}" in bib and "venue = {OSDI}" in bib


def test_add_by_title_below_threshold_writes_nothing(apis: FakeApis, tmp_path: Path) -> None:
    root = project(tmp_path)
    before = snapshot(root)
    r = run(root, "add", "A Completely Unknown Paper Title", "-c", "c1", "-t", "learned")
    assert r.exit_code == 1
    assert "no paper titled" in r.output
    assert snapshot(root) == before


def test_add_as_subprocess(apis: FakeApis, tmp_path: Path) -> None:
    root = project(tmp_path)
    env = {**os.environ, **apis.env(), "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(root), "add",
                           LEARNED, "-c", "c1", "-t", "learned"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "kraska2018case" in proc.stdout
    assert "kraska2018case" in (root / "bib" / "c1.bib").read_text()


def test_add_to_default_project_keeps_everything_else(apis: FakeApis, tmp_path: Path) -> None:
    root = copy_default(tmp_path / "default")
    before = (root / "topics.yaml").read_text()
    r = run(root, "add", "https://arxiv.org/abs/1712.01208", "-c", "cs294-sp22",
            "-t", "ml-for-systems")
    assert r.exit_code == 0 and "already there as kraska2018case" in r.output
    assert (root / "topics.yaml").read_text() == before


def test_add_to_topic_with_readings_inserts_lines_and_keeps_every_other_byte(
        apis: FakeApis, tmp_path: Path) -> None:
    root = project(tmp_path)
    r = run(root, "add", LEARNED, "-c", "c1", "-t", "t1", "--optional", "--claim", "SIGMOD’18",
            "--note", 'He said "hi": yes')
    assert r.exit_code == 0, r.output
    expected = TOPICS.replace(
        "            role: required   # keep me\n",
        "            role: required   # keep me\n"
        "          - paper: kraska2018case\n            role: optional\n"
        '            note: "He said \\"hi\\": yes"\n            claim: "SIGMOD’18"\n')
    assert (root / "topics.yaml").read_text(encoding="utf-8") == expected
    rows = db_rows(root, "SELECT paper_key, role, note, claim FROM readings WHERE topic_id='t1' "
                         "ORDER BY position")
    assert rows[-1] == ("kraska2018case", "optional", 'He said "hi": yes', "SIGMOD’18")


def test_fast_path_database_equals_a_full_rebuild(apis: FakeApis, tmp_path: Path) -> None:
    root = copy_default(tmp_path / "default")
    apis.synthetic = True
    r = run(root, "add", "2104.00042", "-c", "cs294-sp22", "-t", "ml-for-systems")
    assert r.exit_code == 0, r.output

    def dump() -> list[str]:
        conn = sqlite3.connect(root / ".readinglist" / "readinglist.db")
        try:
            return [line for line in conn.iterdump() if "papers_fts" not in line]
        finally:
            conn.close()

    fast = dump()
    assert any("lovelace2021synthetic" in line for line in fast)
    (root / ".readinglist" / "readinglist.db").unlink()
    assert run(root, "build", "-q").exit_code == 0
    assert dump() == fast
