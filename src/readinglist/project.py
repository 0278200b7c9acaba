"""The project folder: topics.yaml and bib/*.bib read and validated; atomic writes.

`Project.load()` returns a `Catalog` or raises `ValidationError` listing every problem found,
each with file, line and id, so a user can fix them all in one pass.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from . import yamlsrc
from .bibfile import read_bib
from .errors import ReadingListError, SourceFileError, ValidationError
from .models import ROLES, Area, Catalog, Course, Paper, Reading, Topic

TOPICS_FILE = "topics.yaml"
BIB_DIR = "bib"
STATE_DIR = ".readinglist"
DB_NAME = "readinglist.db"
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` so that readers see the old or the new file, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def find_root(root: str | os.PathLike[str] | None = None) -> Path:
    """The project folder: `root`, else $READINGLIST_ROOT, else the current directory."""
    if root is None:
        root = os.environ.get("READINGLIST_ROOT") or os.getcwd()
    return Path(root).expanduser().resolve()


class Project:
    """A project folder on disk."""

    def __init__(self, root: str | os.PathLike[str] | None = None, db_path: str | os.PathLike[str] | None = None) -> None:
        self.root = find_root(root)
        self.db_path = Path(db_path).resolve() if db_path else self.root / STATE_DIR / DB_NAME

    @property
    def topics_path(self) -> Path:
        return self.root / TOPICS_FILE

    @property
    def bib_dir(self) -> Path:
        return self.root / BIB_DIR

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def bib_files(self) -> list[Path]:
        if not self.bib_dir.is_dir():
            return []
        return sorted(self.bib_dir.rglob("*.bib"))

    def source_files(self) -> list[Path]:
        files = [self.topics_path] if self.topics_path.exists() else []
        return files + self.bib_files()

    def load(self) -> Catalog:
        """Read and validate the sources of truth."""
        if not self.topics_path.exists():
            raise ReadingListError(
                f"no {TOPICS_FILE} in {self.root}; run `readinglist init` to start a project, "
                "or pass --root DIR (or set READINGLIST_ROOT) to point at one")
        problems: list[SourceFileError] = []
        cat = Catalog()
        lower: dict[str, Paper] = {}
        for bib in self.bib_files():
            res = read_bib(bib, self.rel(bib))
            problems.extend(res.problems)
            for p in res.papers:
                other = lower.get(p.key.lower())
                if other is not None:
                    problems.append(SourceFileError(
                        p.file or "?", p.line,
                        f"citation key also defined at {other.file}:{other.line}"
                        + (" (differs only in case)" if other.key != p.key else "") + "; keep one",
                        p.key))
                    continue
                cat.papers[p.key] = p
                lower[p.key.lower()] = p
        rel = self.rel(self.topics_path)
        try:
            text = self.topics_path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError([SourceFileError(rel, None, f"not UTF-8 at byte {exc.start}; save it as UTF-8")]) from None
        try:
            root = yamlsrc.load(text, rel)
            parse_catalog(root, rel, cat, problems)
        except SourceFileError as exc:
            problems.append(exc)
        if problems:
            raise ValidationError(problems)
        return cat


def _get(node: yamlsrc.Node, name: str) -> yamlsrc.Node | None:
    return node.value.get(name) if node.kind == "map" else None


def _expect(node: yamlsrc.Node | None, kind: str, path: str, what: str) -> Any:
    if node is None or node.kind == "null":
        return {} if kind == "map" else []
    if node.kind != kind:
        raise SourceFileError(path, node.line, f"{what} must be a {'mapping' if kind == 'map' else 'list'}")
    return node.value


def _check_keys(node: yamlsrc.Node, allowed: set[str], path: str, what: str, problems: list[SourceFileError]) -> None:
    for k, v in node.value.items():
        if k not in allowed:
            problems.append(SourceFileError(
                path, v.line, f"unknown field {k!r} in {what}; allowed: {', '.join(sorted(allowed))}"))


def _slug(node: yamlsrc.Node | None, path: str, what: str, line: int) -> str:
    value = yamlsrc.text(node, path, what, strict_id=True)
    if not value:
        raise SourceFileError(path, line, f"{what} is missing")
    if not SLUG.match(value):
        raise SourceFileError(path, node.line if node else line,
                              f"{what} {value!r} must be letters, digits, '-', '_' or '.' (no spaces)", value)
    return value


def _int(node: yamlsrc.Node | None, path: str, what: str) -> int | None:
    if node is None or node.kind == "null":
        return None
    if node.kind != "int":
        raise SourceFileError(path, node.line, f"{what} must be an integer")
    return int(node.value)


def _strlist(node: yamlsrc.Node | None, path: str, what: str) -> list[str]:
    out = []
    for item in _expect(node, "seq", path, what):
        s = yamlsrc.text(item, path, what)
        if s is not None:
            out.append(s)
    return out


def parse_catalog(root: yamlsrc.Node, path: str, cat: Catalog, problems: list[SourceFileError]) -> None:
    """Fill `cat` from the topics.yaml tree; append every problem found to `problems`."""
    if root.kind != "map":
        raise SourceFileError(path, root.line, "topics.yaml must be a mapping with `version`, `courses`, `areas`")
    _check_keys(root, {"version", "config", "areas", "courses"}, path, "the top level", problems)
    version = _get(root, "version")
    if version is not None and (version.kind != "int" or version.value != 1):
        problems.append(SourceFileError(path, version.line, "unsupported `version`; this readinglist reads version 1"))
    cfg = _get(root, "config")
    if cfg is not None:
        _expect(cfg, "map", path, "config")
        cat.config = yamlsrc.plain(cfg)

    area_ids: dict[str, int] = {}
    for an in _expect(_get(root, "areas"), "seq", path, "areas"):
        try:
            if an.kind != "map":
                raise SourceFileError(path, an.line, "each area must be a mapping with id and title")
            _check_keys(an, {"id", "title", "description", "keywords", "sources"}, path, "an area", problems)
            aid = _slug(_get(an, "id"), path, "area id", an.line)
            if aid.lower() in area_ids:
                raise SourceFileError(path, an.line, f"duplicate area id (first at line {area_ids[aid.lower()]})", aid)
            area_ids[aid.lower()] = an.line
            cat.areas.append(Area(
                id=aid,
                title=yamlsrc.text(_get(an, "title"), path, "area title") or aid,
                description=yamlsrc.text(_get(an, "description"), path, "area description") or "",
                keywords=_strlist(_get(an, "keywords"), path, "area keywords"),
                sources=_strlist(_get(an, "sources"), path, "area sources"),
                line=an.line,
            ))
        except SourceFileError as exc:
            problems.append(exc)

    course_ids: dict[str, int] = {}
    for cn in _expect(_get(root, "courses"), "seq", path, "courses"):
        try:
            if cn.kind != "map":
                raise SourceFileError(path, cn.line, "each course must be a mapping with id and title")
            _check_keys(cn, {"id", "title", "institution", "term", "url", "notes", "topics"}, path, "a course", problems)
            cid = _slug(_get(cn, "id"), path, "course id", cn.line)
            if cid.lower() in course_ids:
                raise SourceFileError(path, cn.line, f"duplicate course id (first at line {course_ids[cid.lower()]})", cid)
            course_ids[cid.lower()] = cn.line
            course = Course(
                id=cid,
                title=yamlsrc.text(_get(cn, "title"), path, "course title") or cid,
                institution=yamlsrc.text(_get(cn, "institution"), path, "institution"),
                term=yamlsrc.text(_get(cn, "term"), path, "term"),
                url=yamlsrc.text(_get(cn, "url"), path, "url"),
                notes=yamlsrc.text(_get(cn, "notes"), path, "notes"),
                line=cn.line,
            )
            cat.courses.append(course)
            topic_ids: dict[str, int] = {}
            for tn in _expect(_get(cn, "topics"), "seq", path, f"topics of {cid}"):
                try:
                    topic = _parse_topic(tn, path, cid, topic_ids, area_ids, cat, problems)
                    course.topics.append(topic)
                except SourceFileError as exc:
                    problems.append(exc)
        except SourceFileError as exc:
            problems.append(exc)


def _parse_topic(tn: yamlsrc.Node, path: str, cid: str, topic_ids: dict[str, int], area_ids: dict[str, int],
                 cat: Catalog, problems: list[SourceFileError]) -> Topic:
    if tn.kind != "map":
        raise SourceFileError(path, tn.line, f"each topic of {cid} must be a mapping with id and title")
    _check_keys(tn, {"id", "title", "week", "date", "notes", "areas", "not_areas", "readings"}, path, "a topic", problems)
    tid = _slug(_get(tn, "id"), path, "topic id", tn.line)
    if tid.lower() in topic_ids:
        raise SourceFileError(path, tn.line, f"duplicate topic id in course {cid} (first at line {topic_ids[tid.lower()]})", tid)
    topic_ids[tid.lower()] = tn.line
    topic = Topic(
        id=tid,
        title=yamlsrc.text(_get(tn, "title"), path, "topic title") or tid,
        week=_int(_get(tn, "week"), path, "week"),
        date=yamlsrc.text(_get(tn, "date"), path, "date"),
        notes=yamlsrc.text(_get(tn, "notes"), path, "notes"),
        areas=_strlist(_get(tn, "areas"), path, "topic areas"),
        not_areas=_strlist(_get(tn, "not_areas"), path, "topic not_areas"),
        line=tn.line,
    )
    for field_name, ids in (("areas", topic.areas), ("not_areas", topic.not_areas)):
        an = _get(tn, field_name)
        for a in ids:
            if a.lower() not in area_ids:
                problems.append(SourceFileError(path, an.line if an else tn.line,
                                                f"topic {cid}/{tid} names unknown area {a!r} in `{field_name}`; add it under `areas`", a))
    seen: dict[str, int] = {}
    for rn in _expect(_get(tn, "readings"), "seq", path, f"readings of {cid}/{tid}"):
        try:
            if rn.kind != "map":
                raise SourceFileError(path, rn.line, "each reading must be a mapping with paper and role")
            _check_keys(rn, {"paper", "role", "note", "claim"}, path, "a reading", problems)
            key = yamlsrc.text(_get(rn, "paper"), path, "paper key", strict_id=True)
            if not key:
                raise SourceFileError(path, rn.line, f"a reading of {cid}/{tid} has no `paper`")
            role = yamlsrc.text(_get(rn, "role"), path, "role")
            if role not in ROLES:
                raise SourceFileError(path, rn.line, f"unknown role {role!r} for {key}; use required or optional", key)
            if key not in cat.papers:
                hint = next((p for k, p in cat.papers.items() if k.lower() == key.lower()), None)
                msg = f"reading in {cid}/{tid} names unknown paper {key!r}; " + (
                    f"did you mean {hint.key!r}?" if hint else "add its entry to bib/ (or `readinglist add ID`)")
                raise SourceFileError(path, rn.line, msg, key)
            if key in seen:
                raise SourceFileError(path, rn.line, f"paper is on topic {cid}/{tid} twice (first at line {seen[key]}); remove one", key)
            seen[key] = rn.line
            topic.readings.append(Reading(
                paper=key, role=role,  # type: ignore[arg-type]  # checked against ROLES above
                note=yamlsrc.text(_get(rn, "note"), path, "note"),
                claim=yamlsrc.text(_get(rn, "claim"), path, "claim"),
                line=rn.line,
            ))
        except SourceFileError as exc:
            problems.append(exc)
    return topic
