"""The safe BibTeX writer: one normalized entry per paper, nothing a value holds can break out.

    >>> print(format_entry("smith2020foo", "misc", {"title": "Foo", "author": "Smith, Ann", "year": "2020"}))
    @misc{smith2020foo,
      author = {Smith, Ann},
      title = {Foo},
      year = {2020},
    }
    <BLANKLINE>

Rules (traps.md section 5, "BibTeX"): every value is written in braces; braces a value leaves
unbalanced are replaced by ``\\textbraceleft{}``/``\\textbraceright{}``, a trailing backslash by
``\\textbackslash{}``, control characters are dropped and whitespace (newlines included) collapsed,
so a value can neither close its field nor open an entry. Keys, entry types and field names are
checked against strict patterns. `append_entries` re-parses what it is about to write and compares
it field by field before replacing the file atomically.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import ReadingListError

__all__ = ["FIELD_ORDER", "BibEntry", "append_entries", "format_entry", "format_entries", "safe_value", "verify_text"]

FIELD_ORDER: tuple[str, ...] = (
    "author", "editor", "title", "booktitle", "journal", "year", "month", "volume", "number", "pages",
    "publisher", "organization", "institution", "school", "address", "edition", "series", "howpublished",
    "isbn", "issn", "doi", "venue", "eprint", "archiveprefix", "primaryclass", "url", "note", "abstract",
    "keywords", "ids", "verification", "provenance",
)
_ORDER = {name: i for i, name in enumerate(FIELD_ORDER)}
VERIFY_CHUNK = 2000

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.+/-]*$")
TYPE_RE = re.compile(r"^[a-z]+$")
FIELD_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class BibEntry:
    """What the writer needs: key, type and fields (lowercase names, LaTeX values)."""

    key: str
    entry_type: str
    fields: Mapping[str, str]


_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
_BACKSLASH_PAIR = re.compile(r"\\([\\{}]|$)")


def _balance(value: str) -> str:
    """Replace braces that do not pair up by ``\\textbraceleft{}``/``\\textbraceright{}``."""
    if "{" not in value and "}" not in value:
        return value
    stack: list[int] = []
    bad: set[int] = set()
    for i, ch in enumerate(value):
        if ch == "{":
            stack.append(i)
        elif ch == "}":
            if stack:
                stack.pop()
            else:
                bad.add(i)
    bad.update(stack)
    if not bad:
        return value
    return "".join((_ESCAPES[ch] if i in bad else ch) for i, ch in enumerate(value))


def safe_value(value: str) -> str:
    """A value that can go between ``{`` and ``}`` safely; idempotent.

    BibTeX counts every brace while bibtexparser skips a brace after a backslash, so escaped braces
    (``\\{``), double backslashes and a trailing backslash are rewritten as text commands first:
    then both count the same braces, and the unpaired ones are replaced.
    """
    v = _SPACE.sub(" ", _CONTROL.sub("", str(value))).strip()
    if "\\" in v:
        v = _BACKSLASH_PAIR.sub(lambda m: _ESCAPES.get(m.group(1), _ESCAPES["\\"]), v)
    return _balance(v)


def _sort_key(name: str) -> tuple[int, str]:
    return (_ORDER.get(name, len(_ORDER)), name)


def format_entry(key: str, entry_type: str, fields: Mapping[str, str]) -> str:
    """One entry in the project's normalized layout (fixed field order, braced values, trailing comma)."""
    if not KEY_RE.match(key):
        raise ReadingListError(f"citation key {key!r} is not safe to write; keys use letters, digits and _:.+/-")
    etype = entry_type.lower()
    if not TYPE_RE.match(etype):
        raise ReadingListError(f"entry type {entry_type!r} is not a BibTeX type")
    lines = [f"@{etype}{{{key},"]
    for name in sorted((n.lower() for n in fields), key=_sort_key):
        if not FIELD_RE.match(name):
            raise ReadingListError(f"field name {name!r} of {key} is not a BibTeX field name")
    seen: set[str] = set()
    for name, value in sorted(((n.lower(), v) for n, v in fields.items()), key=lambda nv: _sort_key(nv[0])):
        if name in seen:
            raise ReadingListError(f"field {name!r} given twice for {key}")
        seen.add(name)
        v = safe_value(value)
        if v == "":
            continue
        lines.append(f"  {name} = {{{v}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def format_entries(entries: Iterable[BibEntry]) -> str:
    return "\n".join(format_entry(e.key, e.entry_type, e.fields) for e in entries)


def verify_text(text: str, entries: list[BibEntry]) -> None:
    """Re-parse `text` and check it holds exactly `entries` (safe values) and nothing else."""
    from .bibfile import parse_bib_text

    res = parse_bib_text(text, "<output>")
    if res.problems:
        raise ReadingListError(f"internal error: written BibTeX would not re-parse cleanly: {res.problems[0]}")
    got = {p.key: p for p in res.papers}
    want = {e.key: e for e in entries}
    if set(got) != set(want):
        raise ReadingListError("internal error: written BibTeX has different entries than intended: "
                               f"{sorted(set(got) ^ set(want))[:5]}")
    for k, e in want.items():
        expected = {n.lower(): safe_value(v) for n, v in e.fields.items() if safe_value(v) != ""}
        if got[k].fields != expected or got[k].entry_type != e.entry_type.lower():
            diff = sorted(n for n in set(expected) | set(got[k].fields)
                          if expected.get(n) != got[k].fields.get(n))
            raise ReadingListError(f"internal error: entry {k} would re-parse differently (fields {diff})")


def append_entries(path: Path, entries: list[BibEntry], header: str | None = None, verify: bool = True) -> str:
    """Append `entries` to the .bib file at `path` (created if missing), atomically; returns the new text.

    The new entries are re-parsed and compared before anything is written (`verify`).
    """
    from .project import atomic_write

    chunks = []
    for i in range(0, len(entries), VERIFY_CHUNK):  # bounded memory for the verifying re-parse
        part = entries[i:i + VERIFY_CHUNK]
        text = format_entries(part)
        if verify:
            verify_text(text, part)
        chunks.append(text)
    new = "\n".join(chunks)
    old = path.read_text(encoding="utf-8-sig") if path.exists() else ""
    if not old and header:
        old = "".join(f"% {line}\n" for line in header.splitlines()) + "\n"
    sep = "" if not old or old.endswith("\n\n") else ("\n" if old.endswith("\n") else "\n\n")
    text = old + sep + new
    atomic_write(path, text)
    return text
