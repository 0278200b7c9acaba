"""Semantic Scholar, Crossref and DBLP sources against a local server (recorded + made faults)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from ruamel.yaml import YAML

from readinglist.errors import FetchError, NotFound, RateLimited
from readinglist.sources.crossref import CrossrefSource, markup_to_text
from readinglist.sources.dblp import DblpSource, dblp_key_for, strip_homonym
from readinglist.sources.http import HttpClient
from readinglist.sources.semanticscholar import SemanticScholarSource, s2_id

FIXTURES = Path(__file__).parent / "fixtures" / "sources"


def http_client(tmp_path: Path, **kw: Any) -> HttpClient:
    opts: dict[str, Any] = {"intervals": {"localhost": 0.0}, "backoff_base": 0.01,
                            "read_timeout": 2.0}
    opts.update(kw)
    return HttpClient(tmp_path / "cache" / "http-cache.sqlite", **opts)


def cassette(path: Path) -> list[dict[str, Any]]:
    """The interactions of a VCR.py cassette (plain-string bodies only)."""
    return YAML(typ="safe").load(path.read_text())["interactions"]


# -- Semantic Scholar -------------------------------------------------------------------------

def test_s2_batch_with_null_entries(httpserver: HTTPServer, tmp_path: Path,
                                    shared_data: Path) -> None:
    rec = cassette(shared_data / "api/semantic-scholar/semanticscholar-py/"
                                 "test_get_papers_not_found_warning.yaml")[0]
    asked = json.loads(rec["request"]["body"])["ids"]
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_data(
        rec["response"]["body"]["string"], content_type="application/json")
    src = SemanticScholarSource(http_client(tmp_path), httpserver.url_for("/graph/v1"),
                                api_key="k123")
    got = src.lookup(asked)
    assert got[asked[0]] is None  # null in the batch answer
    found = [r for r in got.values() if r is not None]
    assert len(found) == 3
    one = got["10.2139/ssrn.2250500"]
    assert one is not None and one.source == "semanticscholar" and one.fields["title"]
    assert one.extra["s2"] == one.source_id
    req = httpserver.log[0][0]
    assert json.loads(req.data)["ids"] == ["CorpusId:211530585", "CorpusId:470667",
                                            "DOI:10.2139/ssrn.2250500",
                                            "0f40b1f08821e22e859c6050916cec3667778613"]
    assert req.headers["x-api-key"] == "k123"
    assert "citationCount" in req.args["fields"]
    # POST answers are cached by body: the same batch again costs no request
    again = SemanticScholarSource(http_client(tmp_path), httpserver.url_for("/graph/v1"))
    assert again.lookup(asked) == got and again.http.requests_made == 0
    # the recorded answer has 4 entries: for a 2-id batch that is an error, not a guess
    with pytest.raises(FetchError, match="expected a list of 2 papers"):
        again.lookup(asked[:2])


def test_s2_batches_500_ids(httpserver: HTTPServer, tmp_path: Path) -> None:
    def answer(request: Any) -> Any:
        from werkzeug import Response

        ids = json.loads(request.data)["ids"]
        papers = [None if n % 2 else {"paperId": f"p{n}", "title": i,
                                       "externalIds": {"ArXiv": i.split(":")[1]},
                                       "citationCount": n, "references": [
                                           {"paperId": "r1", "externalIds": {"DOI": "10.1/X"}},
                                           {"paperId": "r2", "externalIds": None}]}
                  for n, i in enumerate(ids)]
        return Response(json.dumps(papers), content_type="application/json")

    httpserver.expect_request("/paper/batch", method="POST").respond_with_handler(answer)
    ids = [f"2104.{n:05d}" for n in range(600)]
    got = SemanticScholarSource(http_client(tmp_path), httpserver.url_for("")).lookup(ids)
    assert len(httpserver.log) == 2
    assert sum(r is None for r in got.values()) == 300
    rec = got["2104.00000"]
    assert rec is not None and rec.fields["eprint"] == "2104.00000"
    assert rec.extra["references"] == ["doi:10.1/x", "s2:r2"]


def test_s2_title_match_and_no_match(httpserver: HTTPServer, tmp_path: Path,
                                     shared_data: Path) -> None:
    ok = cassette(shared_data / "api/mixed/paper-qa_test_arxiv_doi_is_used_when_available.yaml")
    s2 = next(i for i in ok if "semanticscholar" in i["request"]["uri"])
    httpserver.expect_request("/paper/search/match", query_string={
        "query": "Attention is All you Need",
        "fields": "title,authors,year,venue,publicationVenue,externalIds,citationCount,journal,"
                  "publicationDate,abstract"}).respond_with_data(
        s2["response"]["body"]["string"], content_type="application/json")
    httpserver.expect_request("/paper/search/match").respond_with_json(
        {"error": "Title match not found"}, status=404)
    src = SemanticScholarSource(http_client(tmp_path), httpserver.url_for(""))
    [rec] = src.search_title("Attention is All you Need")
    assert rec.fields["eprint"] == "1706.03762" and rec.extra["dblp"].startswith("journals/corr")
    assert rec.fields["author"].startswith("Vaswani, Ashish")
    assert rec.extra["citation_count"] > 1000 and rec.fields["pages"] == "5998--6008"
    assert src.search_title("abs12032jsdafn") == []


@pytest.mark.parametrize(("raw", "expected"), [
    pytest.param("2104.04473v2", "ARXIV:2104.04473", id="arxiv"),
    pytest.param("10.1145/3458817.3476209", "DOI:10.1145/3458817.3476209", id="doi"),
    pytest.param("CorpusId:470667", "CorpusId:470667", id="prefixed"),
])
def test_s2_id(raw: str, expected: str) -> None:
    assert s2_id(raw) == expected


# -- Crossref ---------------------------------------------------------------------------------

def test_crossref_work_and_mailto(httpserver: HTTPServer, tmp_path: Path,
                                  shared_data: Path) -> None:
    body = (shared_data / "api/crossref/decoded-from-habanero/test_works_with_one_id__0.json")
    httpserver.expect_request("/works/10.1371/journal.pone.0033693").respond_with_data(
        body.read_bytes(), content_type="application/json")
    src = CrossrefSource(http_client(tmp_path, mailto="prof@example.edu"),
                         httpserver.url_for(""))
    rec = src.lookup(["10.1371/journal.pone.0033693"])["10.1371/journal.pone.0033693"]
    assert rec is not None
    assert rec.fields["title"].startswith("Methylphenidate Exposure Induces")
    assert rec.fields["author"].startswith("Sadasivan, Shankar and Pond, Brooks B.")
    assert rec.fields["year"] == "2012" and rec.fields["journal"] == "PLoS ONE"
    assert rec.fields["doi"] == "10.1371/journal.pone.0033693"
    assert rec.extra["citation_count"] == 72 and len(rec.extra["references"]) > 10
    assert httpserver.log[0][0].args["mailto"] == "prof@example.edu"


def test_crossref_404_is_not_found_without_retry(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/works/10.9999/nope").respond_with_data("Resource not found.",
                                                                        status=404)
    src = CrossrefSource(http_client(tmp_path, mailto="m@example.org"), httpserver.url_for(""))
    with pytest.raises(NotFound, match="DOI not found in Crossref: 10.9999/nope"):
        src.work("10.9999/nope")
    assert src.lookup(["10.9999/nope", "2104.04473"]) == {"10.9999/nope": None,
                                                            "2104.04473": None}
    assert len(httpserver.log) == 1  # 404 cached, never retried; arXiv ids not asked
    assert all(r.args.get("mailto") == "m@example.org" for r, _ in httpserver.log)


def test_crossref_5xx_backs_off_then_succeeds(httpserver: HTTPServer, tmp_path: Path,
                                              shared_data: Path) -> None:
    body = (shared_data / "api/crossref/papis/test_2_abstract.json").read_bytes()
    httpserver.expect_oneshot_request("/works/10.32396/usurj.v1i1.55").respond_with_data(
        "", status=503)
    httpserver.expect_request("/works/10.32396/usurj.v1i1.55").respond_with_data(
        body, content_type="application/json")
    rec = CrossrefSource(http_client(tmp_path), httpserver.url_for("")).work(
        "10.32396/usurj.v1i1.55")
    assert "<" not in rec.fields["abstract"]
    assert rec.fields["abstract"].startswith("In the international community")
    assert len(httpserver.log) == 2


def test_crossref_title_search(httpserver: HTTPServer, tmp_path: Path, shared_data: Path) -> None:
    body = shared_data / "api/crossref/decoded-from-habanero/test_works_field_queries__0.json"
    httpserver.expect_request("/works").respond_with_data(body.read_bytes(),
                                                          content_type="application/json")
    src = CrossrefSource(http_client(tmp_path), httpserver.url_for(""))
    found = src.search_title("The role of AI in ecology's computational carbon footprint")
    assert found[0].fields["title"] == ("The role of AI in ecology’s computational carbon "
                                        "footprint")
    assert httpserver.log[0][0].args["query.bibliographic"].startswith("The role of AI")
    assert httpserver.log[0][0].args["rows"] == "5"


@pytest.mark.parametrize(("raw", "text"), [
    pytest.param("A <i>very</i> good title", "A very good title", id="html_italic"),
    pytest.param("<jats:title>Abstract</jats:title><jats:p>First.</jats:p><jats:p>Second"
                 "</jats:p>", "First. Second", id="jats_paragraphs"),
    pytest.param("x &lt;script&gt; y", "x <script> y", id="entities_become_text"),
    pytest.param("H<sub>2</sub>O", "H2O", id="subscript"),
])
def test_markup_to_text(raw: str, text: str) -> None:
    assert markup_to_text(raw) == text


# -- DBLP -------------------------------------------------------------------------------------

def test_dblp_record_bibtex(httpserver: HTTPServer, tmp_path: Path, shared_data: Path) -> None:
    httpserver.expect_request("/rec/conf/spire/BastMW06.bib").respond_with_data(
        (shared_data / "api/dblp/bibtex-dblp_standard.bib").read_bytes(),
        content_type="text/x-bibtex")
    src = DblpSource(http_client(tmp_path), httpserver.url_for(""))
    rec = src.lookup(["DBLP:conf/spire/BastMW06", "10.1/doi-not-supported"])
    assert rec["10.1/doi-not-supported"] is None
    r = rec["DBLP:conf/spire/BastMW06"]
    assert r is not None and r.source_id == "conf/spire/BastMW06"
    assert r.fields["author"] == "Bast, H. and Mortensen, Christian Worm and Weber, Ingmar"
    assert r.fields["doi"] == "10.1007/11880561_13" and r.fields["pages"] == "150--162"
    assert r.fields["booktitle"].startswith("String Processing and Information Retrieval")
    assert r.extra["entrytype"] == "inproceedings"


def test_dblp_search_and_homonyms(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/search/publ/api").respond_with_data(
        (FIXTURES / "dblp_search.json").read_bytes(), content_type="application/json")
    src = DblpSource(http_client(tmp_path), httpserver.url_for(""))
    found = src.search_title("Output-Sensitive Autocompletion Search", ["Holger Bast"])
    # equal titles: DBLP's own order is kept
    assert [r.source_id for r in found] == ["journals/ir/BastMW08", "conf/spire/BastMW06"]
    conf = found[1]
    assert conf.fields["venue"] == "SPIRE" and conf.fields["author"] == "Wang, Wei"
    assert conf.fields["title"] == "Output-Sensitive Autocompletion Search"
    assert found[0].fields["author"].startswith("Bast, Holger and Mortensen, Christian Worm")
    args = httpserver.log[0][0].args
    assert args["format"] == "json" and args["q"].endswith(" Bast")


def test_dblp_429_empty_body_waits_then_answers(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_oneshot_request("/search/publ/api").respond_with_data(
        "", status=429, headers={"Retry-After": "1"})
    httpserver.expect_request("/search/publ/api").respond_with_data(
        (FIXTURES / "dblp_search.json").read_bytes(), content_type="application/json")
    start = time.monotonic()
    found = DblpSource(http_client(tmp_path), httpserver.url_for("")).search_title("x y")
    assert len(found) == 2 and time.monotonic() - start >= 1.0


def test_dblp_429_long_wait_is_rate_limited_not_zero_hits(httpserver: HTTPServer,
                                                         tmp_path: Path) -> None:
    httpserver.expect_request("/search/publ/api").respond_with_data(
        "", status=429, headers={"Retry-After": "600"})
    with pytest.raises(RateLimited, match="retry after 600 s"):
        DblpSource(http_client(tmp_path), httpserver.url_for("")).search_title("x")


@pytest.mark.parametrize("body", [
    pytest.param("", id="empty_200"),
    pytest.param("<html>busy</html>", id="html_200"),
    pytest.param('{"result": {"status": {"@code": "500"}}}', id="no_hits_key"),
])
def test_dblp_unusable_answer_is_fetch_error(httpserver: HTTPServer, tmp_path: Path,
                                             body: str) -> None:
    httpserver.expect_request("/search/publ/api").respond_with_data(body)
    with pytest.raises(FetchError):
        DblpSource(http_client(tmp_path), httpserver.url_for("")).search_title("x")


@pytest.mark.parametrize(("raw", "key"), [
    pytest.param("DBLP:conf/sc/NarayananSCLPKV21", "conf/sc/NarayananSCLPKV21", id="prefixed"),
    pytest.param("2104.04473v1", "journals/corr/abs-2104-04473", id="arxiv_corr"),
    pytest.param("10.1145/3458817.3476209", None, id="doi"),
])
def test_dblp_key_for(raw: str, key: str | None) -> None:
    assert dblp_key_for(raw) == key


def test_strip_homonym() -> None:
    assert strip_homonym("Wei Wang 0001") == "Wei Wang"
    assert strip_homonym("Jeff Dean") == "Jeff Dean"
