"""Offline matching against the user's own .bib files (by DOI, arXiv id, normalized title)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from readinglist.sources.base import Record, collapse_ws, normalize_title

__all__ = ["LocalBibSource"]

_ARXIV_IN_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


def _doi_key(doi: str) -> str:
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi.strip(), flags=re.I)
    return doi.lower()


def _arxiv_key(ident: str) -> str:
    ident = re.sub(r"^(?:arxiv:|https?://arxiv\.org/(?:abs|pdf)/)", "", ident.strip(), flags=re.I)
    return re.sub(r"v\d+$", "", ident).lower()


class LocalBibSource:
    """Entries of local .bib files; parse failures are skipped and counted in `failed_blocks`."""

    name = "localbib"

    def __init__(self, paths: Iterable[Path | str]) -> None:
        import bibtexparser

        self.paths = [Path(p).expanduser() for p in paths]
        self.failed_blocks = 0
        self.records: list[Record] = []
        self._by_doi: dict[str, Record] = {}
        self._by_arxiv: dict[str, Record] = {}
        self._by_title: dict[str, list[Record]] = {}
        for path in self.paths:
            text = path.read_text(encoding="utf-8-sig")
            library = bibtexparser.parse_string(text)
            self.failed_blocks += len(library.failed_blocks)
            for entry in library.entries:
                fields = {f.key.lower(): collapse_ws(str(f.value)) for f in entry.fields}
                rec = Record(source="localbib", source_id=entry.key,
                             fields={k: v for k, v in fields.items() if v},
                             extra={"file": str(path), "entrytype": entry.entry_type.lower()})
                self.records.append(rec)
                if fields.get("doi"):
                    doi = _doi_key(fields["doi"])
                    self._by_doi.setdefault(doi, rec)
                    m = _ARXIV_IN_DOI.match(doi)
                    if m:
                        self._by_arxiv.setdefault(_arxiv_key(m.group(1)), rec)
                prefix = fields.get("archiveprefix", fields.get("eprinttype", "")).lower()
                if fields.get("eprint") and prefix in ("arxiv", ""):
                    self._by_arxiv.setdefault(_arxiv_key(fields["eprint"]), rec)
                if fields.get("title"):
                    self._by_title.setdefault(normalize_title(fields["title"]), []).append(rec)

    def lookup(self, ids: Sequence[str]) -> dict[str, Record | None]:
        """Entries by DOI (`10.` ...) or arXiv id; None when no local entry has it."""
        out: dict[str, Record | None] = {}
        for ident in ids:
            key = _doi_key(ident)
            if key.startswith("10."):
                m = _ARXIV_IN_DOI.match(key)
                out[ident] = self._by_doi.get(key) or (
                    self._by_arxiv.get(_arxiv_key(m.group(1))) if m else None)
            else:
                out[ident] = self._by_arxiv.get(_arxiv_key(ident))
        return out

    def search_title(self, title: str, authors: list[str] | None = None) -> list[Record]:
        """Exact normalized-title matches, else entries with a title similarity >= 90."""
        from rapidfuzz import fuzz, process

        want = normalize_title(title)
        if not want:
            return []
        if want in self._by_title:
            return list(self._by_title[want])
        found = process.extract(want, list(self._by_title), scorer=fuzz.ratio,
                                score_cutoff=90, limit=5)
        return [rec for match, _score, _i in found for rec in self._by_title[match]]
