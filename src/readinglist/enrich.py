"""Metadata enrichment: resolve identifiers, merge source records under a policy, write back.

The merge policy (docs/enrich.md):

* **Per-field provenance** lives in the entry itself: ``fieldsource = {venue: dblp 2026-11-22;
  doi: crossref 2026-11-22}`` says which source set each field and when.
* **Curated fields are never overwritten**: the fields listed in ``curated = {title, venue}``,
  and by default every field present without a ``fieldsource`` record (someone typed it).
  One exception: a preprint's placeholder ``venue = {arXiv}`` and its year (and the entry type)
  may be upgraded to the peer-reviewed version found *by identifier*, unless listed in
  ``curated``; the upgrade is reported.
* **Identifiers over titles**: records found by arXiv id, DOI or DBLP key are merged; a record
  found by title search is merged only above `TITLE_THRESHOLD` similarity *and* with an author
  in common, otherwise it is reported as a candidate and not applied.
* **Conflicts** between sources (title, year, DOI, venue) and between a source and a curated
  value are reported, never silently resolved.

Library functions return data (`MergeResult`, `Resolution`, `EnrichReport`); the commands in
`readinglist.commands.add` print. This module imports nothing heavy at import time.
"""

from __future__ import annotations

import datetime as _dt
import html.parser
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import FetchError, NotFound, NotFoundError, Offline, ReadingListError, SourceError
from .normalize import (
    canonical_venue,
    classify_link,
    normalize_entry,
    parse_arxiv_id,
    parse_doi,
    parse_names,
    parse_venue_tag,
    title_match_key,
    title_similarity,
)
from .normalize.names import name_key

if TYPE_CHECKING:
    from .models import Catalog
    from .project import Project
    from .sources import Record, Source
    from .sources.http import HttpClient

__all__ = [
    "TITLE_THRESHOLD", "Candidate", "ClaimCheck", "Change", "Conflict", "EnrichReport", "Found",
    "MergeResult", "Resolution", "check_claims", "curated_fields", "enrich", "format_fieldsource",
    "merge", "parse_fieldsource", "parse_ident", "prepare_rewrite", "resolve", "rewrite_entries",
]

TITLE_THRESHOLD = 0.9
"""Minimum title similarity (0..1, `title_similarity`) for a title-search match to be applied."""

META_FIELDS = frozenset({"fieldsource", "curated", "provenance", "verification", "ids"})
"""Fields the merge manages itself (never taken from a source, never 'curated' by default)."""

PUBLISHED_FIELDS = ("booktitle", "journal", "venue", "year", "month", "doi", "pages", "volume",
                    "number", "publisher")
CONFLICT_FIELDS = ("title", "year", "doi", "venue")
UPGRADABLE = ("venue", "year")
"""Fields of a preprint an identifier-found published version may replace unless curated."""

# Which source wins a field (higher wins). A record that is not a peer-reviewed version (arXiv,
# DBLP's CoRR copy, S2 without venue) contributes its publication fields at priority 1.
_PRIORITY: dict[str, dict[str, int]] = {
    "published": {"localbib": 6, "crossref": 5, "dblp": 4, "semanticscholar": 3, "page": 2,
                  "arxiv": 1, "preprint": 1},
    "title": {"localbib": 6, "dblp": 5, "crossref": 4, "arxiv": 3, "page": 2,
              "semanticscholar": 1},
    "abstract": {"localbib": 6, "arxiv": 5, "crossref": 4, "semanticscholar": 3, "page": 2,
                 "dblp": 1},
    "eprint": {"localbib": 6, "arxiv": 5, "semanticscholar": 4, "dblp": 3, "page": 2,
               "crossref": 1},
}
_FIELD_GROUP = {**{f: "published" for f in PUBLISHED_FIELDS},
                "title": "title", "author": "title", "url": "title",
                "abstract": "abstract", "keywords": "abstract",
                "eprint": "eprint", "archiveprefix": "eprint", "primaryclass": "eprint"}
_TAKEN = frozenset(_FIELD_GROUP)
"""Fields a source may set (anything else a record carries is ignored)."""


def today() -> str:
    return _dt.date.today().isoformat()


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------


@dataclass
class Change:
    key: str
    field: str
    old: str | None
    new: str
    source: str


@dataclass
class Conflict:
    """Different values for one field: `values` maps a source (or `curated`) to its value."""

    key: str
    field: str
    values: dict[str, str]
    kept: str | None = None

    def describe(self) -> str:
        vals = "; ".join(f"{s}: {v}" for s, v in self.values.items())
        kept = f" (kept {self.kept})" if self.kept else ""
        return f"{self.key}: {self.field} differs: {vals}{kept}"


@dataclass
class Candidate:
    """A title-search hit that was not applied (too dissimilar or no author in common)."""

    key: str
    source: str
    source_id: str
    title: str
    similarity: float
    authors_overlap: bool
    reason: str

    def describe(self) -> str:
        return (f"{self.key}: candidate {self.source}:{self.source_id} {self.title!r} "
                f"(similarity {self.similarity:.2f}; {self.reason}) not applied")


@dataclass
class Found:
    """A record and how it was found: `by` is `id` or `title`."""

    record: Record
    by: str = "id"


@dataclass
class MergeResult:
    fields: dict[str, str]
    entry_type: str
    provenance: dict[str, tuple[str, str]]
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    published: str | None = None
    """Set when a preprint got its peer-reviewed version: `arXiv:X -> SIGMOD 2018 (doi ...)`."""


@dataclass
class ClaimCheck:
    """A syllabus claim (reading `claim`) that the paper's metadata does not support."""

    course: str
    topic: str
    key: str
    claim: str
    message: str


# ---------------------------------------------------------------------------------------------
# provenance fields
# ---------------------------------------------------------------------------------------------


def parse_fieldsource(value: str | None) -> dict[str, tuple[str, str]]:
    """``venue: dblp 2026-11-22; doi: crossref 2026-11-22`` -> {field: (source, date)}."""
    out: dict[str, tuple[str, str]] = {}
    for part in (value or "").split(";"):
        name, sep, rest = part.partition(":")
        if not sep:
            continue
        words = rest.split()
        if words:
            out[name.strip().lower()] = (words[0], words[1] if len(words) > 1 else "")
    return out


def format_fieldsource(prov: Mapping[str, tuple[str, str]]) -> str:
    """The inverse of `parse_fieldsource`, fields in a stable (sorted) order."""
    return "; ".join(f"{f}: {s} {d}".rstrip() for f, (s, d) in sorted(prov.items()))


def explicit_curated(fields: Mapping[str, str]) -> set[str]:
    return {w.strip().lower() for w in re.split(r"[,;\s]+", fields.get("curated", "")) if w.strip()}


def curated_fields(fields: Mapping[str, str]) -> set[str]:
    """Fields the merge never overwrites: those listed in `curated`, plus every field present
    without a `fieldsource` record (the default: a person wrote it)."""
    prov = parse_fieldsource(fields.get("fieldsource"))
    implicit = {f for f, v in fields.items() if v and f not in prov and f not in META_FIELDS}
    return explicit_curated(fields) | implicit


# ---------------------------------------------------------------------------------------------
# comparing values
# ---------------------------------------------------------------------------------------------


def _norm(name: str, value: str) -> str:
    v = value.strip()
    if name == "title":
        return title_match_key(v)
    if name == "doi":
        return (parse_doi(v) or v).lower()
    if name == "venue":
        known = canonical_venue(v)
        return (known.short if known else v).casefold()
    if name == "year":
        m = re.search(r"\d{4}", v)
        return m.group(0) if m else v
    if name == "author":
        return " ".join(sorted(k for k in (name_key(n) for n in parse_names(v)) if k))
    if name == "eprint":
        a = parse_arxiv_id(v)
        return a.canonical if a else v
    return " ".join(v.replace("{", "").replace("}", "").split()).casefold()


def _author_keys(value: str | None) -> set[str]:
    if not value:
        return set()
    return {k for k in (name_key(n) for n in parse_names(value) if not n.is_others) if k}


def is_published(fields: Mapping[str, str]) -> bool:
    """A peer-reviewed version: a non-arXiv DOI or a venue/booktitle/journal other than arXiv."""
    doi = fields.get("doi", "")
    if doi and not doi.lower().startswith("10.48550/"):
        return True
    venue = fields.get("venue", "")
    if venue and venue.lower() not in ("arxiv", "corr"):
        return True
    for k in ("booktitle", "journal"):
        v = fields.get(k, "")
        if v and not re.search(r"\b(arxiv|corr)\b", v, re.I):
            return True
    return False


def is_preprint(fields: Mapping[str, str]) -> bool:
    """An arXiv-only entry: `venue = arXiv` or an eprint and no published venue."""
    if fields.get("venue", "").lower() == "arxiv":
        return True
    return bool(fields.get("eprint")) and not is_published(fields)


def record_fields(rec: Record) -> dict[str, str]:
    """A record's fields normalized the project's way (venue from booktitle/journal, ...).

    A record that is not a peer-reviewed version keeps no `journal`/`volume` (DBLP's CoRR copy).
    """
    raw = {k: v for k, v in rec.fields.items() if k in _TAKEN and v}
    if rec.source == "dblp" and raw.get("journal", "").lower() == "corr":
        for k in ("journal", "volume", "number", "pages"):
            raw.pop(k, None)
        raw["venue"] = "arXiv"
    if rec.source == "semanticscholar" and raw.get("eprint"):
        raw.pop("year", None)  # S2's year of an arXiv-first paper is the preprint's year
    out = normalize_entry(raw)
    if out.get("venue", "arXiv") == "arXiv" and is_published(raw):
        out.pop("venue", None)  # normalize_entry's arXiv default; find the real one
        for k in ("booktitle", "journal"):
            text = re.sub(r"\s+(conference|workshop|symposium)$", "", out.get(k, ""), flags=re.I)
            known = canonical_venue(text) if text else None
            if known is not None:
                out["venue"] = known.short
                break
        if "venue" not in out and rec.extra.get("dblp"):
            v = venue_by_dblp(str(rec.extra["dblp"]))
            if v:
                out["venue"] = v
    return {k: v for k, v in out.items() if k in _TAKEN}


def venue_by_dblp(key: str) -> str | None:
    """The canonical short venue of a DBLP key (`conf/sigmod/KraskaBCDP18` -> SIGMOD)."""
    from .normalize.venues import load_venues

    parts = key.split("/")
    if len(parts) < 2:
        return None
    prefix = "/".join(parts[:2])
    for v in load_venues():
        if v.dblp and v.dblp == prefix:
            return v.short
    return None


def entry_type_for(fields: Mapping[str, str], current: str) -> str:
    if fields.get("booktitle"):
        return "inproceedings"
    if fields.get("journal"):
        return "article"
    if current in ("book", "techreport", "article", "inproceedings"):
        return current
    return "misc"


def accept_title_match(fields: Mapping[str, str], rec: Record,
                       threshold: float = TITLE_THRESHOLD) -> tuple[bool, float, bool, str]:
    """(accepted, similarity, authors overlap, reason) for a record found by title search."""
    sim = title_similarity(fields.get("title", ""), rec.fields.get("title", ""))
    mine, theirs = _author_keys(fields.get("author")), _author_keys(rec.fields.get("author"))
    overlap = bool(mine & theirs)
    if sim < threshold:
        return False, sim, overlap, f"below the {threshold:.2f} title threshold"
    if not mine:
        return False, sim, overlap, "the entry has no authors to compare"
    if not overlap:
        return False, sim, overlap, "no author in common"
    return True, sim, overlap, "title and authors match"


# ---------------------------------------------------------------------------------------------
# the merge
# ---------------------------------------------------------------------------------------------


def _priority(source: str, name: str, published: bool) -> int:
    group = _FIELD_GROUP.get(name, "title")
    p = _PRIORITY[group].get(source, 0)
    if group == "published" and not published:
        return min(p, 1)
    return p


def merge(paper_fields: Mapping[str, str], records: Sequence[Found | Record],
          curated: Iterable[str] | None = None, *, key: str = "", entry_type: str = "misc",
          date: str | None = None) -> MergeResult:
    """Merge source records into an entry's fields under the policy in the module docstring.

    `paper_fields`: the entry as it is (raw BibTeX values, lowercase names, possibly with
    `fieldsource`/`curated`). `records`: what the sources returned, each a `Found` (`by="id"` or
    `"title"`) or a bare `Record` (found by id). `curated`: fields never overwritten (default:
    `curated_fields(paper_fields)`). Returns the new fields, entry type, provenance, and the
    changes, conflicts and candidates to report. Pure: no I/O.
    """
    date = date or today()
    fields = dict(paper_fields)
    prov = parse_fieldsource(fields.get("fieldsource"))
    explicit = explicit_curated(fields)
    guard = set(curated) if curated is not None else curated_fields(fields)
    result = MergeResult(fields=fields, entry_type=entry_type, provenance=prov)
    was_preprint = is_preprint(fields)

    accepted: list[tuple[Record, dict[str, str], bool]] = []
    upgrade_by_id = False
    for item in records:
        found = item if isinstance(item, Found) else Found(item)
        rec = found.record
        if found.by == "title":
            ok, sim, overlap, reason = accept_title_match(fields, rec)
            if not ok:
                result.candidates.append(Candidate(key, rec.source, rec.source_id,
                                                   rec.fields.get("title", ""), sim, overlap,
                                                   reason))
                continue
        rf = record_fields(rec)
        accepted.append((rec, rf, is_published(rf)))
        upgrade_by_id = upgrade_by_id or (found.by == "id" and is_published(rf))
    any_published = any(pub for _, _, pub in accepted)

    # upgrading a preprint: venue/year placeholders give way to an id-found published version
    upgradable: set[str] = set()
    if was_preprint and upgrade_by_id:
        upgradable = {f for f in UPGRADABLE if f not in explicit}

    names = sorted({n for _, rf, _ in accepted for n in rf}, key=lambda n: (n not in
                                                                            CONFLICT_FIELDS, n))
    for name in names:
        offers = [(_priority(rec.source, name, pub), i, rec, rf[name])
                  for i, (rec, rf, pub) in enumerate(accepted) if rf.get(name)]
        if not offers:
            continue
        offers.sort(key=lambda o: (-o[0], o[1]))
        best_p, _, best_rec, best_val = offers[0]
        if best_p <= 0:
            continue
        # conflicts between sources (preprint records do not vote on publication fields
        # when a published version is known: the arXiv year is the preprint's year)
        if name in CONFLICT_FIELDS:
            voters = [(rec, v) for p, _, rec, v in offers
                      if not (any_published and _FIELD_GROUP.get(name) == "published" and p <= 1)]
            distinct = {_norm(name, v) for _, v in voters}
            if len(distinct) > 1:
                result.conflicts.append(Conflict(key, name, {r.source: v for r, v in voters},
                                                 kept=None))
        current = fields.get(name)
        if current and _norm(name, current) == _norm(name, best_val):
            if name in prov and _priority(prov[name][0], name, True) < best_p:
                prov[name] = (best_rec.source, date)  # a better source vouches for the value
            continue
        if current and name in guard and name not in upgradable:
            if name in CONFLICT_FIELDS and not (name in ("year", "venue") and best_p <= 1
                                                and any_published):
                result.conflicts.append(Conflict(key, name, {"curated": current,
                                                             best_rec.source: best_val},
                                                 kept="curated"))
            continue
        if current and name in prov:
            prev_source = prov[name][0]
            if _priority(prev_source, name, True) > best_p:
                continue
        if name in upgradable and best_p <= 1:
            continue  # only a published version replaces the placeholder
        fields[name] = best_val
        prov[name] = (best_rec.source, date)
        result.changes.append(Change(key, name, current, best_val, best_rec.source))

    if upgradable and not is_preprint(fields):
        # the preprint's own venue/year stay replaceable by a better source in a later stage
        for name in upgradable:
            if fields.get(name) and name not in prov:
                prov[name] = ("preprint", date)

    # provenance tags of what was merged
    tags = [t.strip() for t in fields.get("provenance", "").split(";") if t.strip()]
    contributed = {c.source for c in result.changes}
    for rec, _, _ in accepted:
        tag = rec.provenance
        if rec.source in contributed and rec.source_id and tag not in tags:
            tags.append(tag)
    if tags:
        fields["provenance"] = "; ".join(tags)
    if prov:
        fields["fieldsource"] = format_fieldsource(prov)
    if "type" not in explicit:
        result.entry_type = entry_type_for(fields, entry_type)
    if was_preprint and not is_preprint(fields):
        venue, year = fields.get("venue", "?"), fields.get("year", "")
        doi = f" (doi {fields['doi']})" if fields.get("doi") else ""
        result.published = f"arXiv:{fields.get('eprint', '?')} -> {venue} {year}{doi}".strip()
    return result


# ---------------------------------------------------------------------------------------------
# identifiers and resolution
# ---------------------------------------------------------------------------------------------


def parse_ident(text: str) -> tuple[str, str]:
    """(kind, value): `arxiv` (canonical id, version kept), `doi`, `url` or `title`.

    >>> parse_ident("https://arxiv.org/pdf/1712.01208v2")
    ('arxiv', '1712.01208v2')
    >>> parse_ident("https://dl.acm.org/doi/10.1145/3183713.3196909")
    ('doi', '10.1145/3183713.3196909')
    """
    raw = text.strip()
    if not raw:
        raise ReadingListError("empty identifier; give an arXiv id, a DOI, a URL or a title")
    looks_like_id = " " not in raw
    if looks_like_id:
        aid = parse_arxiv_id(raw)
        if aid is not None and (re.match(r"^(arxiv:)?[\w.-]*\d", raw, re.I) or "arxiv" in
                                raw.lower() or raw.lower().startswith("10.48550")):
            return "arxiv", str(aid)
        doi = parse_doi(raw)
        if doi is not None:
            return "doi", doi
        if re.match(r"^https?://", raw, re.I):
            return "url", raw
        if re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?|[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?", raw):
            from .normalize import validate_arxiv_id

            try:
                validate_arxiv_id(raw)
            except ValueError as exc:  # looks like an arXiv id but is not one
                raise ReadingListError(f"{exc}; check the id (arXiv ids look like 2104.04473 or hep-th/9901001)") from None
    return "title", raw


@dataclass
class Resolution:
    """What `resolve` found for one identifier."""

    ident: str
    kind: str
    value: str
    records: list[Found] = field(default_factory=list)
    candidates: list[Record] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Optional sources that could not answer (offline cache miss, fetch error)."""
    hints: dict[str, Any] = field(default_factory=dict)
    """What the identifier itself implies (venue/year of a proceedings URL)."""


class _MetaParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            a = {k.lower(): (v or "") for k, v in attrs}
            name = (a.get("name") or a.get("property") or "").lower()
            if name and a.get("content"):
                self.meta.setdefault(name, []).append(a["content"].strip())
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def page_record(html_text: str, url: str) -> Record | None:
    """A record from a landing page's Highwire `citation_*` meta tags (USENIX, OpenReview, ACM,
    PMLR, NeurIPS and most proceedings pages carry them); None without a `citation_title`."""
    from .sources.base import Record, collapse_ws, format_authors

    p = _MetaParser()
    p.feed(html_text[:2_000_000])
    m = p.meta
    title = collapse_ws((m.get("citation_title") or [""])[0])
    if not title:
        return None
    fields: dict[str, str] = {"title": title, "url": url}
    authors = [a for a in m.get("citation_author", []) if a]
    if authors:
        fields["author"] = format_authors(authors)
    date = (m.get("citation_publication_date") or m.get("citation_date") or
            m.get("citation_online_date") or [""])[0]
    ym = re.search(r"(19|20)\d\d", date)
    if ym:
        fields["year"] = ym.group(0)
    for meta, name in (("citation_conference_title", "booktitle"),
                       ("citation_journal_title", "journal"), ("citation_doi", "doi"),
                       ("citation_firstpage", "_first"), ("citation_lastpage", "_last"),
                       ("citation_arxiv_id", "eprint"), ("citation_publisher", "publisher")):
        if m.get(meta):
            fields[name] = collapse_ws(m[meta][0])
    if fields.get("_first"):
        fields["pages"] = fields["_first"] + (f"--{fields['_last']}" if fields.get("_last") else "")
    fields.pop("_first", None)
    fields.pop("_last", None)
    if fields.get("eprint"):
        fields["archiveprefix"] = "arXiv"
    return Record(source="page", source_id=url, fields=fields)


def _optional(res: Resolution, name: str, fn: Callable[[], Any]) -> Any:
    """Call an optional source; an offline miss or a fetch failure is noted, not raised."""
    try:
        return fn()
    except (Offline, FetchError, NotFound) as err:
        res.missing.append(f"{name}: {err}")
        return None
    except SourceError as err:
        res.missing.append(f"{name}: {err}")
        return None


def _lookup_one(res: Resolution, sources: Mapping[str, Source], name: str, ident: str, primary: bool,
                missing: str) -> Record | None:
    """`ident`'s record from source `name`: for the identifier the user gave (`primary`) a failure
    propagates and an unknown id with nothing else found is `NotFoundError` (`missing`); for a
    secondary lookup a failure is noted in `res` and gives None (`_optional`)."""
    if primary:
        rec = sources[name].lookup([ident]).get(ident)
        if rec is None and not res.records:
            raise NotFoundError(missing)
        return rec
    got = _optional(res, name, lambda: sources[name].lookup([ident]))
    return got.get(ident) if got else None


def resolve(ident: str, sources: Mapping[str, Source], http: HttpClient | None = None
            ) -> Resolution:
    """Records for one identifier (arXiv id in any form, DOI, URL or title), best first.

    The primary lookup (arXiv for an arXiv id, Crossref for a DOI, the page for a URL, the title
    searches for a title) must answer: its `Offline`/`FetchError`/`InvalidArxivId` propagates,
    and an unknown id raises `NotFoundError`. Secondary lookups (Semantic Scholar for the
    published version, Crossref for its DOI, DBLP for its record) are optional: failures are
    listed in `missing`. A configured local .bib (`localbib`) is asked first.
    """
    kind, value = parse_ident(ident)
    res = Resolution(ident, kind, value)
    local = sources.get("localbib")

    def add(rec: Record | None, by: str = "id") -> None:
        if rec is not None and all(f.record.source_id != rec.source_id or
                                   f.record.source != rec.source for f in res.records):
            res.records.append(Found(rec, by))

    arxiv_id: str | None = None
    doi: str | None = None
    if kind == "arxiv":
        arxiv_id = value
    elif kind == "doi":
        doi = value
    elif kind == "url":
        info = classify_link(value)
        res.hints = {"venue": info.venue, "year": info.year, "link": info.kind}
        if http is None:
            raise ReadingListError(f"cannot read {value}: no HTTP client configured")
        resp = http.get(value)
        if resp.status_code == 404:
            raise NotFoundError(f"{value}: page not found (HTTP 404); check the URL")
        if not 200 <= resp.status_code < 300:
            raise FetchError(value, f"{value}: HTTP {resp.status_code}; check the URL or try "
                                    "again later")
        rec = page_record(resp.text, value)
        if rec is None:
            raise NotFoundError(f"{value}: the page carries no citation metadata "
                                "(citation_title); add the paper by its DOI, arXiv id or title")
        add(rec)
        d = parse_doi(rec.fields.get("doi", "")) if rec.fields.get("doi") else None
        a = parse_arxiv_id(rec.fields.get("eprint", "")) if rec.fields.get("eprint") else None
        doi, arxiv_id = d, (a.canonical if a else None)
        if doi is None and arxiv_id is None:
            _title_search(res, rec.fields["title"], rec.fields.get("author"), sources,
                          required=False)
            return res

    if kind == "title":
        if local is not None:
            for rec in local.search_title(value)[:1]:
                if title_similarity(value, rec.fields.get("title", "")) >= TITLE_THRESHOLD:
                    add(rec)
                    return res
        _title_search(res, value, None, sources, required=True)
        best = res.records[0].record if res.records else None
        if best is None:
            raise NotFoundError(
                f"no paper titled {value!r} found above the {TITLE_THRESHOLD:.2f} similarity "
                "threshold" + (" (candidates: " + "; ".join(
                    f"{c.source}:{c.source_id} {c.fields.get('title', '')!r}"
                    for c in res.candidates[:5]) + ")" if res.candidates else "")
                + "; add it by arXiv id or DOI")
        bf = record_fields(best)
        doi = bf.get("doi") if bf.get("doi", "").startswith("10.") and not bf["doi"].startswith(
            "10.48550") else None
        arxiv_id = bf.get("eprint")

    # local .bib first (answers offline)
    if local is not None:
        for ident_ in (arxiv_id, doi):
            if ident_:
                add(local.lookup([ident_]).get(ident_))

    if arxiv_id and "arxiv" in sources:
        rec = _lookup_one(res, sources, "arxiv", arxiv_id, kind == "arxiv",
                          f"arXiv has no paper {arxiv_id}; check the id")
        add(rec)
        if rec is not None and not doi:
            d = rec.fields.get("doi")
            doi = parse_doi(d) if d else None
    elif kind == "arxiv" and not res.records:
        raise ReadingListError("the arXiv source is not enabled; cannot resolve " + ident)

    s2 = sources.get("semanticscholar")
    dblp_key: str | None = None
    if s2 is not None and (arxiv_id or doi):
        parsed = parse_arxiv_id(arxiv_id) if arxiv_id else None
        ask = f"ARXIV:{parsed.canonical}" if parsed else f"DOI:{doi}"
        got = _optional(res, "semanticscholar", lambda: s2.lookup([ask]))
        rec = got.get(ask) if got else None
        if rec is not None:
            add(rec)
            if not doi and rec.fields.get("doi") and not rec.fields["doi"].startswith("10.48550"):
                doi = parse_doi(rec.fields["doi"])
            if not arxiv_id and rec.fields.get("eprint") and "arxiv" in sources:
                arxiv_id = rec.fields["eprint"]
                got_a = _optional(res, "arxiv", lambda: sources["arxiv"].lookup([arxiv_id]))
                add(got_a.get(arxiv_id) if got_a else None)
            k = rec.extra.get("dblp")
            if k and not str(k).startswith("journals/corr/"):
                dblp_key = str(k)

    if doi and not doi.startswith("10.48550") and "crossref" in sources:
        add(_lookup_one(res, sources, "crossref", doi, kind == "doi",
                        f"DOI not found in Crossref: {doi}; check the DOI"))
    elif kind == "doi" and not res.records:
        raise ReadingListError("the Crossref source is not enabled; cannot resolve " + ident)

    dblp = sources.get("dblp")
    if dblp is not None and dblp_key:
        got = _optional(res, "dblp", lambda: dblp.lookup([dblp_key]))
        add(got.get(dblp_key) if got else None)
    return res


def _title_search(res: Resolution, title: str, authors: str | None,
                  sources: Mapping[str, Source], required: bool) -> None:
    """Title searches (DBLP, Crossref, arXiv); hits above the threshold become records found by
    title, the rest candidates. With `required`, every search failing raises its error."""
    names = [f"{n.first} {n.last}".strip() for n in parse_names(authors)] if authors else None
    errors: list[Exception] = []
    mine = _author_keys(authors)
    for name in ("dblp", "crossref", "arxiv"):
        src = sources.get(name)
        if src is None:
            continue
        try:
            hits = src.search_title(title, names)
        except (FetchError, SourceError) as err:
            errors.append(err)
            res.missing.append(f"{name}: {err}")
            continue
        for rec in hits[:5]:
            sim = title_similarity(title, rec.fields.get("title", ""))
            overlap = not mine or bool(mine & _author_keys(rec.fields.get("author")))
            if sim >= TITLE_THRESHOLD and overlap:
                res.records.append(Found(rec, "id" if not mine else "title"))
                return
            res.candidates.append(rec)
    if required and errors and len(errors) == sum(1 for n in ("dblp", "crossref", "arxiv")
                                                  if n in sources):
        raise errors[0]


RESOLVED_FILE = "resolved.json"
RESOLVED_TTL = 30 * 24 * 3600
"""Lifetime of a remembered resolution (the HTTP cache's), ignored offline."""


def _resolution_key(ident: str) -> str:
    kind, value = parse_ident(ident)
    if kind == "arxiv":
        a = parse_arxiv_id(value)
        value = a.with_version if a else value
    return f"{kind}:{value.casefold() if kind in ('doi', 'title') else value}"


def load_resolution(state_dir: Path, ident: str, offline: bool = False) -> Resolution | None:
    """A complete earlier resolution of `ident` (`.readinglist/enrich/resolved.json`), or None.

    `add` remembers what each identifier resolved to, so adding it again (after `--dry-run`, or
    to another project state) needs neither the network nor the HTTP stack.
    """
    import time

    from .sources.base import Record

    path = state_dir / STATE_DIR / RESOLVED_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        item = data["resolved"][_resolution_key(ident)]
    except (OSError, ValueError, KeyError, TypeError, ReadingListError):
        return None
    if not offline and time.time() - float(item.get("stored", 0)) > RESOLVED_TTL:
        return None
    kind, value = parse_ident(ident)
    res = Resolution(ident, kind, value, hints=dict(item.get("hints") or {}))
    for r in item.get("records") or []:
        rec = Record(source=r["source"], source_id=r["source_id"], fields=dict(r["fields"]),
                     extra=dict(r.get("extra") or {}), retrieved=r.get("retrieved", ""))
        res.records.append(Found(rec, r.get("by", "id")))
    return res


def save_resolution(state_dir: Path, res: Resolution) -> None:
    """Remember a complete resolution (nothing missing) for `load_resolution`."""
    import time

    from .project import atomic_write

    if res.missing or not res.records:
        return
    path = state_dir / STATE_DIR / RESOLVED_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data.get("resolved"), dict):
            raise ValueError
    except (OSError, ValueError, AttributeError):
        data = {"version": 1, "resolved": {}}
    data["resolved"][_resolution_key(res.ident)] = {
        "stored": time.time(), "hints": res.hints,
        "records": [{"source": f.record.source, "source_id": f.record.source_id,
                     "fields": f.record.fields, "retrieved": f.record.retrieved, "by": f.by,
                     "extra": {k: v for k, v in f.record.extra.items() if k != "references"}}
                    for f in res.records]}
    atomic_write(path, json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n")


def new_entry(res: Resolution, date: str | None = None) -> MergeResult:
    """The entry for a resolved identifier: every field from a source, none curated."""
    result = merge({}, res.records, curated=set(), key=res.ident, date=date)
    f = result.fields
    if res.hints.get("venue") and "venue" not in f:
        f["venue"] = str(res.hints["venue"])
    if "url" not in f:
        if f.get("doi") and not f["doi"].startswith("10.48550"):
            f["url"] = f"https://doi.org/{f['doi']}"
        elif f.get("eprint"):
            f["url"] = f"https://arxiv.org/abs/{f['eprint']}"
    if f.get("venue") == "arXiv" and f.get("booktitle"):
        f.pop("venue")
    result.entry_type = entry_type_for(f, "misc")
    return result


# ---------------------------------------------------------------------------------------------
# syllabus claims
# ---------------------------------------------------------------------------------------------


def check_claims(catalog: Catalog, papers: Mapping[str, Mapping[str, str]] | None = None,
                 course: str | None = None) -> list[ClaimCheck]:
    """Readings whose `claim` (the syllabus's venue tag) disagrees with the paper's metadata.

    `papers` overrides catalog fields (the merged ones); a claim naming a venue the venue
    table does not know (`ICMD’18`) is reported with what the sources say instead.
    """
    out: list[ClaimCheck] = []
    for c in catalog.courses:
        if course and c.id.lower() != course.lower():
            continue
        for t in c.topics:
            for r in t.readings:
                if not r.claim:
                    continue
                fields = (papers or {}).get(r.paper)
                if fields is None:
                    p = catalog.papers.get(r.paper)
                    fields = p.fields if p else {}
                claim = parse_venue_tag(r.claim)
                venue = fields.get("venue")
                year = fields.get("year")
                says = " ".join(x for x in (venue, year) if x) or "nothing"
                src = parse_fieldsource(fields.get("fieldsource"))
                who = ", ".join(sorted({src[f][0] for f in ("venue", "year") if f in src})) or "bib"
                problems: list[str] = []
                if claim.venue is None and claim.note:
                    known = canonical_venue(claim.note)
                    problems.append(f"names an unknown venue {claim.note!r}")
                    if known is not None:  # pragma: no cover - parse_venue_tag would have it
                        problems[-1] += f" ({known.short}?)"
                elif claim.venue and venue and _norm("venue", claim.venue) != _norm("venue",
                                                                                      venue):
                    problems.append(f"says {claim.venue}")
                if claim.year and year and str(claim.year) != _norm("year", year):
                    problems.append(f"says {claim.year}")
                if problems:
                    out.append(ClaimCheck(c.id, t.id, r.paper, r.claim,
                                          f"{c.id}/{t.id}: {r.paper}: syllabus claim "
                                          f"{r.claim!r} " + " and ".join(problems)
                                          + f"; the metadata ({who}) says {says}"))
    return out


# ---------------------------------------------------------------------------------------------
# writing entries back into bib/
# ---------------------------------------------------------------------------------------------


def rewrite_entries(path: Path, updates: Mapping[str, tuple[str, Mapping[str, str]]]) -> bool:
    """Replace the entries `updates` names (key -> (type, fields)) in one .bib file, in place.

    Every other byte of the file stays as it was; the new entries are written by the safe
    writer (`bibwrite.format_entry`), the result re-parsed and checked, then the file replaced
    atomically. Returns True if the file changed.
    """
    from .project import atomic_write

    out = prepare_rewrite(path, updates)
    if out is None:
        return False
    atomic_write(path, out)
    return True


def prepare_rewrite(path: Path, updates: Mapping[str, tuple[str, Mapping[str, str]]]) -> str | None:
    """The new text of `path` with the entries `updates` names replaced, re-parsed and checked
    (the first half of `rewrite_entries`; writes nothing). None if the text would not change.

    Lets a caller that updates several files prepare and verify every one before replacing any.
    """
    import bibtexparser

    from .bibfile import parse_bib_text
    from .bibwrite import format_entry

    text = path.read_bytes().decode("utf-8-sig")
    lib = bibtexparser.parse_string(text)
    line_starts = [0]
    for m in re.finditer("\n", text):
        line_starts.append(m.end())
    spans: list[tuple[int, int, str]] = []
    for entry in lib.entries:
        if entry.key not in updates:
            continue
        raw = entry.raw or ""
        start = line_starts[entry.start_line or 0]
        pos = text.find(raw, start) if raw else -1
        if pos < 0:
            raise ReadingListError(f"{path}: cannot locate entry {entry.key} to update it; "
                                   "nothing was written")
        spans.append((pos, pos + len(raw), entry.key))
    missing = set(updates) - {k for _, _, k in spans}
    if missing:
        raise ReadingListError(f"{path}: entries {sorted(missing)} not found; nothing written")
    out = text
    for start, end, k in sorted(spans, reverse=True):
        etype, fields = updates[k]
        out = out[:start] + format_entry(k, etype, fields).rstrip("\n") + out[end:]
    if out == text:
        return None
    res = parse_bib_text(out, str(path))
    if res.problems:
        raise ReadingListError(f"internal error: updated {path.name} would not re-parse "
                               f"({res.problems[0]}); nothing was written")
    got = {p.key for p in res.papers}
    before = {e.key for e in lib.entries}
    if got != before:
        raise ReadingListError(f"internal error: updating {path.name} would change its entries; "
                               "nothing was written")
    return out


# ---------------------------------------------------------------------------------------------
# enrich
# ---------------------------------------------------------------------------------------------

STATE_DIR = "enrich"
REFERENCES_FILE = "references.json"
MISSING_FIELDS = ("author", "title", "year", "venue", "doi", "url")
"""`--missing` selects entries lacking any of these."""
WRITE_EVERY = 25
"""Papers per write for the per-paper sources (Crossref, DBLP): at most this many are lost
by an interrupt."""


@dataclass
class EnrichReport:
    papers: int = 0
    updated: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    published: dict[str, str] = field(default_factory=dict)
    claims: list[ClaimCheck] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    """What could not be looked up (offline cache misses, failed sources), one line each."""
    errors: list[str] = field(default_factory=list)
    """Failures that stopped a source (network errors after retries): the run is incomplete."""
    requests: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "papers": self.papers, "updated": self.updated, "requests": self.requests,
            "changes": [c.__dict__ for c in self.changes],
            "conflicts": [c.__dict__ for c in self.conflicts],
            "candidates": [c.__dict__ for c in self.candidates],
            "published": self.published,
            "claims": [c.__dict__ for c in self.claims],
            "unresolved": self.unresolved, "errors": self.errors,
        }


Progress = Callable[[str, int, int], None]
"""`progress(stage, done, total)`; called as work advances."""


class _Work:
    """The papers being enriched, their current fields, and writing them back."""

    def __init__(self, project: Project, catalog: Catalog, keys: list[str],
                 report: EnrichReport) -> None:
        self.project = project
        self.catalog = catalog
        self.keys = keys
        self.report = report
        self.fields: dict[str, dict[str, str]] = {k: dict(catalog.papers[k].fields)
                                                  for k in keys}
        self.types: dict[str, str] = {k: catalog.papers[k].entry_type for k in keys}
        self.dirty: set[str] = set()
        self.dblp_keys: dict[str, str] = {}
        self.changes: dict[tuple[str, str], Change] = {}
        self.references: dict[str, dict[str, Any]] = {}
        self.date = today()
        self._seen_conflicts: set[tuple[str, str, str]] = set()
        self._seen_candidates: set[tuple[str, str, str]] = set()

    def apply(self, key: str, records: Sequence[Found]) -> None:
        if not records:
            return
        res = merge(self.fields[key], records, key=key, entry_type=self.types[key],
                    date=self.date)
        for c in res.conflicts:
            sig = (key, c.field, json.dumps(c.values, sort_keys=True))
            if sig not in self._seen_conflicts:
                self._seen_conflicts.add(sig)
                self.report.conflicts.append(c)
        for cand in res.candidates:
            sig2 = (key, cand.source, cand.source_id)
            if sig2 not in self._seen_candidates:
                self._seen_candidates.add(sig2)
                self.report.candidates.append(cand)
        if res.fields != self.fields[key] or res.entry_type != self.types[key]:
            for ch in res.changes:  # one change per field: first old value, last new one
                prev = self.changes.get((key, ch.field))
                self.changes[(key, ch.field)] = Change(key, ch.field,
                                                       prev.old if prev else ch.old, ch.new,
                                                       ch.source)
            self.fields[key] = res.fields
            self.types[key] = res.entry_type
            self.dirty.add(key)
        if res.published:
            self.report.published[key] = res.published

    def flush(self) -> None:
        """Write the changed entries to their .bib files (atomic per file)."""
        if not self.dirty:
            return
        from .yamledit import project_lock

        by_file: dict[Path, dict[str, tuple[str, Mapping[str, str]]]] = {}
        for key in sorted(self.dirty):
            paper = self.catalog.papers[key]
            path = self.project.root / (paper.file or "")
            by_file.setdefault(path, {})[key] = (self.types[key], self.fields[key])
        with project_lock(self.project.state_dir):
            for path, updates in by_file.items():
                rewrite_entries(path, updates)
        for key in sorted(self.dirty):
            if key not in self.report.updated:
                self.report.updated.append(key)
        self.dirty.clear()

    def save_references(self) -> None:
        if not self.references:
            return
        from .project import atomic_write

        path = self.project.state_dir / STATE_DIR / REFERENCES_FILE
        data: dict[str, Any] = {"version": 1, "papers": {}}
        if path.exists():
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(old, dict) and isinstance(old.get("papers"), dict):
                    data["papers"] = old["papers"]
            except (ValueError, OSError):
                pass
        data["papers"].update(self.references)
        atomic_write(path, json.dumps(data, indent=1, sort_keys=True) + "\n")
        self.references.clear()


def _arxiv_of(fields: Mapping[str, str]) -> str | None:
    if fields.get("eprint") and fields.get("archiveprefix", "arXiv").lower() == "arxiv":
        a = parse_arxiv_id(fields["eprint"])
        if a:
            return a.canonical
    d = parse_doi(fields.get("doi", "")) if fields.get("doi") else None
    if d and d.startswith("10.48550/"):
        a = parse_arxiv_id(d)
        return a.canonical if a else None
    return None


def _doi_of(fields: Mapping[str, str]) -> str | None:
    d = parse_doi(fields.get("doi", "")) if fields.get("doi") else None
    return d if d and not d.startswith("10.48550/") else None


def select_papers(catalog: Catalog, course: str | None, missing_only: bool) -> list[str]:
    """Citation keys to enrich: all papers, or those a course reads; `missing_only` keeps those
    lacking one of `MISSING_FIELDS`."""
    if course:
        c = catalog.course(course) or next((x for x in catalog.courses
                                            if x.id.lower() == course.lower()), None)
        if c is None:
            raise NotFoundError(f"unknown course {course!r}; `readinglist courses` lists them")
        keys = list(dict.fromkeys(r.paper for t in c.topics for r in t.readings))
    else:
        keys = list(catalog.papers)
    if missing_only:
        keys = [k for k in keys if any(not catalog.papers[k].get(f) for f in MISSING_FIELDS)]
    return keys


def _chunks(items: list[str], n: int) -> Iterable[list[str]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def enrich(project: Project, course: str | None = None, missing_only: bool = False,
           sources: Mapping[str, Source] | None = None, offline: bool = False,
           progress: Progress | None = None, only: Sequence[str] | None = None,
           http: HttpClient | None = None) -> EnrichReport:
    """Enrich the project's papers from the metadata sources, writing each batch back to bib/.

    Stages, in order, each batched: arXiv (`id_list`, 100 ids a request), Semantic Scholar
    (`/paper/batch`, 500 a request: published DOI, DBLP key, references), DBLP (records by key;
    title search for papers without identifiers), Crossref (works by DOI; title search for papers
    still without identifiers). Each stage's results are written to bib/ as each batch completes
    (atomic per file): an interrupt loses at most the batch in flight, and a re-run answers the
    finished batches from the HTTP cache. `only`: restrict to these source names.
    Offline, cache misses are listed in `unresolved` rather than raised.
    """
    from .sources import make_http, make_sources

    catalog = project.load()
    report = EnrichReport()
    keys = select_papers(catalog, course, missing_only)
    report.papers = len(keys)
    if sources is None:
        http = http or make_http(catalog.config, project.state_dir, offline)
        sources = make_sources(catalog.config, project.state_dir, offline, http=http)
    if only:
        aliases = {"s2": "semanticscholar", "semantic-scholar": "semanticscholar",
                   "local": "localbib"}
        wanted = {aliases.get(o.lower(), o.lower()) for o in only}
        unknown = wanted - set(sources) - {"localbib"}
        if unknown:
            raise ReadingListError(f"unknown source(s) {sorted(unknown)}; choose from "
                                   f"{sorted(sources)}")
        sources = {n: s for n, s in sources.items() if n in wanted}
    work = _Work(project, catalog, keys, report)
    tick: Progress = progress or (lambda stage, done, total: None)
    try:
        if "localbib" in sources:
            _stage_local(work, sources["localbib"], tick)
        if "arxiv" in sources:
            _stage_arxiv(work, sources["arxiv"], tick)
        if "semanticscholar" in sources:
            _stage_s2(work, sources["semanticscholar"], tick)
        if "dblp" in sources:
            _stage_dblp(work, sources["dblp"], tick)
        if "crossref" in sources:
            _stage_crossref(work, sources["crossref"], tick)
    finally:
        work.flush()
        work.save_references()
        if http is not None:
            report.requests = http.requests_made
    report.changes = list(work.changes.values())
    for key in report.published:  # describe the final state, not the stage that upgraded it
        f = work.fields[key]
        doi = f" (doi {f['doi']})" if f.get("doi") else ""
        report.published[key] = (f"arXiv:{f.get('eprint', '?')} -> {f.get('venue', '?')} "
                                 f"{f.get('year', '')}{doi}")
    merged = {k: work.fields[k] for k in keys}
    report.claims = check_claims(catalog, merged, course)
    return report


def _fail(work: _Work, source: str, err: Exception, keys: Sequence[str]) -> bool:
    """Note a failed batch; True if the stage should stop (a non-offline failure)."""
    if isinstance(err, Offline):
        for k in keys:
            work.report.unresolved.append(f"{k}: {source}: not in the HTTP cache")
        return False
    work.report.errors.append(f"{source}: {err}")
    return True


def _stage_local(work: _Work, src: Source, tick: Progress) -> None:
    for i, key in enumerate(work.keys):
        f = work.fields[key]
        found: list[Found] = []
        for ident in (_arxiv_of(f), _doi_of(f)):
            if ident:
                rec = src.lookup([ident]).get(ident)
                if rec is not None:
                    found.append(Found(rec))
                    break
        work.apply(key, found)
        tick("local .bib", i + 1, len(work.keys))
    work.flush()


def _stage_arxiv(work: _Work, src: Source, tick: Progress) -> None:
    from .sources.arxiv_source import BATCH_SIZE

    todo = [(k, a) for k in work.keys if (a := _arxiv_of(work.fields[k]))]
    done = 0
    for batch in _chunks([k for k, _ in todo], BATCH_SIZE):
        ids = {k: _arxiv_of(work.fields[k]) or "" for k in batch}
        try:
            got = src.lookup(list(dict.fromkeys(ids.values())))
        except (FetchError, SourceError) as err:
            if _fail(work, "arxiv", err, batch):
                break
            continue
        for k in batch:
            rec = got.get(ids[k])
            if rec is None:
                work.report.unresolved.append(f"{k}: arxiv: no paper {ids[k]}")
                continue
            work.apply(k, [Found(rec)])
        work.flush()
        done += len(batch)
        tick("arXiv", done, len(todo))


def _stage_s2(work: _Work, src: Source, tick: Progress) -> None:
    from .sources.semanticscholar import BATCH_SIZE

    asks: dict[str, str] = {}
    for k in work.keys:
        f = work.fields[k]
        a, d = _arxiv_of(f), _doi_of(f)
        if a:
            asks[k] = f"ARXIV:{a}"
        elif d:
            asks[k] = f"DOI:{d}"
    done = 0
    for batch in _chunks(list(asks), BATCH_SIZE):
        try:
            got = src.lookup([asks[k] for k in batch])
        except (FetchError, SourceError) as err:
            if _fail(work, "semanticscholar", err, batch):
                break
            continue
        for k in batch:
            rec = got.get(asks[k])
            if rec is None:
                continue
            dk = rec.extra.get("dblp")
            if dk and not str(dk).startswith("journals/corr/"):
                work.dblp_keys[k] = str(dk)
            if rec.extra.get("references") is not None:
                work.references[k] = {"s2": rec.extra.get("s2"), "retrieved": work.date,
                                      "references": rec.extra["references"]}
            work.apply(k, [Found(rec)])
        work.flush()
        work.save_references()
        done += len(batch)
        tick("Semantic Scholar", done, len(asks))


def _stage_dblp(work: _Work, src: Source, tick: Progress) -> None:
    todo = [k for k in work.keys if k in work.dblp_keys or not (
        _arxiv_of(work.fields[k]) or _doi_of(work.fields[k]))]
    for i, k in enumerate(todo):
        try:
            if k in work.dblp_keys:
                rec = src.lookup([work.dblp_keys[k]]).get(work.dblp_keys[k])
                found = [Found(rec)] if rec is not None else []
            else:
                f = work.fields[k]
                if not f.get("title"):
                    continue
                names = [f"{n.first} {n.last}".strip() for n in parse_names(f.get("author", ""))]
                found = [Found(r, "title") for r in src.search_title(f["title"], names)[:3]]
        except (FetchError, SourceError) as err:
            if _fail(work, "dblp", err, [k]):
                break
            continue
        work.apply(k, _best_title_first(work.fields[k], found))
        if (i + 1) % WRITE_EVERY == 0:
            work.flush()
        tick("DBLP", i + 1, len(todo))
    work.flush()


def _stage_crossref(work: _Work, src: Source, tick: Progress) -> None:
    todo = [k for k in work.keys if _doi_of(work.fields[k]) or not _arxiv_of(work.fields[k])]
    for i, k in enumerate(todo):
        f = work.fields[k]
        doi = _doi_of(f)
        try:
            if doi:
                rec = src.lookup([doi]).get(doi)
                if rec is None:
                    work.report.unresolved.append(f"{k}: crossref: DOI {doi} not found")
                found = [Found(rec)] if rec is not None else []
            else:
                if not f.get("title"):
                    continue
                found = [Found(r, "title") for r in src.search_title(f["title"])[:3]]
        except (FetchError, SourceError) as err:
            if _fail(work, "crossref", err, [k]):
                break
            continue
        work.apply(k, _best_title_first(f, found))
        if (i + 1) % WRITE_EVERY == 0:
            work.flush()
        tick("Crossref", i + 1, len(todo))
    work.flush()


def _best_title_first(fields: Mapping[str, str], found: list[Found]) -> list[Found]:
    """For title-search hits: the accepted one alone if any, else all (they become candidates)."""
    if not found or found[0].by != "title":
        return found
    for f in found:
        if accept_title_match(fields, f.record)[0]:
            return [f]
    return found
