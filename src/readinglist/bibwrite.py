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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from .errors import ReadingListError

__all__ = ["FIELD_ORDER", "RISKY_RE", "BibEntry", "append_entries", "entry_heads", "format_entries", "format_entry",
           "entry_body", "needs_reparse", "reparse_problem", "risky_part", "safe_raw_value", "safe_value", "verify_text"]

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
_NOT_PLAIN = re.compile(r"[\x00-\x1f\x7f-\x9f\\{}]|[^\S ]|  |^ | $")
_ASCII_RISKY = re.compile(r"[\x00-\x1f\x7f\\]")


@dataclass(frozen=True)
class BibEntry:
    """What the writer needs: key, type and fields (lowercase names, LaTeX values)."""

    key: str
    entry_type: str
    fields: Mapping[str, str]
    body: Body | None = None
    """The field lines made ahead (`entry_body`) for these fields without ``ids``, or None."""


Body = tuple[str, str, int]
"""(the field lines before ``ids``, those after it, how many fields they hold): `entry_body`."""


_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
_BRACE = re.compile(r"[{}]")
_BACKSLASH_PAIR = re.compile(r"\\([\\{}]|$)")


def _balance(value: str) -> str:
    """Replace braces that do not pair up by ``\\textbraceleft{}``/``\\textbraceright{}``."""
    if "{" not in value and "}" not in value:
        return value
    stack: list[int] = []
    bad: set[int] = set()
    for m in _BRACE.finditer(value):
        if m.group() == "{":
            stack.append(m.start())
        elif stack:
            stack.pop()
        else:
            bad.add(m.start())
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
    if isinstance(value, str) and _plain(value):
        return value  # single-spaced, no controls, backslashes or braces: `_safe_value` would not change it
    return _safe_value(value)


def _plain(value: str) -> bool:
    """`_NOT_PLAIN` finds nothing in `value` (an ASCII value needs one character-class scan only:
    its blanks other than the space are all control characters)."""
    if value.isascii():
        return _ascii_clean(value) and "{" not in value and "}" not in value
    return not _NOT_PLAIN.search(value)


def _ascii_clean(value: str) -> bool:
    """An ASCII `value` with no control character, backslash, double or edge blank (braces allowed)."""
    return value.isascii() and not _ASCII_RISKY.search(value) and "  " not in value and value[:1] != " " \
        and value[-1:] != " "


def _safe_value(value: str) -> str:
    v = _SPACE.sub(" ", _CONTROL.sub("", str(value))).strip()
    if "\\" in v:
        v = _BACKSLASH_PAIR.sub(lambda m: _ESCAPES.get(m.group(1), _ESCAPES["\\"]), v)
    return _balance(v)


_LINE_AT = re.compile(r"(\n[ \t\r\f\v]*)@")
_UNESCAPED_BRACE = re.compile(r"(?<!\\)[{}]")


def _balanced_as_parsed(value: str) -> bool:
    depth = 0
    for m in _UNESCAPED_BRACE.finditer(value):
        depth += 1 if m.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def _brace_fix(value: str) -> str:
    """Escape unbalanced braces, counting as bibtexparser does (``\\{`` is not a brace)."""
    out: list[str] = []
    opens: list[int] = []
    prev = ""
    for ch in value:
        if ch == "{" and prev != "\\":
            opens.append(len(out))
            out.append(ch)
        elif ch == "}" and prev != "\\":
            if opens:
                opens.pop()
                out.append(ch)
            else:
                out.append("\\}")
        else:
            out.append(ch)
        prev = ch
    for i in opens:
        out[i] = "\\{"
    return "".join(out)


def safe_raw_value(value: str) -> str:
    """The export policy: a stored value written as it is (LaTeX, line breaks and all) unless
    bibtexparser would misread it. A well-formed value is returned unchanged; otherwise braces that
    do not balance (counted as bibtexparser counts: not after a backslash) become ``\\{``/``\\}``,
    trailing backslashes go, and an ``@`` starting a line becomes ``{@}``. (`safe_value` is the
    import policy: it also normalizes whitespace and makes BibTeX and bibtexparser count alike.)"""
    if not RISKY_RE.search(value):
        return value
    v = value.rstrip("\\")
    v = _LINE_AT.sub(r"\1{@}", v)
    if v.startswith("@"):
        v = "{@}" + v[1:]
    if not _balanced_as_parsed(v):
        v = _brace_fix(v)
    return v.rstrip("\\")


def _sort_key(name: str) -> tuple[int, str]:
    return (_ORDER.get(name, len(_ORDER)), name)


_GOOD_FIELDS: set[str] = set()


@lru_cache(maxsize=1 << 15)
def _token(value: str) -> tuple[str, bool]:
    """(``{safe value}`` or ``""`` for a value that is empty once safe, whether it must be
    re-parsed (`needs_reparse`)); cached: venues, publishers, addresses, months and years recur in nearly every entry."""
    if _ascii_clean(value) and (("{" not in value and "}" not in value) or _balanced_as_parsed(value)):
        # no control character, backslash or stray blank, and any braces pair up: `safe_value`
        # leaves it as it is and `needs_reparse` says no (titles with protected words: most)
        return ("{" + value + "}", False) if value else ("", False)
    v = safe_value(value)
    return ("{" + v + "}", needs_reparse(v)) if v else ("", False)


def _entry(key: str, entry_type: str, fields: Mapping[str, str]) -> tuple[str, list[tuple[str, str]]]:
    """(entry text, [(field, value as written)]) in the normalized layout."""
    text, written, _ = _entry_parts(key, entry_type, fields)
    return text, written


def _check_head(key: str, entry_type: str) -> str:
    """The entry type to write (lowercase), after checking it and the key against their patterns."""
    if not KEY_RE.match(key):
        raise ReadingListError(f"citation key {key!r} is not safe to write; keys use letters, digits and _:.+/-")
    etype = entry_type.lower()
    if not TYPE_RE.match(etype):
        raise ReadingListError(f"entry type {entry_type!r} is not a BibTeX type")
    return etype


def _field_tokens(key: str, fields: Mapping[str, str]) -> Iterator[tuple[int, str, str, bool]]:
    """(order, lowercase name, ``{safe value}``, whether it must be re-parsed) of each field with a
    non-empty value, in the written order; a name that is not a field name, or given twice
    (ignoring case), raises."""
    last = len(_ORDER)
    named = sorted([(_ORDER.get(n, last), n, v) for n, v in ((n.lower(), v) for n, v in fields.items())],
                   key=_FIRST_TWO)
    prev = None
    for order, name, value in named:
        if name not in _GOOD_FIELDS:
            if not FIELD_RE.match(name):
                raise ReadingListError(f"field name {name!r} of {key} is not a BibTeX field name")
            _GOOD_FIELDS.add(name)
        if name == prev:
            raise ReadingListError(f"field {name!r} given twice for {key}")
        prev = name
        token, bad = _token(value) if isinstance(value, str) else _token(safe_value(value))
        if token:
            yield order, name, token, bad


def _entry_parts(key: str, entry_type: str, fields: Mapping[str, str]) -> tuple[str, list[tuple[str, str]], list[str]]:
    """`_entry` and the written values that must be re-parsed (`needs_reparse` of their inside)."""
    lines = [f"@{_check_head(key, entry_type)}{{{key},"]
    written: list[tuple[str, str]] = []
    risky: list[str] = []
    for _, name, token, bad in _field_tokens(key, fields):
        lines.append(f"  {name} = {token},")
        written.append((name, token))
        if bad:
            risky.append(token)
    lines.append("}")
    return "\n".join(lines) + "\n", written, risky


_FIRST_TWO = itemgetter(0, 1)  # (order, name): values are never compared


_IDS_ORDER = _ORDER["ids"]


def entry_body(fields: Mapping[str, str]) -> tuple[Body, list[str]] | None:
    """The field lines of an entry with `fields` (no ``ids``), split where an ``ids`` line goes, as
    `_entry_parts` writes them, and the tokens among them that must be re-parsed.

    Made while reading (in a pool worker), so that writing only has to add the key line and the
    ``ids`` that keys and merges decide later (`format_chunk`). None when `fields` holds ``ids``
    or a name `_entry_parts` refuses: those entries are formatted whole (and refused then).
    """
    if "ids" in fields:
        return None
    names = tuple(fields)
    layout = _LAYOUTS.get(names) or _field_layout(names)
    if layout is None:
        return None
    if len(_LAYOUTS) < 4096:
        _LAYOUTS[names] = layout
    parts: tuple[list[str], list[str]] = ([], [])
    risky: list[str] = []
    for name, low, where in layout:
        value = fields[name]
        token, bad = _token(value) if isinstance(value, str) else _token(safe_value(value))
        if token:
            parts[where].append(f"  {low} = {token},\n")
            if bad:
                risky.append(token)
    return ("".join(parts[0]), "".join(parts[1]), len(fields)), risky


FieldLayout = tuple[tuple[str, str, int], ...]
_LAYOUTS: dict[tuple[str, ...], FieldLayout] = {}
"""Field names in input order -> `_field_layout`: the entries of one source share a few."""


def _field_layout(names: tuple[str, ...]) -> FieldLayout | None:
    """((name, lowercase name, 0 if before ``ids`` else 1), ...) in the order `_field_tokens`
    writes them, after its checks of the names; None for names it refuses."""
    try:
        order = [(pos, name) for pos, name, _, _ in _field_tokens("", dict.fromkeys(names, "x"))]
    except ReadingListError:
        return None
    original = {n.lower(): n for n in names}
    return tuple((original[name], name, 0 if pos < _IDS_ORDER else 1) for pos, name in order)


def format_entry(key: str, entry_type: str, fields: Mapping[str, str]) -> str:
    """One entry in the project's normalized layout (fixed field order, braced values, trailing comma)."""
    return _entry(key, entry_type, fields)[0]


def format_entries(entries: Iterable[BibEntry]) -> str:
    return "\n".join(format_entry(e.key, e.entry_type, e.fields) for e in entries)


# ---------------------------------------------------------------------------------- verification
#
# Every writer of BibTeX in the project (this module, `export.bibtex`) checks its output by
# re-parsing it with bibtexparser before anything is written. Re-parsing a whole bibliography
# costs as much as reading it, so only the values that could be misread are re-parsed; the
# argument that this is enough (bibtexparser 2.1, `splitter.py`):
#
# 1. The splitter only reacts to "marks": ``{`` ``}`` ``"`` ``,`` ``=`` newline not preceded by
#    a backslash, and a block start ``@word`` followed by ``{``/``(``. Inside a braced value
#    (depth >= 1) ``"``, ``,`` and ``=`` are ignored and a newline only counts lines; a block
#    start aborts only at the start of a line.
# 2. So a value written as ``{v}`` where v holds none of ``{`` ``}`` ``\`` ``@`` (`RISKY_RE`)
#    is read back as exactly ``{v}``: its closing brace is a mark (no backslash before it) at
#    depth 0, nothing inside moves the depth or aborts, and the remove-enclosing middleware
#    gives v back. A bare word (``month = nov``) holds no mark at all.
# 3. How the splitter reads a value depends only on the value's own characters (the character
#    before its ``{`` is a blank; a line start for an ``@`` is looked for back to the previous
#    newline, which for an ``@`` on the value's first line goes past its ``{``). A risky value
#    re-parsed in an entry of its own is therefore read exactly as it is in the full text.
# 4. Keys, entry types and field names are checked against patterns holding no mark, and the
#    number of lines starting with ``@`` (the only place a block can start) must equal the
#    number of entries, so no value opens an entry of its own.
# 5. Braces alone do not make a value risky either: in a v with no backslash and no newline
#    whose braces pair up (the depth never drops below 0 and ends at 0), every brace is a mark,
#    the depth inside ``{v}`` stays >= 1 until v's own closing brace (so ``"`` ``,`` ``=`` are
#    ignored), and an ``@`` cannot abort, as it is never at a line start (point 3): ``{v}`` is
#    read back exactly. So only values with a backslash, a newline or unpaired braces
#    (`needs_reparse`) are re-parsed (`safe_value` pairs braces and drops newlines, so for
#    written values that means: a backslash).
# Hence: the full text re-parses as intended iff the risky values re-parse as intended.

RISKY_RE = re.compile(r"[{}\\@]")
"""Characters that can change how bibtexparser splits a braced value (see the argument above)."""


def needs_reparse(v: str) -> bool:
    """Whether ``{v}`` could be read back as anything else (points 2 and 5 above): v holds a
    backslash or a newline, or braces that do not pair up."""
    if "\\" in v or "\n" in v:
        return True
    if "{" not in v and "}" not in v:
        return False
    depth = 0
    for m in _BRACE.finditer(v):
        depth += 1 if m.group() == "{" else -1
        if depth < 0:
            return True
    return depth != 0

Expected = list[tuple[str, str, list[tuple[str, str]]]]
"""[(entry type, key, [(field name, value exactly as written: ``{...}`` or a bare word)])]."""


def risky_part(expected: Expected) -> Expected:
    """`expected` reduced to the fields whose written value could be misread, and to the entries
    holding such fields (what `reparse_problem` must see, argument above)."""
    out = []
    for etype, key, fields in expected:
        risky = [(n, tok) for n, tok in fields if RISKY_RE.search(tok, 1, len(tok) - 1) or not _inert_token(tok)]
        if risky:
            out.append((etype, key, risky))
    return out


_BARE_TOKEN = re.compile(r"[A-Za-z0-9]+")


def _inert_token(tok: str) -> bool:
    return (len(tok) >= 2 and tok[0] == "{" and tok[-1] == "}") or bool(_BARE_TOKEN.fullmatch(tok))


_LINE_START_AT = re.compile(r"^\s*@", re.M)


def entry_heads(text: str) -> int:
    """How many ``@`` stand at a line start (after blanks): where bibtexparser may start a block.

    A line start as the splitter sees it (`Splitter._is_at_line_start`): only whitespace between
    the ``@`` and the previous newline or the start of the text (one regex scan)."""
    return len(_LINE_START_AT.findall(text))


def reparse_problem(text: str, expected: Expected) -> tuple[str, str | None] | None:
    """Re-parse `text` (no middleware: values come back exactly as written) and compare it with
    `expected`. None if equal, else (what differs, the key involved): ``failed:LINE``, ``count``,
    ``entry`` (missing or other type), ``fields:a,b``. Read as bibtexparser's splitter reads it
    (`bibsplit.scan`: its equal, which hands bibtexparser whatever it does not cover)."""
    from .bibsplit import scan

    sc = scan(text)
    if sc.failed:
        return f"failed:{sc.failed[0][1] + 1}", sc.failed[0][2]
    got = {key: (etype, fields) for _, etype, key, fields in sc.entries}
    if len(sc.entries) != len(expected) or len(got) != len(expected):
        return "count", None
    for etype, key, fields in expected:
        e = got.get(key)
        if e is None or e[0].lower() != etype.lower():
            return "entry", key
        back = {name.lower(): value for name, value in e[1]}
        want = {n.lower(): tok for n, tok in fields}
        if back != want:
            return "fields:" + ",".join(sorted(k for k in set(back) | set(want) if back.get(k) != want.get(k))), key
    return None


def _check(text: str, expected: Expected) -> None:
    """`text` (made from `expected`) re-parses as intended: keys distinct, one ``@`` line per entry,
    and each distinct risky value re-parsed once (by point 3 above, a value reads the same in
    any entry and under any field name, so repeated booktitles and publishers are parsed once)."""
    tokens = _check_tokens(text, expected)
    _raise_probe_problem(_reparse_tokens(tokens), tokens, expected)


def _check_tokens(text: str, expected: Expected) -> list[str]:
    """The cheap part of `_check` (distinct keys, ``@`` lines); returns the risky tokens to re-parse."""
    if len({key.lower() for _, key, _ in expected}) != len(expected):
        raise ReadingListError("internal error: written BibTeX would hold a citation key twice")
    if entry_heads(text) != len(expected):
        raise ReadingListError("internal error: written BibTeX has a value that starts an entry")
    return list(dict.fromkeys(tok for _, _, fields in risky_part(expected) for _, tok in fields))


def _reparse_tokens(tokens: list[str]) -> tuple[str, str | None] | None:
    """`reparse_problem` of the distinct risky tokens laid out as probe entries (any process)."""
    probe: Expected = [("misc", f"v{i}", [(f"f{j}", tok) for j, tok in enumerate(tokens[i:i + _PROBE_FIELDS])])
                       for i in range(0, len(tokens), _PROBE_FIELDS)]
    if not probe:
        return None
    return reparse_problem("\n".join(_layout(*p) for p in probe), probe)


def _raise_probe_problem(problem: tuple[str, str | None] | None, tokens: list[str], expected: Expected) -> None:
    if problem is not None:
        what, key = problem
        where = ""
        if what.startswith("fields:") and key is not None:
            i = int(key[1:]) + int(what[7:].split(",")[0][1:])
            where = next((f", entry {k}" for _, k, fields in expected if any(t == tokens[i] for _, t in fields)), "")
        raise ReadingListError(f"internal error: written BibTeX would not re-parse as intended ({what}{where})")


_PROBE_FIELDS = 50


def _layout(etype: str, key: str, fields: list[tuple[str, str]]) -> str:
    return "\n".join([f"@{etype}{{{key},", *(f"  {n} = {tok}," for n, tok in fields), "}"]) + "\n"


def verify_text(text: str, entries: list[BibEntry]) -> None:
    """Re-parse all of `text` and check it holds exactly `entries` (safe values) and nothing else."""
    expected = [(e.entry_type.lower(), e.key, _entry(e.key, e.entry_type, e.fields)[1]) for e in entries]
    problem = reparse_problem(text, expected)
    if problem is not None:
        what, key = problem
        raise ReadingListError(f"internal error: written BibTeX would not re-parse as intended ({what}"
                               + (f", entry {key}" if key else "") + ")")


def _expected(part: list[BibEntry], made: list[tuple[str, list[tuple[str, str]]]]) -> Expected:
    return [(e.entry_type.lower(), e.key, w) for e, (_, w) in zip(part, made, strict=True)]


def append_entries(path: Path, entries: list[BibEntry], header: str | None = None, verify: bool = True,
                   map_chunks: Callable[..., Iterable[tuple[bytes, tuple[str, str | None] | None]]] | None = None,
                   *, text: bool = True) -> str:
    """Append `entries` to the .bib file at `path` (created if missing), atomically; returns the new text.

    The new entries are checked before anything is written (`verify`): the values that could be
    misread are re-parsed and compared, the rest are inert by construction (argument above).
    They are formatted and checked in chunks (`format_chunk`; bounded memory for the re-parse);
    `map_chunks` (e.g. a process pool's ``map``) may do the chunks elsewhere: the entries go out,
    UTF-8 bytes and the re-parse outcome come back, and the file does not depend on where.
    With ``text=False`` the new file's text is not returned (``""``) and never held as one string
    (a str holding one emoji takes 4 bytes a character).
    """
    from .project import atomic_write

    size = VERIFY_CHUNK if map_chunks is None else POOL_CHUNK
    parts = [entries[i:i + size] for i in range(0, len(entries), size)]
    # chunks of entries whose lines were made ahead are only put together: done here, with the
    # few entries among them that were not (merged ones, crossref children; shipping a whole chunk
    # to a worker for those costs more than formatting them here)
    here = [sum(e.body is None or not _body_fits(e) for e in part) * 8 <= len(part) for part in parts]
    remote = iter((map_chunks or map)(format_chunk, [p for p, h in zip(parts, here, strict=True) if not h],
                                      [verify] * (len(parts) - sum(here))))
    results = (format_chunk(part, verify) if h else next(remote) for part, h in zip(parts, here, strict=True))
    chunks: list[bytes] = []
    for part, (chunk, problem) in zip(parts, results, strict=True):
        if problem is not None:  # locate it here (rare): the chunk's risky tokens again
            made = [_entry_parts(e.key, e.entry_type, e.fields) for e in part]
            tokens = list(dict.fromkeys(tok for _, _, risky in made for tok in risky))
            _raise_probe_problem(problem, tokens, _expected(part, [(t, w) for t, w, _ in made]))
        chunks.append(chunk)
    old = path.read_text(encoding="utf-8-sig") if path.exists() else ""
    if not old and header:
        old = "".join(f"% {line}\n" for line in header.splitlines()) + "\n"
    sep = "" if not old or old.endswith("\n\n") else ("\n" if old.endswith("\n") else "\n\n")
    data = (old + sep).encode("utf-8") + b"\n".join(chunks)
    del chunks
    atomic_write(path, data)
    return data.decode("utf-8") if text else ""


def _body_fits(e: BibEntry) -> bool:
    """`e.body` was made for `e.fields` (plus, now, any ``ids``): the same number of fields (merges
    only add fields; `importers.bibtex.plan_entry` drops the body when one does)."""
    assert e.body is not None
    return e.body[2] == len(e.fields) - ("ids" in e.fields)


def _with_body(e: BibEntry) -> tuple[str, list[tuple[str, str]], list[str]]:
    """`_entry_parts` of an entry whose field lines were made ahead (their tokens checked then)."""
    assert e.body is not None
    etype = _check_head(e.key, e.entry_type)
    ids = e.fields.get("ids")
    token, bad = _token(ids) if ids else ("", False)
    text = f"@{etype}{{{e.key},\n{e.body[0]}" + (f"  ids = {token},\n" if token else "") + f"{e.body[1]}}}\n"
    return text, [], [token] if bad else []


POOL_CHUNK = 500
"""Entries per chunk when a pool formats them: enough chunks to keep every worker busy."""


def format_chunk(part: list[BibEntry], verify: bool = True) -> tuple[bytes, tuple[str, str | None] | None]:
    """`part` in the normalized layout as UTF-8, and (with `verify`) `_reparse_tokens` of its
    distinct risky values, after the cheap checks (distinct keys, one ``@`` line per entry)."""
    made = [_entry_parts(e.key, e.entry_type, e.fields) if e.body is None or not _body_fits(e) else _with_body(e)
            for e in part]
    chunk = "\n".join(t for t, _, _ in made)
    problem = None
    if verify:  # `_check_tokens`, with the risky tokens known from `_token`
        if len({e.key.lower() for e in part}) != len(part):
            raise ReadingListError("internal error: written BibTeX would hold a citation key twice")
        # each text starts with its own `@type{` line; only one holding another '@' can hold
        # another head, and a line start in a text is one in the chunk (`entry_heads` of the
        # chunk, without a regex scan of every line)
        if sum(entry_heads(t) if t.find("@", 1) != -1 else 1 for t, _, _ in made) != len(part):
            raise ReadingListError("internal error: written BibTeX has a value that starts an entry")
        problem = _reparse_tokens(list(dict.fromkeys(tok for _, _, risky in made for tok in risky)))
    return chunk.encode("utf-8"), problem
