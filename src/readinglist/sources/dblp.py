"""DBLP: title search (`/search/publ/api`) and records as BibTeX (`/rec/{key}.bib`).

DBLP answers overload with HTTP 429, an empty body and `Retry-After` (dblp.org/faq/1474706):
the shared client waits (capped) or raises `RateLimited`; an empty or non-JSON body is a
`FetchError`, never "0 hits". Homonym suffixes (`Wei Wang 0001`) are stripped from names.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from readinglist.errors import FetchError
from readinglist.sources.base import (
    Record,
    collapse_ws,
    format_authors,
    normalize_title,
    split_name,
)
from readinglist.sources.http import HttpClient, check_status, host_of, json_body

__all__ = ["DblpSource", "DEFAULT_DBLP_URL", "strip_homonym", "dblp_key_for"]

DEFAULT_DBLP_URL = "https://dblp.org"
_HOMONYM = re.compile(r"\s+\d{4}$")
_KEY = re.compile(r"^(?:DBLP:)?((?:conf|journals|books|phd|series|reference|tr|persons|"
                  r"informal|www)/[^\s]+)$")
_ARXIV_NEW = re.compile(r"^(?:arxiv:)?(\d{4})\.(\d{4,5})(?:v\d+)?$", re.IGNORECASE)


def strip_homonym(name: str) -> str:
    """`Wei Wang 0001` -> `Wei Wang` (DBLP's disambiguation number)."""
    return _HOMONYM.sub("", collapse_ws(name))


def dblp_key_for(identifier: str) -> str | None:
    """The DBLP key for a DBLP key (`DBLP:` prefix allowed) or a new-style arXiv id
    (CoRR: `2104.04473` -> `journals/corr/abs-2104-04473`); None otherwise (e.g. DOIs)."""
    ident = identifier.strip()
    m = _KEY.match(ident)
    if m:
        return m.group(1)
    m = _ARXIV_NEW.match(ident)
    if m:
        return f"journals/corr/abs-{m.group(1)}-{m.group(2)}"
    return None


def _unlatex(value: str) -> str:
    value = collapse_ws(value)
    value = re.sub(r"\\([_&%$#])", r"\1", value)
    return value


class DblpSource:
    """DBLP: canonical venue names, keys, and BibTeX of peer-reviewed versions."""

    name = "dblp"

    def __init__(self, http: HttpClient, url: str | None = None) -> None:
        self.url = (url or os.environ.get("READINGLIST_DBLP_URL") or DEFAULT_DBLP_URL).rstrip("/")
        self.http = http
        http.suggest_interval(host_of(self.url), 2.0)

    def lookup(self, ids: Sequence[str]) -> dict[str, Record | None]:
        """Records for DBLP keys and arXiv ids (via CoRR keys); None for unknown keys and DOIs."""
        out: dict[str, Record | None] = {}
        for ident in dict.fromkeys(ids):
            key = dblp_key_for(ident)
            out[ident] = self.record(key) if key else None
        return out

    def record(self, key: str) -> Record | None:
        """The record of one DBLP key from `/rec/{key}.bib`; None on 404."""
        resp = self.http.get(f"{self.url}/rec/{quote(key, safe='/:')}.bib")
        if resp.status_code == 404:
            return None
        check_status(resp, "DBLP")
        return parse_dblp_bibtex(resp.text, key, resp.url)

    def search_title(self, title: str, authors: list[str] | None = None) -> list[Record]:
        """Up to 10 DBLP hits for a title (+ first author's last name), closest title first."""
        from rapidfuzz import fuzz

        query = collapse_ws(title)
        if authors:
            query += " " + split_name(authors[0])[0]
        if not query.strip():
            return []
        resp = self.http.get(f"{self.url}/search/publ/api",
                             params={"q": query, "format": "json", "h": "10"})
        check_status(resp, "DBLP")
        data = json_body(resp)
        hits = (data.get("result") or {}).get("hits") if isinstance(data, dict) else None
        if not isinstance(hits, dict):
            raise FetchError(resp.url, f"{resp.url}: DBLP answered without a result list; "
                                       "try again later")
        raw = hits.get("hit") or []
        if isinstance(raw, dict):
            raw = [raw]
        records = [_hit_to_record(h.get("info") or {}) for h in raw if isinstance(h, dict)]
        want = normalize_title(title)
        records.sort(key=lambda r: -fuzz.ratio(want, normalize_title(r.fields.get("title", ""))))
        return records


def parse_dblp_bibtex(text: str, key: str, url: str = "") -> Record | None:
    """The Record of the entry `DBLP:<key>` in a DBLP BibTeX answer (first entry as fallback)."""
    import bibtexparser

    library = bibtexparser.parse_string(text)
    entries = library.entries
    if not entries:
        if text.strip():
            raise FetchError(url, f"{url}: DBLP BibTeX for {key} could not be parsed; "
                                  "try again later")
        return None
    entry = next((e for e in entries if e.key == f"DBLP:{key}"), entries[0])
    f = {fld.key.lower(): _unlatex(str(fld.value)) for fld in entry.fields}
    fields: dict[str, str] = {}
    for name in ("title", "year", "booktitle", "journal", "volume", "number", "pages",
                 "publisher", "doi", "url"):
        if f.get(name):
            fields[name] = f[name]
    if f.get("author"):
        fields["author"] = format_authors([strip_homonym(a) for a in
                                           re.split(r"\s+and\s+", f["author"])])
    if f.get("eprinttype", "").lower() == "arxiv" and f.get("eprint"):
        fields["eprint"] = f["eprint"]
        fields["archiveprefix"] = "arXiv"
    extra: dict[str, Any] = {"dblp": key, "entrytype": entry.entry_type.lower()}
    if f.get("crossref"):
        extra["crossref"] = f["crossref"]
    if f.get("biburl"):
        extra["biburl"] = f["biburl"]
    return Record(source="dblp", source_id=key, fields=fields, extra=extra)


def _hit_to_record(info: dict[str, Any]) -> Record:
    authors = (info.get("authors") or {}).get("author") or []
    if isinstance(authors, dict):
        authors = [authors]
    names = [strip_homonym(a.get("text", "") if isinstance(a, dict) else str(a))
             for a in authors]
    venue = info.get("venue") or ""
    if isinstance(venue, list):
        venue = venue[0] if venue else ""
    kind = str(info.get("type") or "")
    fields = {
        "title": re.sub(r"\.$", "", collapse_ws(str(info.get("title") or ""))),
        "author": format_authors([n for n in names if n]),
        "year": str(info.get("year") or ""),
        "venue": collapse_ws(str(venue)),
        "pages": re.sub(r"\s*-+\s*", "--", str(info.get("pages") or "")),
        "volume": str(info.get("volume") or ""),
        "doi": str(info.get("doi") or ""),
        "url": str(info.get("ee") or ""),
    }
    key = str(info.get("key") or "")
    extra = {"dblp": key, "type": kind, "dblp_url": info.get("url")}
    return Record(source="dblp", source_id=key, fields={k: v for k, v in fields.items() if v},
                  extra=extra)
