"""What every export reads: the selected courses, topics, readings and papers, from the Store.

One pass of a few SQL queries (no per-paper queries), so a 10,000-paper project loads in well
under a second. Everything is ordered (course position, topic position, required before optional,
reading position; papers by key), so every export built on it is deterministic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..errors import NotFoundError, ReadingListError
from ..store import Store

ROLES = ("required", "optional")


@dataclass
class ExportData:
    """The selection an export renders. Rows are plain dicts, as the Store returns them."""

    courses: list[dict[str, Any]] = field(default_factory=list)
    topics: list[dict[str, Any]] = field(default_factory=list)      # each with course_id
    readings: list[dict[str, Any]] = field(default_factory=list)    # each with course_id, topic_id, role
    papers: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> row, `fields` decoded, `authors`
    areas: list[dict[str, Any]] = field(default_factory=list)
    topic_areas: list[dict[str, Any]] = field(default_factory=list)
    paper_areas: list[dict[str, Any]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    selection: dict[str, str | None] = field(default_factory=dict)

    _by_topic: dict[tuple[str, str], list[dict[str, Any]]] | None = field(default=None, repr=False)

    def topics_of(self, course_id: str) -> list[dict[str, Any]]:
        return [t for t in self.topics if t["course_id"] == course_id]

    def readings_of(self, course_id: str, topic_id: str, role: str | None = None) -> list[dict[str, Any]]:
        if self._by_topic is None:  # index once: O(readings), not O(topics x readings)
            self._by_topic = {}
            for r in self.readings:
                self._by_topic.setdefault((r["course_id"], r["topic_id"]), []).append(r)
        rs = self._by_topic.get((course_id, topic_id), [])
        return rs if role is None else [r for r in rs if r["role"] == role]


def load(store: Store, course: str | None = None, topic: str | None = None, role: str | None = None,
         *, all_papers: bool | None = None) -> ExportData:
    """The selection: one course (or all), one topic (needs a course, or is looked up in all), one role.

    Papers are those read in the selected readings; with no filter at all (and `all_papers` not
    False) every paper of the project is included, read or not.
    """
    if role is not None and role not in ROLES:
        raise ReadingListError(f"unknown role {role!r}; use required or optional")
    courses = store.rows("SELECT * FROM courses ORDER BY position")
    if course is not None:
        store.course(course)  # raises NotFoundError listing the known courses
        courses = [c for c in courses if c["id"] == course]
    course_ids = {c["id"] for c in courses}
    topics = [t for t in store.rows(
        "SELECT t.* FROM topics t JOIN courses c ON c.id = t.course_id ORDER BY c.position, t.position")
        if t["course_id"] in course_ids]
    if topic is not None:
        chosen = [t for t in topics if t["id"] == topic]
        if not chosen:
            where = f"course {course!r}" if course else "any course"
            known = ", ".join(t["id"] for t in topics[:30])
            raise NotFoundError(f"no topic {topic!r} in {where}; topics: {known or '(none)'}")
        topics = chosen
        course_ids = {t["course_id"] for t in topics}
        courses = [c for c in courses if c["id"] in course_ids]
    topic_ids = {(t["course_id"], t["id"]) for t in topics}
    readings = [r for r in store.rows(
        """SELECT r.* FROM readings r JOIN courses c ON c.id = r.course_id
           JOIN topics t ON t.course_id = r.course_id AND t.id = r.topic_id
           ORDER BY c.position, t.position, CASE r.role WHEN 'required' THEN 0 ELSE 1 END, r.position""")
        if (r["course_id"], r["topic_id"]) in topic_ids and (role is None or r["role"] == role)]
    unfiltered = course is None and topic is None and role is None
    everything = unfiltered if all_papers is None else all_papers
    wanted = None if everything else {r["paper_key"] for r in readings}
    papers: dict[str, dict[str, Any]] = {}
    for p in store.rows("SELECT * FROM papers ORDER BY key"):
        if wanted is None or p["key"] in wanted:
            p["fields"] = json.loads(p["fields"])
            p["authors"] = []
            papers[p["key"]] = p
    for row in store.rows(
            "SELECT pa.paper_key, a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id "
            "ORDER BY pa.paper_key, pa.position"):
        if row["paper_key"] in papers:
            papers[row["paper_key"]]["authors"].append(row["name"])
    return ExportData(
        courses=courses,
        topics=topics,
        readings=readings,
        papers=papers,
        areas=store.rows("SELECT * FROM areas ORDER BY position"),
        topic_areas=[r for r in store.rows("SELECT * FROM topic_areas ORDER BY course_id, topic_id, area_id")
                     if (r["course_id"], r["topic_id"]) in topic_ids],
        paper_areas=[r for r in store.rows("SELECT * FROM paper_areas ORDER BY paper_key, area_id")
                     if r["paper_key"] in papers],
        citations=[r for r in store.rows("SELECT * FROM citations ORDER BY citing, cited")
                   if r["citing"] in papers and r["cited"] in papers],
        selection={"course": course, "topic": topic, "role": role},
    )


def link_of(paper: dict[str, Any]) -> str | None:
    """The link a reading list shows: the arXiv abs page, else the DOI, else the stored URL.

    arXiv first because it is open to every student; a DOI is stable but often paywalled.
    The result is raw: pass it through `_safe.url` before writing markup.
    """
    if paper.get("arxiv_id"):
        return f"https://arxiv.org/abs/{paper['arxiv_id']}"
    if paper.get("doi"):
        return f"https://doi.org/{paper['doi']}"
    return paper.get("url") or None


def author_line(names: list[str], limit: int = 4) -> str:
    """`A`, `A and B`, `A, B and C`; more than `limit` names: the first three and `et al.`"""
    if not names:
        return ""
    if len(names) > limit:
        return f"{', '.join(names[:3])} et al."
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"
