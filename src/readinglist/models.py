"""The course model: plain dataclasses, no I/O.

A project holds courses; a course holds topics in order; a topic holds readings in order, each naming
a paper (a BibTeX entry) by its citation key, with a role. Areas form the reference taxonomy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["required", "optional"]
ROLES: tuple[str, ...] = ("required", "optional")


@dataclass
class Area:
    id: str
    title: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    line: int | None = None


@dataclass
class Reading:
    paper: str
    role: Role
    note: str | None = None
    claim: str | None = None
    line: int | None = None


@dataclass
class Topic:
    id: str
    title: str
    week: int | None = None
    date: str | None = None
    notes: str | None = None
    areas: list[str] = field(default_factory=list)
    not_areas: list[str] = field(default_factory=list)  # inferred areas the user rejects
    readings: list[Reading] = field(default_factory=list)
    line: int | None = None


@dataclass
class Course:
    id: str
    title: str
    institution: str | None = None
    term: str | None = None
    url: str | None = None
    notes: str | None = None
    topics: list[Topic] = field(default_factory=list)
    line: int | None = None

    @property
    def year(self) -> int | None:
        """The 4-digit year named in the term, if any."""
        import re

        m = re.search(r"\b(19|20)\d\d\b", self.term or "")
        return int(m.group(0)) if m else None

    def topic(self, topic_id: str) -> Topic | None:
        for t in self.topics:
            if t.id == topic_id:
                return t
        return None


@dataclass
class Paper:
    """One BibTeX entry. `fields` holds the raw (LaTeX) values, lowercase field names."""

    key: str
    entry_type: str
    fields: dict[str, str]
    file: str | None = None
    line: int | None = None

    def get(self, name: str) -> str | None:
        v = self.fields.get(name)
        return v if v not in (None, "") else None


@dataclass
class Catalog:
    """Everything the sources of truth say: courses, areas, papers, config."""

    courses: list[Course] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    papers: dict[str, Paper] = field(default_factory=dict)
    config: dict[str, object] = field(default_factory=dict)

    def course(self, course_id: str) -> Course | None:
        for c in self.courses:
            if c.id == course_id:
                return c
        return None
