"""Crossref REST API: works by DOI and bibliographic title queries (polite pool via `mailto`)."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from readinglist.errors import NotFound
from readinglist.sources.base import Record, collapse_ws, normalize_title
from readinglist.sources.http import HttpClient, check_status, host_of, json_body

__all__ = ["CrossrefSource", "DEFAULT_CROSSREF_URL", "markup_to_text"]

DEFAULT_CROSSREF_URL = "https://api.crossref.org"

_BLOCK = re.compile(r"</?(?:jats:)?(?:p|sec|title|list|list-item|break|br)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")


def markup_to_text(text: str) -> str:
    """Plain text from Crossref titles/abstracts carrying HTML (`<i>`) or JATS (`<jats:p>`).

    >>> markup_to_text("<jats:title>Abstract</jats:title><jats:p>The <i>E. coli</i> &amp; us</jats:p>")
    'The E. coli & us'
    """
    text = re.sub(r"^\s*<jats:title>\s*Abstract\s*</jats:title>", "", text, flags=re.I)
    text = _BLOCK.sub(" ", text)
    text = _TAG.sub("", text)
    return collapse_ws(html.unescape(text))


class CrossrefSource:
    """Crossref: publisher metadata by DOI; title search via `query.bibliographic`."""

    name = "crossref"

    def __init__(self, http: HttpClient, url: str | None = None) -> None:
        self.url = (url or os.environ.get("READINGLIST_CROSSREF_URL")
                    or DEFAULT_CROSSREF_URL).rstrip("/")
        self.http = http
        http.suggest_interval(host_of(self.url), 0.2)

    def _params(self, **extra: str) -> dict[str, str]:
        params = dict(extra)
        if self.http.mailto:
            params["mailto"] = self.http.mailto
        return params

    def work(self, doi: str) -> Record:
        """The record of one DOI; `NotFound` ("DOI not found") on 404, never retried."""
        url = f"{self.url}/works/{quote(doi.strip(), safe='/')}"
        resp = self.http.get(url, params=self._params())
        if resp.status_code == 404:
            raise NotFound(doi, f"DOI not found in Crossref: {doi} ({url}); check the DOI "
                                "(DataCite DOIs such as arXiv's 10.48550/... are not in Crossref)")
        check_status(resp, "Crossref")
        return _to_record(json_body(resp).get("message") or {})

    def lookup(self, ids: Sequence[str]) -> dict[str, Record | None]:
        """Records for DOIs (one request each); None for unknown DOIs (404) and non-DOIs."""
        out: dict[str, Record | None] = {}
        for ident in dict.fromkeys(ids):
            if not ident.strip().startswith("10."):
                out[ident] = None
                continue
            try:
                out[ident] = self.work(ident)
            except NotFound:
                out[ident] = None
        return out

    def search_title(self, title: str, authors: list[str] | None = None) -> list[Record]:
        """Up to 5 works for `title` (+ authors), closest title first."""
        from rapidfuzz import fuzz

        query = collapse_ws(" ".join([title, *(authors or [])]))
        if not query:
            return []
        resp = self.http.get(f"{self.url}/works",
                             params=self._params(**{"query.bibliographic": query, "rows": "5"}))
        check_status(resp, "Crossref")
        items = (json_body(resp).get("message") or {}).get("items") or []
        records = [_to_record(it) for it in items if isinstance(it, dict)]
        want = normalize_title(title)
        records.sort(key=lambda r: -fuzz.ratio(want, normalize_title(r.fields.get("title", ""))))
        return records


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "")


def _year(msg: dict[str, Any]) -> str:
    for key in ("issued", "published-print", "published-online", "published", "created"):
        parts = (msg.get(key) or {}).get("date-parts") or []
        if parts and parts[0] and parts[0][0]:
            return str(parts[0][0])
    return ""


def _authors(msg: dict[str, Any]) -> str:
    names = []
    for a in msg.get("author") or []:
        family, given = collapse_ws(a.get("family") or ""), collapse_ws(a.get("given") or "")
        if family:
            names.append(f"{family}, {given}" if given else family)
        elif a.get("name"):
            names.append("{" + collapse_ws(a["name"]) + "}")
    return " and ".join(names)


def _to_record(msg: dict[str, Any]) -> Record:
    doi = str(msg.get("DOI") or "")
    kind = str(msg.get("type") or "")
    fields = {
        "title": markup_to_text(_first(msg.get("title"))),
        "author": _authors(msg),
        "year": _year(msg),
        "doi": doi,
        "url": f"https://doi.org/{doi}" if doi else "",
        "pages": re.sub(r"\s*-+\s*", "--", _first(msg.get("page"))),
        "volume": _first(msg.get("volume")),
        "number": _first(msg.get("issue")),
        "publisher": collapse_ws(_first(msg.get("publisher"))),
        "abstract": markup_to_text(str(msg.get("abstract") or "")),
    }
    container = markup_to_text(_first(msg.get("container-title")))
    if container:
        fields["journal" if kind in ("journal-article", "journal") else "booktitle"] = container
    extra: dict[str, Any] = {"type": kind}
    if msg.get("is-referenced-by-count") is not None:
        extra["citation_count"] = msg["is-referenced-by-count"]
    short = _first(msg.get("short-container-title"))
    if short:
        extra["short_container_title"] = short
    refs = [f"doi:{r['DOI'].lower()}" for r in msg.get("reference") or []
            if isinstance(r, dict) and r.get("DOI")]
    if refs:
        extra["references"] = refs
    return Record(source="crossref", source_id=doi,
                  fields={k: v for k, v in fields.items() if v}, extra=extra)
