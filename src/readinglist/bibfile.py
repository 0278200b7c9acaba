"""Reading .bib files without inheriting bibtexparser's silent failures (docs: traps.md §3).

`read_bib(path)` returns entries as `Paper`s plus a list of problems located by file:line:key:
failed blocks, duplicate keys (also case-only), duplicate fields (also case-only), text that
bibtexparser silently dropped (an extra `}`) or swallowed into a value (a missing comma),
and bytes that are not UTF-8.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .bibsplit import scan
from .errors import SourceFileError
from .models import Paper

# A value that swallowed the next field because of a missing comma: "Foo}\n  year={2020"
_SWALLOWED = re.compile(r"[}\"]\s*\n\s*[A-Za-z][\w-]*\s*=\s*[{\"\d]")
# Text outside any entry that looks like a field: what is left after an extra "}"
_STRAY_FIELD = re.compile(r"^\s*,?\s*[A-Za-z][\w-]*\s*=\s*[{\"\d]", re.M)


@dataclass
class BibReadResult:
    papers: list[Paper] = field(default_factory=list)
    problems: list[SourceFileError] = field(default_factory=list)
    strings: dict[str, str] = field(default_factory=dict)
    """``@string`` name -> value (braces or quotes removed); a name defined twice: the later one."""
    warnings: list[SourceFileError] = field(default_factory=list)
    """What is read, but not as written: macros defined again."""
    bare: dict[int, frozenset[str]] = field(default_factory=dict)
    """Index in `papers` -> its fields written without braces or quotes that no ``@string`` of the
    file resolved: ``#`` concatenations and macros of other files (what an importer must expand)."""


def decode_bytes(data: bytes, path: str) -> str:
    """UTF-8 (a BOM is accepted). Anything else is refused with the byte offset."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        raise SourceFileError(path, None, "file is UTF-16; convert it to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceFileError(
            path, line,
            f"not UTF-8 at byte {exc.start} (0x{data[exc.start]:02x}); convert the file to UTF-8 "
            "(e.g. iconv -f LATIN1 -t UTF-8) or import it with `readinglist import bib`, which detects legacy encodings",
        ) from None


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def duplicate_key_message(first: int | None, again: int | None) -> str:
    return f"duplicate citation key (at lines {first} and {again}); rename or merge one"


def case_duplicate_message(first_key: str, first_line: int | None) -> str:
    return (f"citation key differs only in case from {first_key!r} at line {first_line}; "
            "keys are case-insensitive, rename one")


def parse_bib_text(text: str, path: str, first_line: int = 1) -> BibReadResult:
    """Parse BibTeX text; every problem is reported, never raised.

    Values come out as bibtexparser's default middleware gives them (a bare word naming an
    ``@string`` of this file replaced by its value, then one level of braces or quotes removed),
    computed here from the splitter's raw values instead (`unenclose`): the same result for a
    fraction of the cost, and it tells exactly which values were not enclosed (`BibReadResult.bare`).
    `first_line`: the line number of the text's first line (a piece of a larger file).
    """
    result = BibReadResult()
    sc = scan(text)  # = bibtexparser.parse_string(text, parse_stack=[]), faster
    for kind, at, key, detail in sc.failed:
        line = at + first_line
        if kind == "duplicate_key":
            assert isinstance(detail, int)
            msg = duplicate_key_message(detail + first_line, line)
        elif kind == "duplicate_fields":
            assert isinstance(detail, list)
            msg = f"duplicate field(s) {', '.join(detail)}; keep one"
        else:
            assert isinstance(detail, tuple)
            reason, raw = detail
            head = raw.strip().splitlines()[0][:60] if raw.strip() else ""
            msg = f"unparseable BibTeX block ({reason}) starting {head!r}; check its braces and commas"
        result.problems.append(SourceFileError(path, line, msg, key))
    macros: dict[str, str] = {}  # lowercase name -> raw value; a later definition wins, as in BibTeX
    first_lines: dict[str, int] = {}
    again: list[str] = []
    for at, s_name, raw_value in sc.strings:
        low = s_name.lower()
        if low in first_lines:
            again.append(f"{s_name} at lines {first_lines[low] + first_line} and {at + first_line}")
        else:
            first_lines[low] = at
        macros[low] = raw_value
        result.strings[s_name] = unenclose(raw_value)[0]
    if again:
        result.warnings.append(SourceFileError(
            path, None,
            f"{len(again)} @string macro(s) defined twice ({'; '.join(again[:5])}"
            f"{'; ...' if len(again) > 5 else ''}): the later definition is used, as BibTeX does"))
    for at, raw in sc.comments:
        if _STRAY_FIELD.search(raw):
            result.problems.append(SourceFileError(
                path, at + first_line,
                f"text outside any entry looks like a field ({raw.strip()[:40]!r}): an extra '}}' "
                "probably closed the entry above early; fix the braces",
            ))
    seen: dict[str, Paper] = {}
    for at, entry_type, entry_key, raw_fields in sc.entries:
        line = at + first_line
        fields: dict[str, str] = {}
        bare: list[str] = []
        for f_name, value in raw_fields:
            name = f_name.lower()
            if name not in _GOOD_NAMES:
                if not _FIELD_NAME.match(name):
                    result.problems.append(SourceFileError(
                        path, line, f"field name {name[:60]!r} is not a BibTeX field name (letters, digits, "
                        "'-' and '_'; a comment or stray text inside the entry?); fix the entry", entry_key))
                    continue
                _GOOD_NAMES.add(name)
            if name in fields:
                result.problems.append(SourceFileError(
                    path, line, f"field {name!r} given twice (differing only in case); keep one", entry_key))
                continue
            if macros and not _delimited(value):
                value = macros.get(value.lower(), value)
            end = len(value) - 1
            if end > 0 and value[0] == "{" and value[end] == "}" and value.find("{", 1, end) < 0 \
                    and value.find("}", 1, end) < 0 and value[end - 1] != "\\":
                value = value[1:end]  # `unenclose`'s common case, inline (and without copies)
            else:
                value, enclosed = unenclose(value)
                if not enclosed and not value.isdigit():
                    bare.append(name)
            if "\n" in value and _SWALLOWED.search(value):
                result.problems.append(SourceFileError(
                    path, line,
                    f"field {name!r} swallowed the next field (a missing comma?): {value[:50]!r}", entry_key))
            fields[name] = value
        low = entry_key.lower()
        if low in seen:
            first = seen[low]
            result.problems.append(SourceFileError(
                path, line,
                case_duplicate_message(first.key, first.line), entry_key))
            continue
        p = Paper(key=entry_key, entry_type=entry_type, fields=fields, file=path, line=line)
        seen[low] = p
        if bare:
            result.bare[len(result.papers)] = frozenset(bare)
        result.papers.append(p)
    return result


_FIELD_NAME = re.compile(r"[a-z][a-z0-9_-]*\Z")
"""Field names the project can write (`bibwrite.FIELD_RE`), lowercased."""
_GOOD_NAMES: set[str] = set()


def _delimited(value: str) -> bool:
    """Starts and ends with a quote, or with braces (bibtexparser's test for "not a macro name")."""
    return (value.startswith('"') and value.endswith('"')) or (value.startswith("{") and value.endswith("}"))


_BRACES = re.compile(r"(?<!\\)[{}]")
_BRACES_AND_QUOTE = re.compile(r'(?<!\\)[{}"]')


def unenclose(value: str) -> tuple[str, bool]:
    """(`value` without its enclosing braces or quotes, whether it had them), as bibtexparser's
    remove-enclosing middleware decides: ``{a} # {b}`` and ``"a" # "b"`` are not enclosed, nor is
    ``{a\\}``; braces and quotes after a backslash do not count; quotes inside braces do not count."""
    v = value.strip()
    if len(v) < 2:
        return v, False
    first, last = v[0], v[-1]
    if first == "{" and last == "}":
        inner = v[1:-1]
        if "{" not in inner and "}" not in inner:
            return (inner, True) if not inner.endswith("\\") else (v, False)
        depth, end = 0, len(v) - 1
        for m in _BRACES.finditer(v):
            if m.group() == "{":
                depth += 1
                continue
            depth -= 1
            if depth < 0 or (depth == 0 and m.start() != end):
                return v, False
        return (inner, True) if depth == 0 else (v, False)
    if first == '"' and last == '"':
        end = len(v) - 1
        if v.find('"', 1, end) < 0:
            return v[1:-1], True
        depth = 0
        for m in _BRACES_AND_QUOTE.finditer(v):
            i = m.start()
            if i == 0 or i == end:
                continue
            ch = m.group()
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth = max(depth - 1, 0)
            elif depth == 0:
                return v, False
        return v[1:-1], True
    return v, False


def read_bib(path: Path, display: str | None = None) -> BibReadResult:
    name = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return BibReadResult(problems=[SourceFileError(name, None, f"cannot read: {exc.strerror}")])
    try:
        text = decode_bytes(data, name)
    except SourceFileError as exc:
        return BibReadResult(problems=[exc])
    return parse_bib_text(text, name)
