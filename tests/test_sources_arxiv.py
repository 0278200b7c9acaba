"""ArxivSource against a local server serving recorded arXiv Atom XML and hand-made faults."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from readinglist.errors import FetchError, InvalidArxivId
from readinglist.sources.arxiv_source import ArxivSource, canonical_arxiv_id
from readinglist.sources.http import HttpClient

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
ATOM = "application/atom+xml; charset=utf-8"


def make(httpserver: HTTPServer, tmp_path: Path, **kw: object) -> ArxivSource:
    # the source suggests arXiv's 3 s for its host; tests configure the host explicitly
    opts: dict = {"intervals": {"localhost": 0.0}, "backoff_base": 0.01, "read_timeout": 2.0}
    opts.update(kw)
    http = HttpClient(tmp_path / "cache" / "http-cache.sqlite", **opts)
    return ArxivSource(http, httpserver.url_for("/api/query") + "?{}")


def recorded(shared_data: Path, name: str) -> bytes:
    return (shared_data / "api" / "arxiv" / "atom-xml-extracted" / name).read_bytes()


def test_lookup_maps_recorded_entry(httpserver: HTTPServer, tmp_path: Path,
                                    shared_data: Path) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        recorded(shared_data, "id_2104.12255v1_s0_m100_6ae69987ffe1.xml"), content_type=ATOM)
    src = make(httpserver, tmp_path)
    rec = src.lookup(["arXiv:2104.12255v1"])["arXiv:2104.12255v1"]
    assert rec is not None
    assert rec.source == "arxiv" and rec.source_id == "2104.12255"
    assert rec.fields["title"] == "0"
    assert rec.fields["author"] == "Nguyen, Quan Thoi Minh"
    assert rec.fields["year"] == "2021"
    assert rec.fields["eprint"] == "2104.12255"
    assert rec.fields["primaryclass"] == "cs.CR"
    assert rec.fields["archiveprefix"] == "arXiv"
    assert rec.fields["url"] == "https://arxiv.org/abs/2104.12255"
    assert rec.fields["abstract"].startswith("What is the funniest number")
    assert rec.extra["version"] == 1 and rec.extra["categories"] == ["cs.CR"]
    query = parse_qs(httpserver.log[0][0].query_string.decode())
    assert query["id_list"] == ["2104.12255v1"]


def test_missing_ids_are_none_and_old_style_ids_work(httpserver: HTTPServer, tmp_path: Path,
                                                      shared_data: Path) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        recorded(shared_data, "id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.xml"),
        content_type=ATOM)
    got = make(httpserver, tmp_path).lookup(["1707.08567", "2104.04473"])
    assert got["2104.04473"] is None
    rec = got["1707.08567"]
    assert rec is not None and "de With, Peter H. N." in rec.fields["author"]
    assert len(httpserver.log) == 1


def test_old_style_id_with_journal_ref(httpserver: HTTPServer, tmp_path: Path,
                                               shared_data: Path) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        recorded(shared_data, "id_astro-ph_0601001_s0_m100_3150dca9dc76.xml"), content_type=ATOM)
    rec = make(httpserver, tmp_path).lookup(["astro-ph/0601001"])["astro-ph/0601001"]
    assert rec is not None and rec.source_id == "astro-ph/0601001"
    assert rec.extra["journal_ref"] == "ActaAstron.56:1-50,2006"
    assert rec.fields["url"] == "https://arxiv.org/abs/astro-ph/0601001"


def _echo_feed(request: Request) -> Response:
    """A feed with one entry per requested id (shape of the recorded ones)."""
    ids = request.args["id_list"].split(",")
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/{i}v2</id><updated>2021-04-20T16:07:14Z</updated>"
        f"<published>2021-04-09T17:59:02Z</published><title>Paper\n  {i}</title>"
        f"<summary>s</summary><author><name>Ada Lovelace</name></author>"
        f'<arxiv:primary_category term="cs.DC"/><category term="cs.DC"/></entry>'
        for i in ids)
    body = ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
            f"<opensearch:totalResults>{len(ids)}</opensearch:totalResults>{entries}</feed>")
    return Response(body, content_type=ATOM)


def test_250_ids_take_3_requests_then_0_from_cache(httpserver: HTTPServer,
                                                    tmp_path: Path) -> None:
    httpserver.expect_request("/api/query").respond_with_handler(_echo_feed)
    ids = [f"2104.{n:05d}" for n in range(1, 251)]
    got = make(httpserver, tmp_path).lookup(ids)
    assert len(httpserver.log) == 3
    assert all(got[i] is not None for i in ids)
    rec = got["2104.00042"]
    assert rec is not None and rec.fields["title"] == "Paper 2104.00042"
    assert rec.extra["version"] == 2
    sizes = [len(r.args["id_list"].split(",")) for r, _ in httpserver.log]
    assert sizes == [100, 100, 50]
    again = make(httpserver, tmp_path)
    assert again.lookup(ids) == got
    assert again.http.requests_made == 0 and len(httpserver.log) == 3


def test_offline_miss_is_clear(httpserver: HTTPServer, tmp_path: Path) -> None:
    src = make(httpserver, tmp_path, offline=True)
    with pytest.raises(FetchError, match="not in the HTTP cache; run without --offline"):
        src.lookup(["2104.04473"])
    assert len(httpserver.log) == 0


def test_error_entry_raises_invalid_id(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        (FIXTURES / "arxiv_error_entry.xml").read_bytes(), content_type=ATOM)
    with pytest.raises(InvalidArxivId, match=r"'2104\.99999': incorrect id format") as e:
        make(httpserver, tmp_path).lookup(["2104.99999"])
    assert e.value.arxiv_id == "2104.99999"


def test_recorded_400_error_entry(httpserver: HTTPServer, tmp_path: Path,
                                  shared_data: Path) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        recorded(shared_data, "id_abc_s0_m100_b79c8dcf6bc3.xml"), status=400, content_type=ATOM)
    with pytest.raises(InvalidArxivId, match="incorrect id format for abc"):
        make(httpserver, tmp_path).lookup(["2104.04473"])
    assert len(httpserver.log) == 1  # 400 is not retried


TRUNCATED = _echo_feed(Request.from_values("/?id_list=2104.00001")).get_data()[:-40]


@pytest.mark.parametrize(("body", "content_type", "message"), [
    pytest.param(b"Rate exceeded.", "text/plain", "Rate exceeded", id="rate_exceeded_text"),
    pytest.param(b"<!DOCTYPE html><html><body>Oops</body></html>", "text/html", "HTML page",
                 id="html_page"),
    pytest.param(TRUNCATED, ATOM, "truncated XML", id="truncated_xml"),
    pytest.param(b"", ATOM, "empty response body", id="empty_body"),
    pytest.param(b"<rss/>", "application/xml", "not an Atom feed", id="not_atom"),
    pytest.param(_echo_feed(Request.from_values("/?id_list=2104.00001")).get_data().replace(
        b"<entry>", b"<!--").replace(b"</entry>", b"-->"), ATOM,
        "empty page although arXiv reports 1 results", id="empty_page_with_total"),
])
def test_unusable_200_bodies_are_fetch_errors(httpserver: HTTPServer, tmp_path: Path,
                                              body: bytes, content_type: str,
                                              message: str) -> None:
    httpserver.expect_request("/api/query").respond_with_data(body, content_type=content_type)
    src = make(httpserver, tmp_path)
    for _ in range(2):  # never cached: the second call asks again
        with pytest.raises(FetchError, match=message):
            src.lookup(["2104.00001"])
    assert len(httpserver.log) == 2


def test_entity_expansion_is_off(httpserver: HTTPServer, tmp_path: Path) -> None:
    body = _echo_feed(Request.from_values("/?id_list=2104.00001")).get_data().replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    ).replace(b"<summary>s</summary>", b"<summary>&x;</summary>")
    httpserver.expect_request("/api/query").respond_with_data(body, content_type=ATOM)
    rec = make(httpserver, tmp_path).lookup(["2104.00001"])["2104.00001"]
    assert rec is not None and "root:" not in rec.fields.get("abstract", "")


def test_search_title_ranks_by_title(httpserver: HTTPServer, tmp_path: Path,
                                     shared_data: Path) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        recorded(shared_data, "q_testing_s0_m10_bc5a6c384fe9.xml"), content_type=ATOM)
    src = make(httpserver, tmp_path)
    found = src.search_title("Testing", ["Jane Doe"])
    assert len(found) == 10
    q = httpserver.log[0][0].args["search_query"]
    assert q == 'ti:"testing" AND au:Doe'


@pytest.mark.parametrize(("raw", "expected"), [
    pytest.param("2104.04473", ("2104.04473", None), id="new"),
    pytest.param("arXiv:2104.04473v3", ("2104.04473", 3), id="prefix_version"),
    pytest.param("https://arxiv.org/pdf/2104.04473v2.pdf", ("2104.04473", 2), id="pdf_url"),
    pytest.param("http://arxiv.org/abs/0704.0001", ("0704.0001", None), id="first_new_style"),
    pytest.param("hep-th/9901001v2", ("hep-th/9901001", 2), id="old_style"),
    pytest.param("math.GT/0309136", ("math.GT/0309136", None), id="old_with_subject_class"),
])
def test_canonical_ids(raw: str, expected: tuple[str, int | None]) -> None:
    assert canonical_arxiv_id(raw) == expected


@pytest.mark.parametrize("raw", [
    pytest.param("2101.0001", id="four_digits_after_2015"),
    pytest.param("0613.0001", id="month_13"),
    pytest.param("cond\u2014mat/0709123", id="em_dash"),
    pytest.param("0703.0001", id="before_0704"),
    pytest.param("1234.5678, 2104.04473", id="comma_injection"),
])
def test_bad_ids_rejected_before_any_request(httpserver: HTTPServer, tmp_path: Path,
                                             raw: str) -> None:
    with pytest.raises(InvalidArxivId, match="is not an arXiv identifier") as e:
        make(httpserver, tmp_path).lookup([raw])
    assert e.value.arxiv_id == raw and len(httpserver.log) == 0
