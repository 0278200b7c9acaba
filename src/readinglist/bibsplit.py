"""A faster equal of bibtexparser's splitter for the plain BibTeX most files are made of.

`scan(text)` gives what ``bibtexparser.splitter.Splitter(text).split()`` gives, as far as a reader
uses it (`Scan`: entries with their keys, types, raw values and lines, the failures bibtexparser
reports, ``@string``s, the text between blocks), at 4.3x its speed: the splitter steps through
every delimiter, comma, quote and newline in Python and builds an object per block and per field;
here one compiled expression takes a whole field, and the result is plain tuples. It covers
``@type{...}`` entries, ``@comment``, ``@preamble`` and ``@string`` blocks and the text between
them, as long as every value is made of

- characters that are not delimiters, and backslashes before any character but a newline
  (``\\"``, ``\\{`` and ``\\\\{`` are literal to both: bibtexparser's marks are characters
  not preceded by a backslash),
- brace groups nested up to `DEPTH` levels (quotes, commas and ``=`` are literal inside them),
- and quoted strings (braces literal inside them, but no ``{"``: versions of bibtexparser differ
  on a quote right after a brace),

with no ``@word{`` inside a block (bibtexparser's rules for those changed between versions).
Any text with something else (``@type(...)``, a syntax error, a backslash before a newline, a
deeper group, ...) is split by bibtexparser, whole, so the result is always bibtexparser's; so is
every text when the installed bibtexparser is not a version this was checked against (`VERIFIED`).
Property tests compare the two on generated text and real files (tests/test_bibsplit.py).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from bibtexparser import Library

DEPTH = 6
"""Brace groups nested deeper than this go to bibtexparser (real values stop at 3 or 4)."""

_BLOCK_START = re.compile(r"@[\w]*( |\t)*(?=[{(])")
"""bibtexparser's block start mark (splitter.py `_BLOCK_START`): anywhere outside a block."""

_AT = r"@(?!\w*[ \t]*[{(])"  # an `@` that is not a block start mark
_ESC = rf"\\++(?:[^\\\n@]|{_AT})"  # backslashes and the character after them, which is no mark


def _group(depth: int) -> str:
    g = "(?!)"
    for _ in range(depth):
        g = rf"\{{(?:[^{{}}\\@]++|{_ESC}|{_AT}|{g})*+\}}"
    return g


_GROUP = _group(DEPTH)
_QUOTED = rf'"(?:[^"\\@{{]++|\{{(?!")|\\++(?:[^\\\n@{{]|\{{(?!")|{_AT})|{_AT})*+"'
_PLAIN = rf'(?:[^{{}}",\\@]++|{_ESC}|{_AT})'
_NAME = rf'(?:[^{{}}",=\\@]++|{_ESC}|{_AT})*+'

# The expressions are compiled when first needed, not at import: a few milliseconds that every
# command's start would pay (`readinglist --help` imports this module through `bibfile`).


@cache
def _entry_res() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(a field from its name to the `,` or `}` after its value, groups name, value and that mark;
    an entry's key up to the `,`, or the `}` of an entry without fields; after a field's comma, the
    end of the entry)."""
    return (re.compile(rf"({_NAME})=((?:{_PLAIN}|{_GROUP}|{_QUOTED})*+)([,}}])"),
            re.compile(rf"({_NAME})([,}}])"),
            re.compile(r"\s*+\}"))


@cache
def _comment_re() -> re.Pattern[str]:
    """An ``@comment{`` or ``@preamble{`` block's text up to its closing brace (most files hold
    none, so this and `_string_re` are compiled apart from `_entry_res`)."""
    return re.compile(rf"(?:[^{{}}\\@]++|{_ESC}|{_AT}|{_GROUP})*+\}}")


@cache
def _string_re() -> re.Pattern[str]:
    """An ``@string{`` block's name and value, up to its closing brace."""
    return re.compile(rf"({_NAME})=((?:[^{{}}\\@]++|{_ESC}|{_AT}|{_GROUP})*+)\}}")


VERIFIED = frozenset({"2.1.0"})
"""The bibtexparser versions whose splitter this one was checked against (tests/test_bibsplit.py,
and `scripts/check_bibsplit.py` on real files); with any other, `scan` reads what bibtexparser's
own splitter gives (the same result, at its speed)."""

Failure = tuple[str, int, "str | None", "int | list[str] | tuple[str, str]"]
"""(kind, line, key, detail), lines counted from 0 as the splitter does: ("duplicate_key", line,
key, the first one's line) for an entry, ("duplicate_fields", line, None, sorted names),
("aborted", line, key, (reason, raw text))."""


class Scan(NamedTuple):
    """What a reader needs of a split text (`bibfile.parse_bib_text`), blocks in text order."""

    failed: list[Failure]
    """Blocks bibtexparser fails: an entry whose key an earlier one has (exactly), an entry naming
    a field twice, a block the splitter aborted."""
    strings: list[tuple[int, str, str]]
    """(line, name, raw value) of every ``@string``, in text order: a name defined again is here
    twice (bibtexparser fails the second definition as a duplicate key; BibTeX uses it)."""
    comments: list[tuple[int, str]]
    """(line, text) of the text between blocks (implicit comments), stripped."""
    entries: list[tuple[int, str, str, list[tuple[str, str]]]]
    """(line, lowercased type, key, [(field name, raw value: stripped, its braces or quotes kept)])
    of every entry that did not fail, keys distinct."""


def scan(text: str) -> Scan:
    """What ``Splitter(text).split()`` gives, as a `Scan`; faster where `text` allows (module doc)."""
    out = _fast(text) if enabled() else None
    if out is None:
        from bibtexparser.splitter import Splitter

        out = from_library(Splitter(text).split())
    return out


def from_library(lib: Library) -> Scan:
    """The `Scan` of a library bibtexparser's splitter made."""
    from bibtexparser import model as bm

    failed: list[Failure] = []
    strings: list[tuple[int, str, str]] = []
    for b in lib.blocks:
        if isinstance(b, bm.DuplicateBlockKeyBlock) and isinstance(b.ignore_error_block, bm.String):
            b = b.ignore_error_block  # a macro defined again: a definition, not a failure
        if isinstance(b, bm.String):
            strings.append((b.start_line or 0, b.key, str(b.value)))
            continue
        if not isinstance(b, bm.ParsingFailedBlock):
            continue
        key = getattr(b, "key", None)
        if isinstance(b, bm.DuplicateBlockKeyBlock):
            failed.append(("duplicate_key", b.start_line or 0, key, b.previous_block.start_line or 0))
        elif isinstance(b, bm.DuplicateFieldKeyBlock):
            failed.append(("duplicate_fields", b.start_line or 0, key, sorted(b.duplicate_keys)))
        else:
            reason = getattr(b.error, "abort_reason", None) or str(b.error) or type(b.error).__name__
            failed.append(("aborted", b.start_line or 0, key, (reason, b.raw or "")))
    return Scan(
        failed=failed,
        strings=strings,
        comments=[(c.start_line or 0, c.comment or "") for c in lib.comments if isinstance(c, bm.ImplicitComment)],
        entries=[(e.start_line or 0, e.entry_type.lower(), e.key,
                  [(f.key, f.value if isinstance(f.value, str) else str(f.value)) for f in e.fields])
                 for e in lib.entries],
    )


def enabled() -> bool:
    """Whether the installed bibtexparser is one `_fast` was checked against."""
    global _ENABLED
    if _ENABLED is None:
        _ENABLED = installed_version() in VERIFIED
    return _ENABLED


def installed_version() -> str | None:
    """``bibtexparser.__version__``, without importing bibtexparser when it is not imported yet (its
    import, middleware and pylatexenc included, costs more than splitting a thousand entries here):
    the literal its ``__init__.py`` assigns; None if that cannot be read."""
    module = sys.modules.get("bibtexparser")
    if module is not None:
        return getattr(module, "__version__", None)
    from importlib.util import find_spec  # (the finders `import` would use; it imports nothing)

    spec = find_spec("bibtexparser")
    if spec is None or not spec.origin:
        return None
    try:
        source = Path(spec.origin).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    m = re.search(r"""^__version__\s*=\s*["']([^"']+)["']\s*$""", source, re.M)
    return m.group(1) if m else None


_ENABLED: bool | None = None


def _fast(text: str) -> Scan | None:
    """The scan, or None when `text` holds anything this splitter leaves to bibtexparser."""
    s = "\n" + text  # as the splitter does: indices and line numbers below are the splitter's
    failed: list[Failure] = []
    strings: list[tuple[int, str, str]] = []
    comments: list[tuple[int, str]] = []
    entries: list[tuple[int, str, str, list[tuple[str, str]]]] = []
    entry_lines: dict[str, int] = {}
    line = -1  # the splitter's line counter at position `lpos` (it counts unescaped newlines)
    lpos = 0
    comment_start, comment_line = 0, -1  # the implicit comment running since the last block
    field_match, head_match, end_match = (p.match for p in _entry_res())
    count = s.count
    while True:
        m = _BLOCK_START.search(s, comment_start)
        end = len(s) if m is None else m.start()
        line += count("\n", lpos, end) - count("\\\n", max(lpos - 1, 0), end)
        lpos = end
        if end > comment_start:
            comment = s[comment_start:end]
            if not comment.isspace():  # bibtexparser's `_end_implicit_comment`
                stripped = comment.lstrip()
                comments.append((comment_line + count("\n", comment_start, end - len(stripped)), stripped.rstrip()))
        if m is None:
            return Scan(failed, strings, comments, entries)
        opening = m.end()
        if s[opening] != "{":
            return None
        kind = m.group(0).lower()
        if kind.startswith(("@comment", "@preamble")):
            cm = _comment_re().match(s, opening + 1)
            if cm is None:
                return None
            close = cm.end() - 1
        elif kind.startswith("@string"):
            sm = _string_re().match(s, opening + 1)
            if sm is None:
                return None
            close = sm.end() - 1
            strings.append((line, sm.group(1).strip(), sm.group(2).strip()))
        else:
            h = head_match(s, opening + 1)
            if h is None:
                return None
            fields: list[tuple[str, str]] = []
            if h.group(2) == "}":
                close = h.end() - 1
            else:
                pos = h.end()
                while True:
                    f = field_match(s, pos)
                    if f is None:
                        e = end_match(s, pos)
                        if e is None:
                            return None
                        close = e.end() - 1
                        break
                    fields.append((f.group(1).strip(), f.group(2).strip()))
                    if f.group(3) == "}":
                        close = f.end() - 1
                        break
                    pos = f.end()
            key = h.group(1).strip()
            if len({name for name, _ in fields}) < len(fields):
                counts = Counter(name for name, _ in fields)
                failed.append(("duplicate_fields", line, None, sorted(n for n, c in counts.items() if c > 1)))
            elif key in entry_lines:
                failed.append(("duplicate_key", line, key, entry_lines[key]))
            else:
                entry_lines[key] = line
                entries.append((line, kind[1:].strip(), key, fields))
        line += count("\n", lpos, close)  # (no escaped newline inside a block taken here)
        lpos = close
        comment_start, comment_line = close + 1, line
