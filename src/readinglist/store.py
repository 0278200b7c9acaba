"""The derived SQLite knowledge base: schema, build, queries.

The database is rebuilt from the sources of truth (topics.yaml, bib/*.bib) at any time. A build
writes a new file beside the old one and renames it into place, so a failed build leaves the
previous database as it was. The same sources give a byte-identical database.
The schema is public and documented in docs/schema.md.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import NotFoundError
from .models import Catalog, Paper
from .text import authors_of, detex, venue_of

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE courses (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    institution TEXT,
    term TEXT,
    year INTEGER,
    url TEXT,
    notes TEXT,
    position INTEGER NOT NULL
);
CREATE TABLE areas (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    keywords TEXT NOT NULL DEFAULT '[]',   -- JSON list of lowercase phrases
    sources TEXT NOT NULL DEFAULT '[]',    -- JSON list of course/syllabus ids
    position INTEGER NOT NULL
);
CREATE TABLE topics (
    course_id TEXT NOT NULL REFERENCES courses(id),
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    week INTEGER,
    date TEXT,
    notes TEXT,
    position INTEGER NOT NULL,             -- 1-based order within the course
    PRIMARY KEY (course_id, id)
);
CREATE TABLE papers (
    key TEXT PRIMARY KEY,
    entry_type TEXT NOT NULL,
    title TEXT,                            -- Unicode text, LaTeX decoded
    year INTEGER,
    venue TEXT,                            -- canonical short name (SC, NeurIPS, arXiv)
    venue_full TEXT,                       -- booktitle / journal as written
    doi TEXT,
    arxiv_id TEXT,                         -- base id, no version
    url TEXT,
    pages TEXT,
    page_count INTEGER,
    abstract TEXT,
    is_preprint INTEGER NOT NULL,          -- 1 when the only version is a preprint
    provenance TEXT,
    bib_file TEXT,
    bib_line INTEGER,
    fields TEXT NOT NULL                   -- JSON object: every BibTeX field as written
);
CREATE TABLE paper_aliases (
    alias TEXT PRIMARY KEY,                -- a merged-away key (biblatex `ids`)
    paper_key TEXT NOT NULL REFERENCES papers(key)
);
CREATE TABLE authors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE              -- "First Last", LaTeX decoded
);
CREATE TABLE paper_authors (
    paper_key TEXT NOT NULL REFERENCES papers(key),
    author_id INTEGER NOT NULL REFERENCES authors(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (paper_key, position)
);
CREATE TABLE readings (
    course_id TEXT NOT NULL REFERENCES courses(id),
    topic_id TEXT NOT NULL,
    paper_key TEXT NOT NULL REFERENCES papers(key),
    role TEXT NOT NULL CHECK (role IN ('required', 'optional')),
    position INTEGER NOT NULL,             -- 1-based order within the topic
    note TEXT,
    claim TEXT,                            -- the syllabus's own venue/year tag, verbatim
    PRIMARY KEY (course_id, topic_id, paper_key),
    FOREIGN KEY (course_id, topic_id) REFERENCES topics(course_id, id)
);
CREATE TABLE topic_areas (
    course_id TEXT NOT NULL,
    topic_id TEXT NOT NULL,
    area_id TEXT NOT NULL REFERENCES areas(id),
    source TEXT NOT NULL,                  -- 'explicit' | 'inferred'
    reason TEXT,
    PRIMARY KEY (course_id, topic_id, area_id),
    FOREIGN KEY (course_id, topic_id) REFERENCES topics(course_id, id)
);
CREATE TABLE paper_areas (
    paper_key TEXT NOT NULL REFERENCES papers(key),
    area_id TEXT NOT NULL REFERENCES areas(id),
    source TEXT NOT NULL,                  -- 'explicit' | 'inferred'
    reason TEXT,
    PRIMARY KEY (paper_key, area_id)
);
CREATE TABLE citations (
    citing TEXT NOT NULL REFERENCES papers(key),
    cited TEXT NOT NULL REFERENCES papers(key),
    PRIMARY KEY (citing, cited)
);
CREATE INDEX readings_paper ON readings(paper_key);
CREATE INDEX paper_authors_author ON paper_authors(author_id);
CREATE INDEX papers_arxiv ON papers(arxiv_id);
CREATE INDEX papers_doi ON papers(doi);
CREATE VIRTUAL TABLE papers_fts USING fts5(key UNINDEXED, title, abstract, authors, tokenize = 'unicode61 remove_diacritics 2');
"""

_PAGES = re.compile(r"^\s*(\d+)\s*-+\s*(\d+)\s*$")


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
    else:
        conn = sqlite3.connect(str(path))
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _page_count(pages: str | None) -> int | None:
    if not pages:
        return None
    m = _PAGES.match(pages)
    if not m:
        return None
    a, b = int(m.group(1)), int(m.group(2))
    return b - a + 1 if b >= a else None


def _year(value: str | None) -> int | None:
    if not value:
        return None
    m = re.search(r"\d{4}", value)
    return int(m.group(0)) if m else None


def paper_row(p: Paper) -> dict[str, Any]:
    f = p.fields
    arxiv = None
    if (f.get("archiveprefix", "") or f.get("eprinttype", "")).lower() == "arxiv" and f.get("eprint"):
        arxiv = re.sub(r"v\d+$", "", f["eprint"].strip())
    venue, venue_full = venue_of(p)
    has_pub = bool(f.get("booktitle") or f.get("journal") or f.get("doi")) and venue != "arXiv"
    return {
        "key": p.key,
        "entry_type": p.entry_type,
        "title": detex(f.get("title")),
        "year": _year(f.get("year") or f.get("date")),
        "venue": venue,
        "venue_full": venue_full,
        "doi": (f.get("doi") or "").strip().lower() or None,
        "arxiv_id": arxiv,
        "url": f.get("url") or None,
        "pages": f.get("pages") or None,
        "page_count": _page_count(f.get("pages")),
        "abstract": detex(f.get("abstract")),
        "is_preprint": int(arxiv is not None and not has_pub),
        "provenance": f.get("provenance") or None,
        "bib_file": p.file,
        "bib_line": p.line,
        "fields": json.dumps(f, ensure_ascii=False, sort_keys=True),
    }


def missing_fields(row: dict[str, Any], n_authors: int) -> list[str]:
    """Key metadata a paper lacks: authors, year, venue, a stable link."""
    out = []
    if n_authors == 0:
        out.append("authors")
    if not row.get("year"):
        out.append("year")
    if not row.get("venue") and not row.get("venue_full"):
        out.append("venue")
    if not (row.get("url") or row.get("doi") or row.get("arxiv_id")):
        out.append("link")
    return out


def build(catalog: Catalog, db_path: Path, *, extra: Iterable[tuple[str, Any]] = (),
          references: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Build the database for `catalog` at `db_path`, atomically. Returns the summary.

    `references` maps a paper key to the identifiers it cites (`doi:...`, `arxiv:...`, as the
    enrichment cache records them); those naming papers of the project become `citations` rows.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=".building", dir=db_path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = OFF")  # a fresh temp file: the rename is the commit
            conn.execute("PRAGMA synchronous = OFF")
            conn.executescript(SCHEMA)
            summary = _fill(conn, catalog)
            if references:
                _fill_citations(conn, references)
            conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            for k, v in extra:
                conn.execute("INSERT INTO meta VALUES (?, ?)", (k, json.dumps(v, sort_keys=True)))
            problems = conn.execute("PRAGMA foreign_key_check").fetchall()
            if problems:  # pragma: no cover - validation catches these first
                raise RuntimeError(f"foreign key check failed: {problems[:5]}")
            conn.commit()
        finally:
            conn.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, db_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return summary


def _fill(conn: sqlite3.Connection, cat: Catalog) -> dict[str, Any]:
    from .areas import infer_areas

    conn.executemany(
        "INSERT INTO courses VALUES (?,?,?,?,?,?,?,?)",
        [(c.id, c.title, c.institution, c.term, c.year, c.url, c.notes, i + 1) for i, c in enumerate(cat.courses)],
    )
    conn.executemany(
        "INSERT INTO areas VALUES (?,?,?,?,?,?)",
        [(a.id, a.title, a.description, json.dumps(a.keywords, ensure_ascii=False),
          json.dumps(a.sources, ensure_ascii=False), i + 1) for i, a in enumerate(cat.areas)],
    )
    area_case = {a.id.lower(): a.id for a in cat.areas}
    conn.executemany(
        "INSERT INTO topics VALUES (?,?,?,?,?,?,?)",
        [(c.id, t.id, t.title, t.week, t.date, t.notes, i + 1) for c in cat.courses for i, t in enumerate(c.topics)],
    )
    rows = []
    author_ids: dict[str, int] = {}
    pa_rows = []
    fts_rows = []
    alias_rows = []
    missing: dict[str, list[str]] = {}
    for key in sorted(cat.papers):
        p = cat.papers[key]
        row = paper_row(p)
        rows.append(tuple(row.values()))
        names = authors_of(p)
        for pos, name in enumerate(names, 1):
            aid = author_ids.setdefault(name, len(author_ids) + 1)
            pa_rows.append((key, aid, pos))
        gap = missing_fields(row, len(names))
        if gap:
            missing[key] = gap
        fts_rows.append((key, row["title"] or "", row["abstract"] or "", "; ".join(names)))
        for alias in (p.fields.get("ids") or "").split(","):
            alias = alias.strip()
            if alias and alias != key and alias not in cat.papers:
                alias_rows.append((alias, key))
    conn.executemany(f"INSERT INTO papers VALUES ({','.join('?' * 17)})", rows)
    conn.executemany("INSERT INTO authors VALUES (?, ?)", [(i, n) for n, i in author_ids.items()])
    conn.executemany("INSERT INTO paper_authors VALUES (?,?,?)", pa_rows)
    conn.executemany("INSERT OR IGNORE INTO paper_aliases VALUES (?,?)", sorted(alias_rows))
    conn.executemany("INSERT INTO papers_fts (key, title, abstract, authors) VALUES (?,?,?,?)", fts_rows)
    conn.executemany(
        "INSERT INTO readings VALUES (?,?,?,?,?,?,?)",
        [(c.id, t.id, r.paper, r.role, i + 1, r.note, r.claim)
         for c in cat.courses for t in c.topics for i, r in enumerate(t.readings)],
    )
    conn.executemany(
        "INSERT INTO topic_areas VALUES (?,?,?,?,?)",
        [(c.id, t.id, area_case[a.lower()], "explicit", "listed under the topic's `areas` in topics.yaml")
         for c in cat.courses for t in c.topics for a in dict.fromkeys(t.areas)],
    )
    inferred = infer_areas(cat)
    conn.executemany("INSERT OR IGNORE INTO topic_areas VALUES (?,?,?,?,?)", inferred.topic_rows)
    conn.executemany("INSERT OR IGNORE INTO paper_areas VALUES (?,?,?,?)", inferred.paper_rows)

    by_role = {"required": 0, "optional": 0}
    for c in cat.courses:
        for t in c.topics:
            for r in t.readings:
                by_role[r.role] += 1
    return {
        "courses": [
            {
                "id": c.id,
                "title": c.title,
                "topics": len(c.topics),
                "topics_with_readings": sum(1 for t in c.topics if t.readings),
                "required": sum(1 for t in c.topics for r in t.readings if r.role == "required"),
                "optional": sum(1 for t in c.topics for r in t.readings if r.role == "optional"),
            }
            for c in cat.courses
        ],
        "topics": sum(len(c.topics) for c in cat.courses),
        "readings": by_role,
        "papers": len(cat.papers),
        "authors": len(author_ids),
        "areas": len(cat.areas),
        "missing": missing,
    }


def _fill_citations(conn: sqlite3.Connection, references: dict[str, list[str]]) -> None:
    by_id: dict[str, str] = {}
    for key, doi, arxiv in conn.execute("SELECT key, doi, arxiv_id FROM papers ORDER BY key"):
        if doi:
            by_id.setdefault(f"doi:{doi.lower()}", key)
        if arxiv:
            by_id.setdefault(f"arxiv:{arxiv}", key)
    known = {r[0] for r in conn.execute("SELECT key FROM papers")}
    rows = set()
    for citing, refs in references.items():
        if citing not in known:
            continue
        for ref in refs:
            kind, _, ident = str(ref).partition(":")
            ident = ident.lower() if kind.lower() == "doi" else ident
            if kind.lower() == "arxiv":
                ident = re.sub(r"v\d+$", "", ident)
            cited = by_id.get(f"{kind.lower()}:{ident}")
            if cited and cited != citing:
                rows.add((citing, cited))
    conn.executemany("INSERT INTO citations VALUES (?, ?)", sorted(rows))


# ---------------------------------------------------------------- queries


class Store:
    """Read access to a built database."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.conn = connect(self.path, readonly=True)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(sql, tuple(params))]

    def courses(self) -> list[dict[str, Any]]:
        return self.rows(
            """SELECT c.*, (SELECT count(*) FROM topics t WHERE t.course_id = c.id) AS topics,
                      (SELECT count(*) FROM readings r WHERE r.course_id = c.id AND r.role = 'required') AS required,
                      (SELECT count(*) FROM readings r WHERE r.course_id = c.id AND r.role = 'optional') AS optional
               FROM courses c ORDER BY c.position""")

    def course(self, course_id: str) -> dict[str, Any]:
        rows = self.rows("SELECT * FROM courses WHERE id = ?", [course_id])
        if not rows:
            known = ", ".join(r["id"] for r in self.rows("SELECT id FROM courses ORDER BY position"))
            raise NotFoundError(f"unknown course {course_id!r}; known courses: {known or '(none)'}")
        return rows[0]

    def topics(self, course_id: str | None = None) -> list[dict[str, Any]]:
        if course_id is not None:
            self.course(course_id)
        return self.rows(
            """SELECT t.*, (SELECT count(*) FROM readings r WHERE r.course_id = t.course_id AND r.topic_id = t.id AND r.role = 'required') AS required,
                      (SELECT count(*) FROM readings r WHERE r.course_id = t.course_id AND r.topic_id = t.id AND r.role = 'optional') AS optional
               FROM topics t JOIN courses c ON c.id = t.course_id
               WHERE (? IS NULL OR t.course_id = ?) ORDER BY c.position, t.position""",
            [course_id, course_id])

    def readings(self, course_id: str | None = None, topic_id: str | None = None) -> list[dict[str, Any]]:
        return self.rows(
            """SELECT r.*, p.title, p.year, p.venue FROM readings r
               JOIN topics t ON t.course_id = r.course_id AND t.id = r.topic_id
               JOIN courses c ON c.id = r.course_id JOIN papers p ON p.key = r.paper_key
               WHERE (? IS NULL OR r.course_id = ?) AND (? IS NULL OR r.topic_id = ?)
               ORDER BY c.position, t.position, CASE r.role WHEN 'required' THEN 0 ELSE 1 END, r.position""",
            [course_id, course_id, topic_id, topic_id])

    def resolve_key(self, ident: str) -> str | None:
        """A paper key from a key (any case), an alias, an arXiv id in any form or a DOI."""
        ident = ident.strip()
        for sql, val in (
            ("SELECT key FROM papers WHERE key = ?", ident),
            ("SELECT key FROM papers WHERE lower(key) = lower(?)", ident),
            ("SELECT paper_key FROM paper_aliases WHERE alias = ?", ident),
        ):
            row = self.conn.execute(sql, (val,)).fetchone()
            if row:
                return str(row[0])
        from .text import ident_forms

        arxiv, doi = ident_forms(ident)
        if arxiv:
            row = self.conn.execute("SELECT key FROM papers WHERE arxiv_id = ? ORDER BY key", (arxiv,)).fetchone()
            if row:
                return str(row[0])
        if doi:
            row = self.conn.execute("SELECT key FROM papers WHERE doi = ? ORDER BY key", (doi,)).fetchone()
            if row:
                return str(row[0])
        return None

    def paper(self, ident: str) -> dict[str, Any]:
        key = self.resolve_key(ident)
        if key is None:
            raise NotFoundError(f"no paper {ident!r}; try `readinglist search {ident}`")
        paper = self.rows("SELECT * FROM papers WHERE key = ?", [key])[0]
        paper["fields"] = json.loads(paper["fields"])
        paper["authors"] = [r["name"] for r in self.rows(
            "SELECT a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id WHERE pa.paper_key = ? ORDER BY pa.position",
            [key])]
        paper["readings"] = self.rows(
            """SELECT r.course_id, r.topic_id, t.title AS topic_title, r.role, r.position, r.note, r.claim
               FROM readings r JOIN topics t ON t.course_id = r.course_id AND t.id = r.topic_id
               JOIN courses c ON c.id = r.course_id WHERE r.paper_key = ? ORDER BY c.position, t.position""", [key])
        paper["areas"] = self.rows(
            "SELECT area_id, source, reason FROM paper_areas WHERE paper_key = ? ORDER BY area_id", [key])
        return paper

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Papers matching any user text: an identifier, or words in title/abstract/authors.

        User text is never passed to FTS5 as syntax: words are quoted, so `NOT`, `c++`, `"x`
        or `title:` are searched for as words, and a trailing `*` on a word keeps prefix search.
        """
        key = self.resolve_key(query) if query.strip() else None
        if key:
            return self.rows("SELECT key, title, year, venue FROM papers WHERE key = ?", [key])
        terms = fts_terms(query)
        if not terms:
            return []
        return self.rows(
            """SELECT p.key, p.title, p.year, p.venue FROM papers_fts f JOIN papers p ON p.key = f.key
               WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts, 0, 10.0, 1.0, 5.0), p.key LIMIT ?""",
            [" ".join(terms), limit])

    def summary(self) -> dict[str, Any]:
        courses = self.courses()
        missing = {}
        for r in self.rows("SELECT p.*, (SELECT count(*) FROM paper_authors pa WHERE pa.paper_key = p.key) AS n FROM papers p ORDER BY key"):
            gap = missing_fields(r, r["n"])
            if gap:
                missing[r["key"]] = gap
        return {"courses": courses, "missing": missing}


_WORD = re.compile(r"\w+\*?", re.UNICODE)


def fts_terms(query: str) -> list[str]:
    """FTS5 terms for user text: each word quoted; `word*` keeps prefix matching."""
    out = []
    for w in _WORD.findall(query):
        star = w.endswith("*")
        w = w.rstrip("*")
        if w:
            out.append(f'"{w}"' + ("*" if star else ""))
    return out


@contextmanager
def open_store(path: Path) -> Iterator[Store]:
    s = Store(path)
    try:
        yield s
    finally:
        s.close()
