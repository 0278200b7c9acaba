"""Semantic Scholar Graph API: batched lookups (`POST /paper/batch`) and title match."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

from readinglist.errors import FetchError
from readinglist.sources.base import Record, collapse_ws, format_authors
from readinglist.sources.http import HttpClient, check_status, host_of, json_body

__all__ = ["SemanticScholarSource", "DEFAULT_S2_URL", "BATCH_SIZE", "s2_id"]

DEFAULT_S2_URL = "https://api.semanticscholar.org/graph/v1"
BATCH_SIZE = 500
"""The batch endpoint takes at most 500 ids per request."""
FIELDS = ("title,authors,year,venue,publicationVenue,externalIds,citationCount,journal,"
          "publicationDate,abstract")
BATCH_FIELDS = FIELDS + ",references.externalIds"

_PREFIXED = re.compile(r"^(DOI|ARXIV|CorpusId|DBLP|MAG|ACL|PMID|PMCID|URL):", re.IGNORECASE)


def s2_id(identifier: str) -> str:
    """The Graph API form of an id: `10.x/y` -> `DOI:10.x/y`, `2104.04473` -> `ARXIV:2104.04473`;
    prefixed ids and 40-hex paperIds pass through."""
    ident = identifier.strip()
    if _PREFIXED.match(ident) or re.fullmatch(r"[0-9a-f]{40}", ident):
        return ident
    if ident.startswith("10."):
        return f"DOI:{ident}"
    base = re.sub(r"v\d+$", "", re.sub(r"^arxiv:", "", ident, flags=re.IGNORECASE))
    return f"ARXIV:{base}"


class SemanticScholarSource:
    """Semantic Scholar: citation counts, references and external ids (DOI, arXiv, DBLP)."""

    name = "semanticscholar"

    def __init__(self, http: HttpClient, url: str | None = None, api_key: str | None = None
                 ) -> None:
        self.url = (url or os.environ.get("READINGLIST_S2_URL") or DEFAULT_S2_URL).rstrip("/")
        self.http = http
        self.api_key = api_key or os.environ.get("READINGLIST_S2_API_KEY")
        http.suggest_interval(host_of(self.url), 1.0)

    @property
    def _headers(self) -> dict[str, str]:
        return {"x-api-key": self.api_key} if self.api_key else {}

    def lookup(self, ids: Sequence[str]) -> dict[str, Record | None]:
        """Records for arXiv ids / DOIs (or any S2 id form); None where S2 answers `null`."""
        out: dict[str, Record | None] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), BATCH_SIZE):
            batch = unique[start : start + BATCH_SIZE]
            resp = self.http.post(f"{self.url}/paper/batch", params={"fields": BATCH_FIELDS},
                                  json={"ids": [s2_id(i) for i in batch]},
                                  headers=self._headers)
            check_status(resp, "Semantic Scholar")
            data = json_body(resp)
            if not isinstance(data, list) or len(data) != len(batch):
                raise FetchError(resp.url, f"{resp.url}: expected a list of {len(batch)} papers "
                                           "from Semantic Scholar, got something else; try again")
            for ident, paper in zip(batch, data, strict=True):
                out[ident] = _to_record(paper) if isinstance(paper, dict) else None
        return out

    def search_title(self, title: str, authors: list[str] | None = None) -> list[Record]:
        """The best title match (`/paper/search/match`), or [] when S2 has none."""
        query = collapse_ws(title)
        if not query:
            return []
        resp = self.http.get(f"{self.url}/paper/search/match",
                             params={"query": query, "fields": FIELDS}, headers=self._headers)
        if resp.status_code == 404:  # {"error": "Title match not found"}
            return []
        check_status(resp, "Semantic Scholar")
        data = json_body(resp)
        return [_to_record(p) for p in data.get("data") or [] if isinstance(p, dict)]


def _ref_id(ext: dict[str, Any] | None, paper_id: str | None) -> str | None:
    ext = ext or {}
    if ext.get("DOI"):
        return f"doi:{ext['DOI'].lower()}"
    if ext.get("ArXiv"):
        return f"arxiv:{ext['ArXiv']}"
    return f"s2:{paper_id}" if paper_id else None


def _to_record(paper: dict[str, Any]) -> Record:
    ext = paper.get("externalIds") or {}
    fields: dict[str, str] = {}
    if paper.get("title"):
        fields["title"] = collapse_ws(paper["title"])
    names = [a.get("name") or "" for a in paper.get("authors") or []]
    if any(names):
        fields["author"] = format_authors([n for n in names if n])
    if paper.get("year"):
        fields["year"] = str(paper["year"])
    pv = paper.get("publicationVenue") or {}
    venue_name = pv.get("name") or paper.get("venue")
    if venue_name:
        kind = (pv.get("type") or "").lower()
        fields["journal" if kind == "journal" else "booktitle"] = collapse_ws(venue_name)
    if ext.get("DOI"):
        fields["doi"] = ext["DOI"]
    if ext.get("ArXiv"):
        fields["eprint"] = ext["ArXiv"]
        fields["archiveprefix"] = "arXiv"
    pages = (paper.get("journal") or {}).get("pages")
    if pages:
        fields["pages"] = re.sub(r"\s*-+\s*", "--", str(pages).strip())
    if paper.get("abstract"):
        fields["abstract"] = collapse_ws(paper["abstract"])
    extra: dict[str, Any] = {"s2": paper.get("paperId")}
    if paper.get("citationCount") is not None:
        extra["citation_count"] = paper["citationCount"]
    if ext.get("DBLP"):
        extra["dblp"] = ext["DBLP"]
    if ext.get("CorpusId") is not None:
        extra["corpus_id"] = ext["CorpusId"]
    if pv.get("alternate_names"):
        extra["venue_alternate_names"] = list(pv["alternate_names"])
    if paper.get("references") is not None:
        refs = [_ref_id(r.get("externalIds"), r.get("paperId"))
                for r in paper["references"] if isinstance(r, dict)]
        extra["references"] = [r for r in refs if r]
    return Record(source="semanticscholar", source_id=str(paper.get("paperId") or ""),
                  fields=fields, extra=extra)
