"""arXiv through the `arxiv` package, with every fetch going through our `HttpClient`.

`arxiv.Client` builds the query URLs (`query_url_format` points it at the endpoint) and its
feed parser turns the Atom XML into `arxiv.Result`s. The fetch itself is ours: arxiv 4.x has no
timeout, ignores `Retry-After`, keeps its rate state per instance and reports an `Error` entry,
`Rate exceeded.`, an HTML page or a truncated feed as "0 results" (notes/traps.md section 1).
Here the body is first checked with a strict, entity-free XML parse; arXiv `Error` entries
become `InvalidArxivId`, anything else unusable a `FetchError`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

import arxiv
import requests
from arxiv import _feed as arxiv_feed  # the package's own lxml Atom parser
from lxml import etree

from readinglist.errors import FetchError, InvalidArxivId
from readinglist.sources.base import (
    Record,
    collapse_ws,
    format_authors,
    normalize_title,
    split_name,
)
from readinglist.sources.http import HttpClient, host_of

__all__ = ["ArxivSource", "DEFAULT_ARXIV_URL", "BATCH_SIZE", "canonical_arxiv_id"]

DEFAULT_ARXIV_URL = "https://export.arxiv.org/api/query?{}"
BATCH_SIZE = 100
"""Ids per `id_list` request (arXiv allows up to 2000 results per request; 100 keeps URLs short)."""

_ATOM = "{http://www.w3.org/2005/Atom}"
_NEW_ID = re.compile(r"^(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<num>\d{4,5})(?:v(?P<v>\d+))?$")
_OLD_ID = re.compile(
    r"^(?P<arch>[a-z]+(?:-[a-z]+)?)(?:\.(?P<sc>[A-Z]{2}))?/(?P<yymm>\d{4})(?P<num>\d{3})"
    r"(?:v(?P<v>\d+))?$"
)
_PREFIX = re.compile(
    r"^(?:arxiv:|https?://(?:export\.|www\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE
)


def canonical_arxiv_id(raw: str) -> tuple[str, int | None]:
    """(`base id`, version or None) for an arXiv id, `arXiv:` prefix or abs/pdf URL.

    >>> canonical_arxiv_id("https://arxiv.org/pdf/2104.04473v2.pdf")
    ('2104.04473', 2)
    >>> canonical_arxiv_id("hep-th/9901001")
    ('hep-th/9901001', None)

    Raises `InvalidArxivId` naming the input for anything else (`2101.0001`, `0613.0001`).
    """
    text = _PREFIX.sub("", raw.strip())
    text = re.sub(r"\.pdf$", "", text)
    m = _NEW_ID.match(text)
    if m:
        yy, mm, num = int(m["yy"]), int(m["mm"]), m["num"]
        ok = 1 <= mm <= 12 and (yy, mm) >= (7, 4) and len(num) == (4 if yy < 15 else 5)
        if ok:
            return f"{m['yy']}{m['mm']}.{num}", int(m["v"]) if m["v"] else None
    m = _OLD_ID.match(text)
    if m and 1 <= int(m["yymm"][2:]) <= 12:
        base = f"{m['arch']}{'.' + m['sc'] if m['sc'] else ''}/{m['yymm']}{m['num']}"
        return base, int(m["v"]) if m["v"] else None
    raise InvalidArxivId(raw, f"{raw!r} is not an arXiv identifier (expected e.g. 2104.04473, "
                              "2104.04473v2 or hep-th/9901001); check the id")


def _check_atom(resp: requests.Response) -> str | None:
    """Why a 200 body is not a usable arXiv Atom feed, or None if it is."""
    body = resp.content
    if not body.strip():
        return "empty response body instead of an Atom feed"
    head = body.lstrip()[:200].lower()
    if body.strip() == b"Rate exceeded.":
        return "arXiv answered 'Rate exceeded.' (throttled)"
    if head.startswith((b"<!doctype html", b"<html")) or "html" in resp.headers.get(
        "Content-Type", ""
    ):
        return "an HTML page instead of an Atom feed"
    try:
        root = _strict_parse(body)
    except etree.XMLSyntaxError as err:
        return f"malformed or truncated XML ({err})"
    if root.tag != f"{_ATOM}feed":
        return f"not an Atom feed (root element {root.tag!r})"
    total = (root.findtext("{http://a9.com/-/spec/opensearch/1.1/}totalResults") or "0").strip()
    if total.isdigit() and int(total) > 0 and root.find(f"{_ATOM}entry") is None:
        return f"an empty page although arXiv reports {total} results (a known sporadic fault)"
    return None


def _strict_parse(body: bytes) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             recover=False, load_dtd=False)
    return etree.fromstring(body, parser=parser)


def _error_entries(root: Any) -> list[tuple[str, str]]:
    """(entry id, message) of arXiv `Error` entries (id under `/api/errors`)."""
    out = []
    for entry in root.iter(f"{_ATOM}entry"):
        eid = entry.findtext(f"{_ATOM}id") or ""
        if "/api/errors" in eid:
            out.append((eid, collapse_ws(entry.findtext(f"{_ATOM}summary") or "")))
    return out


class _ArxivClient(arxiv.Client):  # arxiv ships no type information: Any base
    """`arxiv.Client` whose fetches go through `HttpClient` (pacing, lock, timeout, cache)."""

    def __init__(self, http: HttpClient, query_url_format: str) -> None:
        super().__init__(page_size=BATCH_SIZE, delay_seconds=0.0, num_retries=0)
        self.query_url_format = query_url_format
        self._http = http

    def fetch(self, search: arxiv.Search, max_results: int) -> list[arxiv.Result]:
        """One request: the first `max_results` results of `search`."""
        url = self._format_url(search, 0, max_results)
        return list(self._parse_feed(url).results)

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> Any:
        resp = self._http.get(url, validate=_check_atom)
        if resp.status_code != 200:
            root = None
            try:
                root = _strict_parse(resp.content)
            except etree.XMLSyntaxError:
                pass
            if root is not None:
                _raise_errors(root, url)
            raise FetchError(url, f"{url}: HTTP {resp.status_code} from arXiv; check the query")
        root = _strict_parse(resp.content)
        _raise_errors(root, url)
        return arxiv_feed.parse(resp.content)


def _raise_errors(root: Any, url: str) -> None:
    errors = _error_entries(root)
    if not errors:
        return
    eid, message = errors[0]
    m = re.search(r"for (\S+)$", message)
    bad = m.group(1) if m else url
    raise InvalidArxivId(bad, f"arXiv rejected {bad!r}: {message}; fix or remove the id")


class ArxivSource:
    """arXiv API: batched `id_list` lookups (100 ids per request) and title search."""

    name = "arxiv"

    def __init__(self, http: HttpClient, url: str | None = None) -> None:
        url = url or os.environ.get("READINGLIST_ARXIV_URL") or DEFAULT_ARXIV_URL
        if "{}" not in url:
            url = url.rstrip("?") + "?{}"
        self.url = url
        self.http = http
        http.suggest_interval(host_of(url.replace("{}", "")), 3.0)
        self.client = _ArxivClient(http, url)

    def lookup(self, ids: Sequence[str]) -> dict[str, Record | None]:
        """Records by arXiv id (any accepted form); None for ids arXiv does not return.

        Raises `InvalidArxivId` for a malformed id (before any request) or one arXiv rejects.
        """
        wanted: dict[str, str] = {}  # requested id string -> raw id as given
        canon: dict[str, tuple[str, int | None]] = {}
        for raw in ids:
            base, version = canonical_arxiv_id(raw)
            canon[raw] = (base, version)
            wanted.setdefault(base if version is None else f"{base}v{version}", raw)
        found: dict[str, Record] = {}
        keys = list(wanted)
        for start in range(0, len(keys), BATCH_SIZE):
            batch = keys[start : start + BATCH_SIZE]
            search = arxiv.Search(id_list=batch, max_results=len(batch))
            for result in self.client.fetch(search, len(batch)):
                rec = _to_record(result)
                found.setdefault(rec.source_id, rec)
                found[f"{rec.source_id}v{rec.extra['version']}"] = rec
        out: dict[str, Record | None] = {}
        for raw in ids:
            base, version = canon[raw]
            out[raw] = found.get(base if version is None else f"{base}v{version}") or found.get(
                base
            )
        return out

    def search_title(self, title: str, authors: list[str] | None = None) -> list[Record]:
        """Up to 10 arXiv records whose title matches, best title match first."""
        from rapidfuzz import fuzz

        words = normalize_title(title)
        if not words:
            return []
        query = f'ti:"{words}"'
        if authors:
            last = re.sub(r"[^\w-]", "", split_name(authors[0])[0])
            if last:
                query += f" AND au:{last}"
        search = arxiv.Search(query=query, max_results=10)
        records = [_to_record(r) for r in self.client.fetch(search, 10)]
        records.sort(key=lambda r: -fuzz.ratio(words, normalize_title(r.fields["title"])))
        return records


def _to_record(result: Any) -> Record:
    short = result.get_short_id()  # e.g. 2104.12255v1 or hep-th/9901001v2
    m = re.match(r"^(.*?)v(\d+)$", short)
    base, version = (m.group(1), int(m.group(2))) if m else (short, 1)
    fields = {
        "title": collapse_ws(result.title),
        "author": format_authors([a.name for a in result.authors]),
        "year": str(result.published.year),
        "eprint": base,
        "archiveprefix": "arXiv",
        "primaryclass": result.primary_category,
        "venue": "arXiv",
        "url": f"https://arxiv.org/abs/{base}",
        "abstract": collapse_ws(result.summary),
    }
    if result.doi:
        fields["doi"] = collapse_ws(result.doi)
    extra: dict[str, Any] = {
        "version": version,
        "categories": list(result.categories),
        "published": result.published.date().isoformat(),
        "updated": result.updated.date().isoformat(),
    }
    if result.journal_ref:
        extra["journal_ref"] = collapse_ws(result.journal_ref)
    if result.comment:
        extra["comment"] = collapse_ws(result.comment)
    return Record(source="arxiv", source_id=base, fields={k: v for k, v in fields.items() if v},
                  extra=extra)
