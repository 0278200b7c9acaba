"""A faster equivalent of bibtexparser's splitter for the plain BibTeX most files are made of.

`split(text)` returns what ``bibtexparser.splitter.Splitter(text).split()`` returns (the same
blocks, keys, raw values, raw text and line numbers, in a `bibtexparser.Library`), for a
fraction of the cost: the splitter steps through every delimiter, comma, quote and newline in
Python; here one compiled expression takes a whole field. It covers ``@type{...}`` entries,
``@comment{...}`` and the text between blocks, as long as every value is made of

- characters that are not delimiters, and backslashes before any character but a newline
  (``\\"``, ``\\{`` and ``\\\\{`` are literal to both: bibtexparser's marks are characters
  not preceded by a backslash),
- brace groups nested up to `DEPTH` levels (quotes, commas and ``=`` are literal inside them),
- and quoted strings (braces literal inside them, but no ``{"``: versions of bibtexparser differ
  on a quote right after a brace),

with no ``@word{`` inside an entry (bibtexparser's rules for those changed between versions).
Any text with something else (``@string``, ``@preamble``, ``@type(...)``, a syntax error, a
deeper group, ...) is handed whole to bibtexparser, so the result is always bibtexparser's.
A property test compares the two on generated and real files (tests/test_bibsplit.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bibtexparser import Library
    from bibtexparser.model import ImplicitComment

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

_FIELD = re.compile(rf"({_NAME})=((?:{_PLAIN}|{_GROUP}|{_QUOTED})*+)([,}}])")
"""A field from its name to the `,` or `}` after its value (groups: name, value, that mark)."""
_HEAD = re.compile(rf"({_NAME})([,}}])")
"""An entry's key, up to the `,` (or the `}` of an entry without fields)."""
_END = re.compile(r"\s*+\}")
"""After a field's comma: the end of the entry (a trailing comma)."""
_COMMENT = re.compile(rf"(?:[^{{}}\\@]++|{_ESC}|{_AT}|{_GROUP})*+\}}")
"""An ``@comment{`` or ``@preamble{`` block's text up to its closing brace."""
_STRING = re.compile(rf"({_NAME})=((?:[^{{}}\\@]++|{_ESC}|{_AT}|{_GROUP})*+)\}}")
"""An ``@string{`` block's name and value, up to its closing brace."""


VERIFIED = frozenset({"2.1.0"})
"""The bibtexparser versions whose splitter this one was checked against (tests/test_bibsplit.py);
with any other, `split` is bibtexparser's own (the same result, at its speed)."""


def split(text: str) -> Library:
    """``Splitter(text).split()``, computed faster where `text` allows (see the module doc)."""
    lib = _fast(text) if enabled() else None
    if lib is None:
        from bibtexparser.splitter import Splitter

        lib = Splitter(text).split()
    return lib


def enabled() -> bool:
    """Whether the installed bibtexparser is one `_fast` was checked against."""
    global _ENABLED
    if _ENABLED is None:
        import bibtexparser

        _ENABLED = getattr(bibtexparser, "__version__", None) in VERIFIED
    return _ENABLED


_ENABLED: bool | None = None


def _fast(text: str) -> Library | None:
    """The library, or None when `text` holds anything this splitter leaves to bibtexparser."""
    from bibtexparser import Library
    from bibtexparser.model import (
        DuplicateFieldKeyBlock,
        Entry,
        ExplicitComment,
        Field,
        Preamble,
        String,
    )

    s = "\n" + text  # as the splitter does: indices and line numbers below are the splitter's
    lib = Library()
    add = lib.add
    line = -1  # the splitter's line counter at position `lpos` (it counts unescaped newlines)
    lpos = 0
    comment_start, comment_line = 0, -1  # the implicit comment running since the last block
    field_match, head_match, end_match = _FIELD.match, _HEAD.match, _END.match
    count = s.count
    while True:
        m = _BLOCK_START.search(s, comment_start)
        end = len(s) if m is None else m.start()
        line += count("\n", lpos, end) - count("\\\n", max(lpos - 1, 0), end)
        lpos = end
        c = _implicit_comment(s, comment_start, end, comment_line)
        if c is not None:
            add(c, fail_on_duplicate_key=False)
        if m is None:
            return lib
        opening = m.end()
        if s[opening] != "{":
            return None
        kind = m.group(0).lower()
        start_line = line
        if kind.startswith(("@comment", "@preamble")):
            cm = _COMMENT.match(s, opening + 1)
            if cm is None:
                return None
            close = cm.end() - 1
            if kind.startswith("@comment"):
                add(ExplicitComment(start_line=start_line, comment=s[opening + 1:close].strip(),
                                    raw=s[m.start():close + 1]), fail_on_duplicate_key=False)
            else:
                add(Preamble(start_line=start_line, value=s[opening + 1:close], raw=s[m.start():close + 1]),
                    fail_on_duplicate_key=False)
        elif kind.startswith("@string"):
            sm = _STRING.match(s, opening + 1)
            if sm is None:
                return None
            close = sm.end() - 1
            add(String(start_line=start_line, key=sm.group(1).strip(), value=sm.group(2).strip(),
                       raw=s[m.start():close + 1]), fail_on_duplicate_key=False)
        else:
            h = head_match(s, opening + 1)
            if h is None:
                return None
            key = h.group(1).strip()
            fields: list[Field] = []
            names: set[str] = set()
            duplicates: set[str] = set()
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
                    eq = f.end(1)
                    line += count("\n", lpos, eq)
                    lpos = eq
                    name = f.group(1).strip()
                    if name in names:
                        duplicates.add(name)
                    names.add(name)
                    fields.append(Field(start_line=line, key=name, value=f.group(2).strip()))
                    if f.group(3) == "}":
                        close = f.end() - 1
                        break
                    pos = f.end()
            entry = Entry(start_line=start_line, entry_type=kind[1:].strip(), key=key, fields=fields,
                          raw=s[m.start():close + 1])
            add(DuplicateFieldKeyBlock(duplicate_keys=duplicates, entry=entry) if duplicates else entry,
                fail_on_duplicate_key=False)
        line += count("\n", lpos, close)  # (no escaped newline inside a block taken here)
        lpos = close
        comment_start, comment_line = close + 1, line


def _implicit_comment(s: str, start: int, end: int, start_line: int) -> ImplicitComment | None:
    """bibtexparser's `_end_implicit_comment`: the text between blocks, if any, its leading blank
    lines dropped (and counted into its line), its trailing whitespace too."""
    comment = s[start:end]
    if not comment or comment.isspace():
        return None
    from bibtexparser.model import ImplicitComment

    stripped = comment.lstrip()
    comment = stripped.rstrip()
    return ImplicitComment(start_line=start_line + s.count("\n", start, end - len(stripped)), raw=comment,
                           comment=comment)
