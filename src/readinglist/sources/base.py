"""The one interface every metadata source implements, and the record it returns."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = ["Record", "Source", "normalize_title", "today", "format_authors", "split_name"]


def today() -> str:
    """Today's date as ISO `YYYY-MM-DD` (the `retrieved` stamp of a record)."""
    return _dt.date.today().isoformat()


@dataclass
class Record:
    """Metadata about one paper as one source reports it.

    `fields` uses the BibTeX field names of docs/format.md (`title`, `author` as
    `Last, First and Last, First`, `year`, `booktitle`/`journal`, `venue`, `doi`, `eprint`,
    `archiveprefix`, `primaryclass`, `url`, `pages`, `abstract`); `extra` holds what is not
    BibTeX (`citation_count`, `references`, `dblp`, `s2`, `categories`, `version`, ...).
    """

    source: str
    source_id: str
    fields: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    retrieved: str = field(default_factory=today)

    @property
    def provenance(self) -> str:
        """`arXiv:2104.04473`-style tag for the `provenance` field."""
        label = {"arxiv": "arXiv", "dblp": "DBLP", "crossref": "Crossref",
                 "semanticscholar": "S2", "localbib": "bib"}.get(self.source, self.source)
        return f"{label}:{self.source_id}"


@runtime_checkable
class Source(Protocol):
    """A metadata source: batched lookup by identifier and title search."""

    name: str

    def lookup(self, ids: Sequence[str]) -> dict[str, Record | None]:
        """Records for `ids` (canonical arXiv ids or DOIs); None for ids the source lacks."""
        ...

    def search_title(self, title: str, authors: list[str] | None = None) -> list[Record]:
        """Candidate records for a title, best first (possibly empty)."""
        ...


_WS = re.compile(r"\s+")


def collapse_ws(text: str) -> str:
    """Runs of whitespace (newlines included) become one space; ends stripped."""
    return _WS.sub(" ", text).strip()


def normalize_title(title: str) -> str:
    """A matching key for titles (the project's one rule: `normalize.titles.title_match_key`).

    >>> normalize_title("{GPipe}: Efficient Training  of Giant\\nNetworks.")
    'gpipe efficient training of giant networks'
    """
    from readinglist.normalize.titles import title_match_key

    return title_match_key(title)


def split_name(name: str) -> tuple[str, str]:
    """`Jane Q. Doe` -> (`Doe`, `Jane Q.`); `Doe, Jane` kept. A DBLP suffix `0001` is dropped."""
    name = collapse_ws(re.sub(r"\s+\d{4}$", "", name.strip()))
    if "," in name:
        last, _, first = name.partition(",")
        return last.strip(), first.strip()
    parts = name.split(" ")
    if len(parts) == 1:
        return parts[0], ""
    # keep lowercase particles (van, von, de, ...) with the last name
    i = len(parts) - 1
    while i > 1 and parts[i - 1][:1].islower():
        i -= 1
    return " ".join(parts[i:]), " ".join(parts[:i])


def format_authors(names: Sequence[str]) -> str:
    """BibTeX author list `Last, First and Last, First` from display names."""
    out = []
    for name in names:
        last, first = split_name(name)
        if not last:
            continue
        out.append(f"{last}, {first}" if first else last)
    return " and ".join(out)
