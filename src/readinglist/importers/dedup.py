"""An index over papers by identifier and title key: is an incoming record a paper we already hold?

Rules (in this order; the first that matches wins):
1. the same arXiv id (any form or version), 2. the same DOI, 3. the same OpenReview id or
proceedings-page id (USENIX, PMLR, NeurIPS, MLSys, ACL), 4. the same URL, 5. the same normalized
title with overlapping authors and years within one (a record without authors, as a syllabus link
gives, matches on the title alone). A title match is refused when both sides carry different DOIs
or different arXiv ids: distinct papers with equal titles stay distinct.

Lookups are dictionary hits, so indexing n papers and matching m records costs O(n + m).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from ..normalize.identifiers import classify_link, parse_arxiv_id, parse_doi, split_url
from ..normalize.names import ascii_fold, split_names
from ..normalize.titles import title_match_key

__all__ = ["DedupIndex", "Fingerprint", "fingerprint", "url_key"]


def url_key(url: str) -> str | None:
    """A URL reduced for equality: no scheme, no ``www.``, no trailing slash or ``index.html``."""
    u = url.strip()
    if not u or "://" not in u and not u.startswith("www."):
        return None
    host, path, query = split_url(u)
    host = host.removeprefix("www.")
    if not host:
        return None
    path = _INDEX_TAIL_RE.sub("", path)
    return host + path + (f"?{query}" if query else "")


@dataclass
class Fingerprint:
    """The identifying facts of one record."""

    arxiv: str | None = None
    doi: str | None = None
    link_ids: list[str] = field(default_factory=list)  # "openreview:ID", "usenix:...", "neurips:HASH"
    urls: list[str] = field(default_factory=list)
    title_key: str = ""
    author_field: str = ""  # the normalized author list; its `author_set` is made when first needed
    year: int | None = None
    authors: frozenset[str] | None = None  # `author_set`, once made (or given)

    def author_set(self) -> frozenset[str]:
        """`author_keys` of the author list: needed only when two titles match (rare), so not made
        for every record read."""
        if self.authors is None:
            self.authors = author_keys(self.author_field) if self.author_field else frozenset()
        return self.authors

    def __reduce__(self) -> tuple[type[Fingerprint], tuple[object, ...]]:
        # pickled as the constructor's arguments, not a state dict: a quarter less for the parent
        # to unpickle when workers send their fingerprints (`importers.bibtex.read_file`); the
        # author list is the record's own field, so it costs the pickle nothing
        return Fingerprint, (self.arxiv, self.doi, self.link_ids, self.urls, self.title_key, self.author_field,
                             self.year, self.authors)


_LATEX_CMD = re.compile(r"\\[A-Za-z]+\s*|\\.|[{}]")


def author_keys(author_field: str) -> frozenset[str]:
    """Folded last names of a ``Last, First and ...`` (or ``First Last``) list, for overlap tests.

    Cheap on purpose (no full name parsing): LaTeX commands and braces dropped, accents folded."""
    out = {_author_key(raw) for raw in split_names(author_field)}
    out.discard("")
    return frozenset(out)


@lru_cache(maxsize=1 << 16)
def _author_key(raw: str) -> str:
    if raw.lower() == "others":
        return ""
    last = raw.split(",", 1)[0] if "," in raw else raw.split()[-1] if raw.split() else ""
    return _NOT_AZ.sub("", ascii_fold(_LATEX_CMD.sub("", last)).lower())


_NOT_AZ = re.compile(r"[^a-z]")


_YEAR_RE = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")
_INDEX_TAIL_RE = re.compile(r"/(index\.html?)?$")


def _year(value: str | None) -> int | None:
    m = _YEAR_RE.search(value or "")
    return int(m.group(1)) if m else None


def fingerprint(fields: Mapping[str, str], extra_urls: list[str] | tuple[str, ...] = ()) -> Fingerprint:
    """Identifiers of an entry (normalized field dict) and of any extra links (a syllabus link).

    Besides `url`, an entry's `links` field (other URLs of the same work, e.g. the author PDF
    a syllabus links to) is indexed, so a page that links a different version still matches.
    """
    fp = Fingerprint()
    eprint = fields.get("eprint")
    if eprint and (fields.get("archiveprefix", "arXiv").lower() == "arxiv"):
        a = parse_arxiv_id(eprint)
        fp.arxiv = a.canonical if a else None
    doi = fields.get("doi")
    if doi:
        d = parse_doi(doi)
        if d and d.startswith("10.48550/"):
            a = parse_arxiv_id(d)
            fp.arxiv = fp.arxiv or (a.canonical if a else None)
        else:
            fp.doi = d
    links = (fields.get("links") or "").replace(",", " ").split()
    for u in [fields.get("url") or "", *links, *extra_urls]:
        if not u:
            continue
        info = classify_link(u)
        if info.kind == "arxiv" and info.id:
            fp.arxiv = fp.arxiv or info.id
        elif info.kind == "doi" and info.id:
            fp.doi = fp.doi or info.id
        elif info.kind == "openreview" and info.id:
            fp.link_ids.append(f"openreview:{info.id}")
        elif info.kind in ("usenix", "pmlr", "neurips", "mlsys", "acl") and info.id:
            fp.link_ids.append(f"{info.kind}:{info.id.lower()}")
        k = url_key(u)
        if k:
            fp.urls.append(k)
    if fields.get("title"):
        fp.title_key = title_match_key(fields["title"])
    fp.author_field = fields.get("author") or ""
    fp.year = _year(fields.get("year")) or _year(fields.get("date"))
    return fp


def _titles_agree(a: str, b: str) -> bool:
    """Whether two title keys can name the same work found at one URL: one missing (a syllabus
    link without a title), or both starting with the same two words (one word if either has only
    one): the system or topic a title names first ("Roofline: An Insightful Visual Performance
    Model for Multicore Architectures" and its technical report's longer title; "Horovod" and
    "Horovod: fast and easy ..."). A shared URL alone does not make two works one: an awesome list
    cites a project's repository for the project and for a work built on it."""
    if not a or not b:
        return True
    wa, wb = a.split(), b.split()
    n = min(2, len(wa), len(wb))
    return wa[:n] == wb[:n]


class DedupIndex:
    """Papers indexed by arXiv id, DOI, link id, URL and title key."""

    def __init__(self) -> None:
        self.by_arxiv: dict[str, str] = {}
        self.by_doi: dict[str, str] = {}
        self.by_link: dict[str, str] = {}
        self.by_url: dict[str, str] = {}
        self.by_title: dict[str, list[str]] = {}
        self.prints: dict[str, Fingerprint] = {}

    def __len__(self) -> int:
        return len(self.prints)

    def add(self, key: str, fp: Fingerprint) -> None:
        """Index `key` (adding to what is known about it if already indexed)."""
        old = self.prints.get(key)
        if old is not None:
            fp = Fingerprint(
                arxiv=old.arxiv or fp.arxiv, doi=old.doi or fp.doi,
                link_ids=old.link_ids + [x for x in fp.link_ids if x not in old.link_ids],
                urls=old.urls + [x for x in fp.urls if x not in old.urls],
                title_key=old.title_key or fp.title_key, author_field=old.author_field or fp.author_field,
                year=old.year or fp.year, authors=old.author_set() | fp.author_set(),
            )
        self.prints[key] = fp
        if fp.arxiv:
            self.by_arxiv.setdefault(fp.arxiv, key)
        if fp.doi:
            self.by_doi.setdefault(fp.doi, key)
        for lid in fp.link_ids:
            self.by_link.setdefault(lid, key)
        for u in fp.urls:
            self.by_url.setdefault(u, key)
        if fp.title_key:
            keys = self.by_title.setdefault(fp.title_key, [])
            if key not in keys:
                keys.append(key)

    def match(self, fp: Fingerprint) -> tuple[str, str] | None:
        """(key, reason) of the paper `fp` is, or None."""
        if fp.arxiv and fp.arxiv in self.by_arxiv:
            return self.by_arxiv[fp.arxiv], f"arXiv id {fp.arxiv}"
        if fp.doi and fp.doi in self.by_doi:
            return self.by_doi[fp.doi], f"DOI {fp.doi}"
        for lid in fp.link_ids:
            if lid in self.by_link:
                return self.by_link[lid], f"{lid.split(':', 1)[0]} id {lid.split(':', 1)[1]}"
        for u in fp.urls:
            if u in self.by_url and _titles_agree(fp.title_key, self.prints[self.by_url[u]].title_key):
                return self.by_url[u], f"URL {u}"
        if fp.title_key:
            for key in self.by_title.get(fp.title_key, []):
                other = self.prints[key]
                if fp.doi and other.doi and fp.doi != other.doi:
                    continue
                if fp.arxiv and other.arxiv and fp.arxiv != other.arxiv:
                    continue
                mine, theirs = fp.author_set(), other.author_set()
                if mine and theirs and not (mine & theirs):
                    continue
                if fp.year and other.year and abs(fp.year - other.year) > 1:
                    continue
                return key, "same title" + (", overlapping authors" if mine and theirs else "") + (
                    ", year within one" if fp.year and other.year else "")
        return None
