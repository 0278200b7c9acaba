"""The Python API: open a project, build its database, query it.

    >>> from readinglist import open_project
    >>> proj = open_project("path/to/course-repo")
    >>> summary = proj.build()
    >>> with proj.store() as db:
    ...     db.search("pipeline parallelism")
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from .models import Catalog
from .project import Project
from .store import Store, build


def sources_fingerprint(project: Project) -> str:
    """A content hash of the sources of truth (paths and bytes), for staleness checks."""
    h = hashlib.sha256()
    for path in project.source_files():
        h.update(project.rel(path).encode())
        h.update(b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


class ReadingList(Project):
    """A project with its derived database."""

    def build(self, catalog: Catalog | None = None) -> dict[str, Any]:
        """Validate the sources and rebuild the database atomically; returns the summary."""
        cat = catalog if catalog is not None else self.load()
        return build(cat, self.db_path, extra=[("config", cat.config), ("sources", sources_fingerprint(self))])

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
