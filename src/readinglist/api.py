"""The Python API: open a project, build its database, query it.

    >>> from readinglist import open_project
    >>> proj = open_project("path/to/course-repo")
    >>> summary = proj.build()
    >>> with proj.store() as db:
    ...     db.search("pipeline parallelism")
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from .models import Catalog
from .project import Project
from .store import Store, build

REFERENCES_PATH = ("enrich", "references.json")


def _references_path(project: Project) -> Path:
    return project.state_dir.joinpath(*REFERENCES_PATH)


def load_references(project: Project) -> dict[str, list[str]]:
    """What each paper cites, from the enrichment cache (empty when never enriched or unreadable)."""
    path = _references_path(project)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        papers = data.get("papers", {}) if isinstance(data, dict) else {}
        return {str(k): [str(r) for r in (v.get("references") or [])]
                for k, v in papers.items() if isinstance(v, dict)}
    except (OSError, ValueError, AttributeError):
        return {}


def sources_fingerprint(project: Project) -> str:
    """A content hash of the sources of truth and the enrichment cache, for staleness checks."""
    h = hashlib.sha256()
    refs = _references_path(project)
    for path in [*project.source_files(), *([refs] if refs.exists() else [])]:
        h.update(project.rel(path).encode())
        h.update(b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


class ReadingList(Project):
    """A project with its derived database."""

    def build(self, catalog: Catalog | None = None) -> dict[str, Any]:
        """Validate the sources and rebuild the database atomically; returns the summary."""
        cat = catalog if catalog is not None else self.load()
        return build(cat, self.db_path, extra=[("config", cat.config), ("sources", sources_fingerprint(self))],
                     references=load_references(self))

    def is_stale(self) -> bool:
        if not self.db_path.exists():
            return True
        try:
            conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
            try:
                row = conn.execute("SELECT value FROM meta WHERE key = 'sources'").fetchone()
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            return True
        return row is None or row[0] != f'"{sources_fingerprint(self)}"'

    def ensure_built(self) -> bool:
        """Rebuild when the sources changed since the last build; True if it rebuilt."""
        if self.is_stale():
            self.build()
            return True
        return False

    def store(self) -> Store:
        """The database, rebuilt first if the sources changed."""
        self.ensure_built()
        return Store(self.db_path)


def open_project(root: str | Path | None = None, db: str | Path | None = None) -> ReadingList:
    return ReadingList(root, db)
