"""Editing topics.yaml in place, keeping its comments, order and formatting (ruamel.yaml round trip).

    with TopicsEditor(project.topics_path) as ed:
        ed.add_topic("cs294-sp22", {"id": "serving", "title": "Model Serving"})
        ed.add_reading("cs294-sp22", "serving", {"paper": "crankshaw2017clipper", "role": "required"})

On a clean exit the new text is checked with the strict loader (so an edit can never produce a file
that `readinglist build` refuses for its YAML) and written atomically; on an exception nothing is
written. `project_lock` serializes writers across processes.
"""

from __future__ import annotations

import fcntl
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import NotFoundError, ReadingListError, SourceFileError
from .project import atomic_write

_TEXT_FIELDS = {"title", "institution", "term", "url", "notes", "note", "claim", "date", "description"}


@contextmanager
def project_lock(state_dir: Path) -> Iterator[None]:
    """An exclusive lock on the project's sources for the duration of a write."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / "write.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _needs_quotes(value: str) -> bool:
    """True when YAML 1.1 or 1.2 would read the plain scalar as something other than this string."""
    import yaml

    try:
        return not isinstance(yaml.safe_load(value), str) or yaml.safe_load(value) != value
    except yaml.YAMLError:
        return True


def _scalar(key: str, value: Any) -> Any:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, str) and (key in _TEXT_FIELDS or _needs_quotes(value)):
        return DoubleQuotedScalarString(value)
    return value


def _node(value: Any, key: str = "") -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            if v is None or v == "":
                continue
            m[k] = _node(v, k)
        return m
    if isinstance(value, list):
        seq = CommentedSeq(_node(v, key) for v in value)
        if key in ("areas", "keywords", "sources") and all(isinstance(v, str) for v in value):
            seq.fa.set_flow_style()
        return seq
    return _scalar(key, value)


class TopicsEditor:
    """Round-trip editor for topics.yaml; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: Any = None
        self.changed = False

    def __enter__(self) -> TopicsEditor:
        y = _yaml()
        if self.path.exists():
            text = self.path.read_text(encoding="utf-8-sig")
            from . import yamlsrc

            yamlsrc.load(text, self.path.name)  # refuse to edit a file the strict loader rejects
            self.data = y.load(text)
        if self.data is None:
            from ruamel.yaml.comments import CommentedMap

            self.data = CommentedMap([("version", 1), ("courses", []), ("areas", [])])
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None and self.changed:
            atomic_write(self.path, self.dumps())

    def dumps(self) -> str:
        from . import yamlsrc

        buf = io.StringIO()
        _yaml().dump(self.data, buf)
        text = buf.getvalue()
        try:
            yamlsrc.load(text, self.path.name)
        except SourceFileError as err:  # pragma: no cover - a bug in the editor, not user input
            raise ReadingListError(f"internal error: the edited {self.path.name} would not load ({err}); nothing was written") from None
        return text

    # ---- lookups

    def _seq(self, parent: Any, key: str) -> Any:
        from ruamel.yaml.comments import CommentedSeq

        if parent.get(key) is None:
            parent[key] = CommentedSeq()
        return parent[key]

    def course(self, course_id: str) -> Any:
        for c in self.data.get("courses") or []:
            if str(c.get("id")).lower() == course_id.lower():
                return c
        raise NotFoundError(f"unknown course {course_id!r}; add it first (or check the id)")

    def has_course(self, course_id: str) -> bool:
        try:
            self.course(course_id)
            return True
        except NotFoundError:
            return False

    def topic(self, course_id: str, topic_id: str) -> Any:
        for t in self.course(course_id).get("topics") or []:
            if str(t.get("id")).lower() == topic_id.lower():
                return t
        raise NotFoundError(f"unknown topic {topic_id!r} in course {course_id!r}; use --create-topic to add it")

    def has_topic(self, course_id: str, topic_id: str) -> bool:
        try:
            self.topic(course_id, topic_id)
            return True
        except NotFoundError:
            return False

    def has_reading(self, course_id: str, topic_id: str, paper: str) -> bool:
        return any(str(r.get("paper")) == paper for r in self.topic(course_id, topic_id).get("readings") or [])

    # ---- edits

    def add_course(self, course: dict[str, Any]) -> None:
        if self.has_course(course["id"]):
            raise ReadingListError(f"course {course['id']!r} already exists in {self.path.name}")
        course = dict(course)
        course.setdefault("topics", [])
        self._seq(self.data, "courses").append(_node(course))
        self.changed = True

    def add_topic(self, course_id: str, topic: dict[str, Any], position: int | None = None) -> None:
        if self.has_topic(course_id, topic["id"]):
            raise ReadingListError(f"topic {topic['id']!r} already exists in course {course_id!r}")
        topic = dict(topic)
        topic.setdefault("readings", [])
        seq = self._seq(self.course(course_id), "topics")
        seq.insert(len(seq) if position is None else position, _node(topic))
        self.changed = True

    def add_reading(self, course_id: str, topic_id: str, reading: dict[str, Any], position: int | None = None) -> bool:
        """Add a reading; False (and no change) if the paper is already on that topic."""
        if self.has_reading(course_id, topic_id, reading["paper"]):
            return False
        t = self.topic(course_id, topic_id)
        seq = t.get("readings")
        if seq is None or (len(seq) == 0 and getattr(seq, "fa", None) is not None and seq.fa.flow_style()):
            from ruamel.yaml.comments import CommentedSeq

            seq = CommentedSeq()  # replace an empty flow list `readings: []` with a block list
            t["readings"] = seq
        seq.insert(len(seq) if position is None else position, _node(reading))
        self.changed = True
        return True

    def add_area(self, area: dict[str, Any]) -> None:
        if any(str(a.get("id")).lower() == area["id"].lower() for a in self.data.get("areas") or []):
            raise ReadingListError(f"area {area['id']!r} already exists")
        self._seq(self.data, "areas").append(_node(area))
        self.changed = True


def _yaml_str(value: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    import json

    return json.dumps(value, ensure_ascii=False)


def fast_append_reading(text: str, course_id: str, topic: Any, reading: dict[str, Any]
                        ) -> str | None:
    """topics.yaml with `reading` appended after the topic's last reading, by inserting lines
    in the file's own indentation: every other byte stays. None when the layout is not the
    plain block form (the caller then uses the round-trip editor). The result is checked with
    the strict loader: it must load to exactly the old data plus the new reading.

    The round-trip editor parses and re-emits the whole file (seconds for a thousand readings);
    this keeps `readinglist add` fast on large files.
    """
    import copy
    import re

    from readinglist import yamlsrc

    if not topic.readings or topic.readings[-1].line is None:
        return None
    lines = text.splitlines(keepends=True)
    start = topic.readings[-1].line - 1
    if start >= len(lines):
        return None
    m = re.match(r"^( *)- +paper:", lines[start])
    if m is None or not lines[-1].endswith("\n"):
        return None
    indent = len(m.group(1))
    end = start + 1
    for i in range(start + 1, len(lines)):
        body = lines[i].strip()
        if not body:
            continue
        lead = len(lines[i]) - len(lines[i].lstrip(" "))
        if lead <= indent:
            break
        end = i + 1
    pad, inner = " " * indent, " " * (indent + 2)
    new = [f"{pad}- paper: {reading['paper']}\n", f"{inner}role: {reading['role']}\n"]
    for k in ("note", "claim"):
        if reading.get(k):
            new.append(f"{inner}{k}: {_yaml_str(str(reading[k]))}\n")
    out = "".join(lines[:end] + new + lines[end:])
    try:
        before = yamlsrc.plain(yamlsrc.load(text, "topics.yaml"))
        after = yamlsrc.plain(yamlsrc.load(out, "topics.yaml"))
    except Exception:  # noqa: BLE001 - any doubt: let the round-trip editor do it
        return None
    expected = copy.deepcopy(before)
    try:
        c = next(c for c in expected["courses"] if str(c.get("id")) == course_id)
        t = next(t for t in c["topics"] if str(t.get("id")) == topic.id)
        t["readings"].append({k: v for k, v in reading.items() if v not in (None, "")})
    except (KeyError, StopIteration, TypeError, AttributeError):
        return None
    return out if after == expected else None
