"""`readinglist import bib`: real-world BibTeX into the project's normalized bib/ files.

Pipeline: bytes -> text (UTF-8, or a detected legacy encoding, or refused with the byte offset) ->
`bibfile.parse_bib_text` (bibtexparser plus the checks for its silent failures) -> `@string`
macros and ``#`` concatenation resolved across all input files -> ``crossref``/``xdata``
inheritance (missing parents and cycles reported) -> `normalize_entry` -> deduplicated against the
project and the batch (`DedupIndex`) -> new keys ``lastnameYEARfirstword`` (the original key kept
in ``ids``) -> written by `bibwrite` (atomic, re-parsed and compared first).
"""

from __future__ import annotations

import gc
import glob
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..bibfile import case_duplicate_message, decode_bytes, duplicate_key_message, parse_bib_text
from ..errors import ReadingListError, SourceFileError
from ..models import Paper
from ..normalize.fields import normalize_entry
from ..normalize.keys import make_key, unique_key
from .dedup import DedupIndex, Fingerprint, fingerprint
from .report import ImportReport, Item

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from ..bibwrite import Body

__all__ = ["BibRecord", "ImportPlan", "decode_legacy", "expand_paths", "import_bib", "plan_entries",
           "read_records", "tokenize_expr"]

MONTH_MACROS = {m: m for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")}
TYPE_ALIASES = {"conference": "inproceedings", "online": "misc", "www": "misc", "electronic": "misc",
                "report": "techreport", "thesis": "phdthesis", "webpage": "misc"}
_NOT_PAPERS = {"proceedings", "mvproceedings", "set", "xdata", "periodical"}


# ------------------------------------------------------------------------------------ encodings

_PLAUSIBLE_8BIT = re.compile(r"[\x80-\x9f]")


def decode_legacy(data: bytes, path: str) -> tuple[str, str | None]:
    """(text, note): UTF-8 (BOM accepted) as is; UTF-16 with a BOM, or cp1252/latin-1 text that reads
    plausibly (isolated accented letters, no C1 controls), decoded with a note saying so; anything
    else refused with the byte offset of the first byte that is not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "decoded as UTF-16 (byte-order mark); the project stores UTF-8"
        except UnicodeDecodeError as exc:
            raise SourceFileError(path, None, f"UTF-16 byte-order mark but invalid UTF-16 at byte {exc.start}") from None
    try:
        return decode_bytes(data, path), None
    except SourceFileError as utf8_error:
        m = re.search(r"at byte (\d+)", utf8_error.message)
        offset = int(m.group(1)) if m else 0
        cookie = re.search(rb"coding[:=]\s*([-\w.]+)", data[:2000])
        candidates = []
        if cookie:
            candidates.append(cookie.group(1).decode("ascii", "replace").lower())
        candidates += ["cp1252", "latin-1"]
        for enc in candidates:
            try:
                text = data.decode(enc)
            except (UnicodeDecodeError, LookupError):
                continue
            if _PLAUSIBLE_8BIT.search(text):
                continue
            high = [i for i, c in enumerate(text) if ord(c) > 127]
            runs = sum(1 for i in high if i + 1 < len(text) and ord(text[i + 1]) > 127)
            if high and runs / len(high) > 0.3:  # long runs of accented letters: likely CJK or UTF-8 mojibake
                continue
            return text, (f"not UTF-8 (first at byte {offset}); decoded as {enc}"
                          + (" (the file's coding cookie)" if cookie and enc == candidates[0] else " (detected)")
                          + "; check accented letters in the result")
        raise SourceFileError(
            path, utf8_error.line,
            f"not UTF-8 at byte {offset} (0x{data[offset]:02x}) and not plausible as latin-1/cp1252 either; "
            "convert it to UTF-8 first (e.g. iconv -f GBK -t UTF-8)") from None


# ------------------------------------------------------------------------------------ macros


def tokenize_expr(s: str) -> list[tuple[str, str]] | None:
    """Split a BibTeX value expression (``pre # "text" # {text} # 2020``) into ("str", text) and
    ("macro", name) tokens; None if `s` is not such an expression."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(s)
    while True:
        while i < n and s[i].isspace():
            i += 1
        if i >= n:
            return None
        c = s[i]
        if c in "{\"":
            close = "}" if c == "{" else '"'
            depth, j = 0, i + 1
            while j < n:
                ch = s[j]
                if ch == "{":
                    depth += 1
                elif ch == "}" and depth > 0:
                    depth -= 1
                elif ch == close and depth == 0:
                    break
                j += 1
            if j >= n:
                return None
            out.append(("str", s[i + 1:j]))
            i = j + 1
        else:
            m = re.compile(r"[A-Za-z_][\w:.+/'-]*|\d+").match(s, i)
            if not m:
                return None
            tok = m.group(0)
            out.append(("str", tok) if tok.isdigit() else ("macro", tok))
            i = m.end()
        while i < n and s[i].isspace():
            i += 1
        if i >= n:
            return out
        if s[i] != "#":
            return None
        i += 1


class MacroTable:
    """`@string` macros of all input files (case-insensitive, as BibTeX), resolved lazily."""

    def __init__(self) -> None:
        self.raw: dict[str, str] = {}
        self.done: dict[str, str] = dict(MONTH_MACROS)

    def define(self, name: str, value: str) -> None:
        self.raw[name.lower()] = value
        self.done.pop(name.lower(), None)

    def knows(self, name: str) -> bool:
        return name.lower() in self.raw or name.lower() in self.done

    def get(self, name: str, stack: tuple[str, ...] = ()) -> str:
        low = name.lower()
        if low in self.done:
            return self.done[low]
        if low not in self.raw:
            raise KeyError(name)
        if low in stack:
            raise ReadingListError(f"@string {name} refers to itself")
        value = self.raw[low]
        toks = tokenize_expr(value)
        if toks is not None and len(toks) == 1 and toks[0][1].lower() == low:
            toks = None  # `@string{springer = "Springer"}` after bibtexparser stripped the quotes
        if toks is not None and (len(toks) > 1 or (toks[0][0] == "macro" and self.knows(toks[0][1]))):
            value = "".join(t if k == "str" else self.get(t, (*stack, low)) for k, t in toks)
        self.done[low] = value
        return value

    def expand(self, toks: list[tuple[str, str]]) -> str:
        return "".join(t if k == "str" else self.get(t) for k, t in toks)


# ------------------------------------------------------------------------------------ records


KeyBase = tuple[tuple[str, str | None, str], str]
"""(the fields a key is made from: author or editor, year, title; `make_key` of them)."""
Normalized = tuple[str, dict[str, str], Fingerprint | None, KeyBase | None]
"""(entry type, normalized fields, fingerprint and key base if the entry has a title) of one record."""


@dataclass
class BibRecord:
    """One input entry after parsing (raw LaTeX values, lowercase field names)."""

    key: str
    entry_type: str
    fields: dict[str, str]
    file: str
    line: int
    bare: frozenset[str] = frozenset()  # fields written without braces or quotes (see `BibReadResult.bare`)
    problems: list[str] = field(default_factory=list)
    pending: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)  # macro uses to expand
    normalized: Normalized | None = None  # set when no later step can change the fields
    body: Body | None = None  # the normalized fields' lines, made and checked ahead (`bibwrite.entry_body`)
    dropped: bool = False  # `fields` emptied once normalized and formatted (`_FieldsAgain` reads them again)

    @property
    def source(self) -> str:
        return f"{self.file}:{self.line}"


def expand_paths(paths: Iterable[str]) -> list[Path]:
    """Files, folders (every *.bib below) and glob patterns, in the order given, without repeats."""
    out: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        matches = sorted(glob.glob(os.path.expanduser(p), recursive=True)) if any(c in p for c in "*?[") else [p]
        if not matches:
            raise ReadingListError(f"no file matches {p!r}")
        for m in matches:
            path = Path(m)
            if path.is_dir():
                found = sorted(path.rglob("*.bib"))
            elif path.exists():
                found = [path]
            else:
                raise ReadingListError(f"{p}: no such file or folder")
            for f in found:
                r = f.resolve()
                if r not in seen:
                    seen.add(r)
                    out.append(f)
    return out


PARALLEL_MIN_BYTES = 1 << 18
"""Inputs smaller than this (about 500 entries) are read in-process: a pool costs more than it saves
(measured: at 1,000 entries in 4 files two workers already take a fifth off the wall time)."""
MAX_DEFAULT_WORKERS = 4
"""The default pool's size is one per core up to this: each worker adds up to about 90 MiB of its own
(private memory, measured on the 66k-entry set: parent ~550-590 MiB + 4 workers stays under 1 GiB);
more must be asked for (READINGLIST_IMPORT_WORKERS)."""
PIECE_CHARS = 1 << 18
"""Files larger than this are read in pieces of about this size (`split_text`): one large export
(Zotero, DBLP, Google Scholar) then spreads over the workers like many small files."""


@dataclass
class FileResult:
    """One input file read (in this process or a worker): its records, macros and problems."""

    records: list[BibRecord] = field(default_factory=list)
    strings: list[tuple[str, str]] = field(default_factory=list)
    failed: list[Item] = field(default_factory=list)
    warnings: list[Item] = field(default_factory=list)


def read_file(path: Path, name: str) -> FileResult:
    """Decode and parse one file (`read_text`). Depends on this file only, so files can be read in
    any process and in any order; `read_records` combines them in order."""
    out = FileResult()
    try:
        text, note = _decoded(path, name)
    except _Unreadable as exc:
        out.failed.append(exc.item)
        return out
    res = read_text(text, name)
    if note:
        res.warnings.insert(0, Item(name, note))
    return res


class _Unreadable(Exception):
    def __init__(self, item: Item) -> None:
        self.item = item


def _decoded(path: Path, name: str) -> tuple[str, str | None]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _Unreadable(Item(name, f"cannot read: {exc.strerror}")) from None
    try:
        return decode_legacy(data, name)
    except SourceFileError as exc:
        raise _Unreadable(Item(f"{name}:{exc.line}" if exc.line else name, exc.message)) from None


def read_text(text: str, name: str, first_line: int = 1, parents: frozenset[str] = frozenset()) -> FileResult:
    """Parse BibTeX text (a file, or a piece of one starting at line `first_line`), attach its
    problems, find the values that need macros, and normalize (and fingerprint) the records no
    later step can change. `parents`: lowercased keys the rest of the file names as crossref or
    xdata parents (`crossref_targets`), whose raw fields are kept as this text's own are."""
    out = FileResult()
    res = parse_bib_text(text, name, first_line)
    out.strings = list(res.strings.items())
    out.warnings.extend(Item(f"{w.path}:{w.line}" if w.line else w.path, w.message) for w in res.warnings)
    del text
    no_bare: frozenset[str] = frozenset()
    file_records = [BibRecord(p.key, p.entry_type, p.fields, name, p.line or 0, res.bare.get(i, no_bare))
                    for i, p in enumerate(res.papers)]
    by_key = {r.key: r for r in file_records}
    starts = sorted((r.line, r) for r in file_records)
    for prob in res.problems:
        target = by_key.get(prob.key) if prob.key else None
        if target is None and prob.line is not None and prob.key is None and "outside any entry" in prob.message:
            before = [r for ln, r in starts if ln <= prob.line]
            target = before[-1] if before else None
        if target is not None:
            target.problems.append(prob.message)
        else:
            out.failed.append(Item(f"{prob.path}:{prob.line}" if prob.line else prob.path, prob.message, prob.key))
    del res
    from ..bibwrite import _reparse_tokens, entry_body

    risky: dict[str, None] = {}
    for rec in file_records:
        if rec.bare:
            rec.pending = _macro_uses(rec)
        if not rec.pending and not rec.problems and "crossref" not in rec.fields and "xdata" not in rec.fields:
            rec.normalized = _normalized(rec)  # nothing later changes this record's fields
            if rec.normalized is not None and rec.normalized[2] is not None:  # it will be planned
                made = entry_body(rec.normalized[1])
                if made is not None:
                    rec.body = made[0]
                    risky.update(dict.fromkeys(made[1]))
    if risky and _reparse_tokens(list(risky)) is not None:
        for rec in file_records:  # the writer formats them again, and reports what is wrong
            rec.body = None
    parents = parents.union(ref.split(",")[0].strip().lower() for rec in file_records
                            for ref in (rec.fields.get("crossref"), rec.fields.get("xdata")) if ref)
    for rec in file_records:
        # nothing needs the raw fields now, unless the entry is a crossref parent (those named in
        # this text are kept: reading a parent named from elsewhere again costs its whole file)
        if rec.body is not None and rec.key.lower() not in parents:
            rec.fields, rec.dropped = {}, True  # (a quarter less to send back from a worker)
    out.records = file_records
    return out


_ENTRY_LINE = re.compile(r"^@[A-Za-z]\w*[ \t]*[{(]", re.M)
_STRING_BLOCK = re.compile(r"@string", re.I)
_PARENT_REF = re.compile(r"(?:crossref|xdata|Crossref|CrossRef|CROSSREF|XData|XDATA)\s*=\s*[{\"]?\s*([^,{}\"\s]+)")
"""The usual spellings only: a case-insensitive pattern costs 5x more on every large file, and a
parent missed here is still found (`_FieldsAgain` reads its file again)."""


def crossref_targets(text: str) -> frozenset[str]:
    """The lowercased keys `text` names as crossref/xdata parents, an optimization only: a match
    in a comment or a value costs a kept field dict, a missed one its file read again."""
    return frozenset(m.group(1).lower() for m in _PARENT_REF.finditer(text))


def split_text(text: str, size: int | None = None) -> list[tuple[str, int]]:
    """[(piece, its first line number)]: `text` cut before lines starting with ``@type{`` (or ``(``).

    bibtexparser starts a block at such a line whatever it was reading (an unclosed value or
    comment is aborted there: splitter.py, `_is_at_line_start`), so the pieces parse into the
    same blocks as the whole, the only difference being the wording of the error for an entry
    left unclosed at a cut. Duplicate keys across pieces are found by `read_records`. A text
    holding ``@string`` is not cut: its macros apply to the whole file. `size`: `PIECE_CHARS`."""
    size = PIECE_CHARS if size is None else size
    if len(text) <= size or _STRING_BLOCK.search(text):
        return [(text, 1)]
    cuts = [0]
    pos = size
    while pos < len(text):
        m = _ENTRY_LINE.search(text, pos)
        if m is None:
            break
        cuts.append(m.start())
        pos = m.start() + size
    cuts.append(len(text))
    pieces = []
    line = 1
    for a, b in zip(cuts, cuts[1:], strict=False):
        pieces.append((text[a:b], line))
        line += text.count("\n", a, b)
    return pieces


Job = tuple[str, object, str, int, frozenset[str]]
"""("file", path, name, 0, ∅) | ("text", piece, name, first line, the file's `crossref_targets`)
| ("done", FileResult, name, 0, ∅)."""


def _read_job(job: Job) -> FileResult:
    kind, what, name, first_line, parents = job
    if kind == "file":
        assert isinstance(what, Path)
        return read_file(what, name)
    if kind == "text":
        assert isinstance(what, str)
        return read_text(what, name, first_line, parents)
    assert isinstance(what, FileResult)
    return what


def _jobs(paths: list[Path], display: dict[Path, str]) -> Iterator[Job]:
    """One job per file, or per piece of a large file (decoded here, to be cut)."""
    for path in paths:
        name = display.get(path, str(path))
        try:
            big = path.stat().st_size > PIECE_CHARS
        except OSError:
            big = False
        if not big:
            yield ("file", path, name, 0, frozenset())
            continue
        try:
            text, note = _decoded(path, name)
        except _Unreadable as exc:
            yield ("done", FileResult(failed=[exc.item]), name, 0, frozenset())
            continue
        if note:
            yield ("done", FileResult(warnings=[Item(name, note)]), name, 0, frozenset())
        pieces = split_text(text)
        parents = crossref_targets(text) if len(pieces) > 1 else frozenset()
        for piece, line in pieces:
            yield "text", piece, name, line, parents


def _join_pieces(records: list[BibRecord], failed: list[Item]) -> list[BibRecord]:
    """The records of one file read in pieces, with the duplicate keys a whole-file parse reports:
    a repeated key fails the first entry (and the repeat is dropped), as bibtexparser's duplicate
    block does; a key differing only in case is reported and dropped, as `parse_bib_text` does."""
    seen: dict[str, BibRecord] = {}
    out: list[BibRecord] = []
    for rec in records:
        first = seen.get(rec.key.lower())
        if first is None:
            seen[rec.key.lower()] = rec
            out.append(rec)
        elif first.key == rec.key:
            first.problems.append(duplicate_key_message(first.line, rec.line))
        else:
            failed.append(Item(f"{rec.file}:{rec.line}", case_duplicate_message(first.key, first.line), rec.key))
    return out


def import_workers(paths: list[Path], workers: int | None = None) -> int:
    """How many processes read the input: `workers` if given, else ``READINGLIST_IMPORT_WORKERS``,
    else one per core (at most `MAX_DEFAULT_WORKERS`) when the input is over `PARALLEL_MIN_BYTES`; never more than the pieces
    it is read in (a file, or a large file's `split_text` pieces)."""
    if workers is None and os.environ.get("READINGLIST_IMPORT_WORKERS", "").strip():
        try:
            workers = int(os.environ["READINGLIST_IMPORT_WORKERS"])
        except ValueError:
            raise ReadingListError("READINGLIST_IMPORT_WORKERS must be a number of processes (1 = no pool)") from None
    size = pieces = 0
    for p in paths:
        try:
            n = p.stat().st_size
        except OSError:
            n = 0
        size += n
        pieces += max(1, n // PIECE_CHARS)
    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS) if size > PARALLEL_MIN_BYTES else 1
    return max(1, min(workers, pieces))


def process_pool(workers: int) -> Executor | None:
    """A pool of `workers` processes (forked where the platform can: no re-import), or None for 1."""
    if workers <= 1:
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:  # what every worker needs, imported once here rather than in each worker
        from .. import bibwrite  # noqa: F401
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("fork" if "fork" in methods else None))


def read_records(paths: list[Path], report: ImportReport, display: dict[Path, str] | None = None,
                 workers: int | None = None, pool: Executor | None = None,
                 on_ready: Callable[[list[BibRecord]], None] | None = None) -> list[BibRecord]:
    """Parse every file; problems go to `report.failed` and mark the records involved.

    With `workers` > 1 (see `import_workers`) the files are read by a process pool; the results
    are combined in input order, so the records, the report and everything after are the same.
    ``@string`` macros of all files apply to all files (a later definition wins), so values that
    use macros are resolved here, after every file is read; so is crossref/xdata inheritance.

    `on_ready`, if given, is handed the records in input order while later files are still being
    read, as far as nothing later can change them (`_final`): up to the first record that waits
    for macros or a crossref/xdata parent, or whose file is not read to its end. (`plan_entries`
    then overlaps the reading.) The records it was handed are the first ones of the list returned.
    """
    own = pool is None
    if pool is None:
        pool = process_pool(import_workers(paths, workers))
    results: Iterable[FileResult]
    jobs: list[Job] = []
    if pool is not None:  # the workers start on the first files while large ones are decoded and cut here

        def made() -> Iterator[Job]:
            for job in _jobs(paths, display or {}):
                jobs.append(job)
                yield job

        # (submits every job, one at a time: a worker done early takes the next file, and the
        # parent plans each file as soon as it is read)
        results = pool.map(_read_job, made())
    else:
        jobs = list(_jobs(paths, display or {}))
        results = (_read_job(job) for job in jobs)
    macros = MacroTable()
    records: list[BibRecord] = []
    pieces: dict[str, int] = {}  # file read in pieces -> how many records before its first piece
    for job in jobs:
        if job[0] == "text" and job[3] > 1:
            pieces.setdefault(job[2], 0)
    handed = 0
    try:
        current = ""
        for job, res in zip(jobs, results, strict=True):
            if job[2] != current:
                if current in pieces:  # a file read in pieces ends: join them
                    records[pieces[current]:] = _join_pieces(records[pieces[current]:], report.failed)
                if job[2] in pieces:
                    pieces[job[2]] = len(records)
                current = job[2]
            report.failed.extend(res.failed)
            report.warnings.extend(res.warnings)
            for s_name, s_value in res.strings:
                macros.define(s_name, s_value)
            records.extend(res.records)
            if on_ready is not None:
                end = pieces[current] if current in pieces else len(records)  # a file in pieces: when joined
                ready = handed
                while ready < end and _final(records[ready]):
                    ready += 1
                if ready > handed:
                    on_ready(records[handed:ready])
                    handed = ready
        if current in pieces:
            records[pieces[current]:] = _join_pieces(records[pieces[current]:], report.failed)
    finally:
        if own and pool is not None:
            pool.shutdown(cancel_futures=True)
    for rec in records:
        if rec.pending:
            _resolve_values(rec, macros)
    _resolve_crossrefs(records, _FieldsAgain({(display or {}).get(p, str(p)): p for p in paths}))
    return records


_MAYBE_MACRO = re.compile(r"^[A-Za-z_][\w:.+/'-]*$")


def _macro_uses(rec: BibRecord) -> list[tuple[str, list[tuple[str, str]]]]:
    """The values of `rec` that are ``#`` concatenations or macros no ``@string`` of its own file
    defined (bare words, e.g. defined in another file), tokenized; depends on the record alone.
    Only values written without braces or quotes are looked at: ``title = {C# in Depth}`` is text."""
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for name, value in rec.fields.items():
        if name not in rec.bare:
            continue
        toks: list[tuple[str, str]] | None = None
        if "#" in value:
            toks = tokenize_expr(value)
            if toks is not None and len(toks) < 2:
                toks = None
        elif _MAYBE_MACRO.match(value) and value.lower() not in MONTH_MACROS:
            toks = [("macro", value)]
        if toks is not None:
            out.append((name, toks))
    return out


def _final(rec: BibRecord) -> bool:
    """Nothing after reading can change `rec`: no macro to expand, no crossref/xdata to inherit
    (its problems are all known once its file is read to the end)."""
    return not rec.pending and "crossref" not in rec.fields and "xdata" not in rec.fields


def _resolve_values(rec: BibRecord, macros: MacroTable) -> None:
    """Expand the macro uses `_macro_uses` found, once every file's ``@string``s are known."""
    for name, toks in rec.pending:
        try:
            rec.fields[name] = macros.expand(toks)
        except KeyError as exc:
            rec.problems.append(f"field {name!r} uses undefined @string macro {exc.args[0]!r}; "
                                "define it (or import the file that does, first)")
        except ReadingListError as exc:
            rec.problems.append(str(exc))
    rec.pending = []
    rec.normalized = None


class _FieldsAgain:
    """Gives a record whose raw fields were dropped (`read_text`) its fields back, by parsing its
    file again: needed only for a crossref/xdata parent that is itself a paper (rare)."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self.paths = paths
        self.files: dict[str, dict[str, dict[str, str]]] = {}

    def __call__(self, rec: BibRecord) -> None:
        if rec.file not in self.files:
            text, _ = _decoded(self.paths[rec.file], rec.file)
            self.files[rec.file] = {}
            for p in parse_bib_text(text, rec.file).papers:
                self.files[rec.file].setdefault(p.key, p.fields)
        fields = self.files[rec.file].get(rec.key)
        if fields is None:
            raise ReadingListError(f"internal error: {rec.source}: entry {rec.key} not found when read again")
        rec.fields, rec.dropped = dict(fields), False


def _resolve_crossrefs(records: list[BibRecord], restore: Callable[[BibRecord], None] | None = None) -> None:
    """crossref/xdata inheritance; `restore` gives a dropped parent its fields back."""
    by_key = {r.key.lower(): r for r in records}
    for rec in records:
        parents: list[BibRecord] = []
        ref_field = "crossref" if "crossref" in rec.fields else ("xdata" if "xdata" in rec.fields else None)
        if ref_field is None:
            continue
        cur: BibRecord | None = rec
        seen = [rec.key.lower()]
        while cur is not None:
            ref = cur.fields.get("crossref") or cur.fields.get("xdata")
            if not ref:
                break
            ref = ref.split(",")[0].strip()
            if ref.lower() in seen:
                rec.problems.append(f"crossref cycle: {' -> '.join([*seen, ref.lower()])}")
                parents = []
                break
            parent = by_key.get(ref.lower())
            if parent is None:
                rec.problems.append(f"crossref/xdata to missing entry {ref!r}; import the file that holds it too")
                parents = []
                break
            if parent.dropped:
                if restore is None:
                    raise ReadingListError(f"internal error: crossref parent {parent.key} has no fields")
                restore(parent)
            seen.append(ref.lower())
            parents.append(parent)
            cur = parent
        for parent in parents:
            for k, v in parent.fields.items():
                if k in ("crossref", "xdata", "ids", "key"):
                    continue
                if k == "title" and parent.entry_type in ("proceedings", "book", "mvproceedings", "mvbook") \
                        and rec.entry_type not in ("proceedings", "book"):
                    rec.fields.setdefault("booktitle", v)
                    continue
                rec.fields.setdefault(k, v)
            parent.fields.setdefault("_crossref_target", "1")
        if parents:
            rec.fields.pop("crossref", None)
            rec.fields.pop("xdata", None)


# ------------------------------------------------------------------------------------ planning


@dataclass
class NewEntry:
    key: str
    entry_type: str
    fields: dict[str, str]
    source: str
    aliases: list[str] = field(default_factory=list)
    key_base: KeyBase | None = None  # computed ahead (by a worker); used if the fields still match
    body: Body | None = None  # field lines made ahead (by a worker); dropped when a merge adds a field


@dataclass
class ExistingUpdate:
    """An entry already in the project that gains identifiers or aliases from the import."""

    key: str
    entry_type: str
    fields: dict[str, str]
    file: str  # the .bib file holding it, relative to the project root (``Paper.file``)


@dataclass
class ImportPlan:
    """What an import would write: new entries (in input order) and the index after them, and
    the updates to entries already in the project (`existing`: those entries, by key)."""

    new: list[NewEntry] = field(default_factory=list)
    index: DedupIndex = field(default_factory=DedupIndex)
    taken: set[str] = field(default_factory=set)
    by_key: dict[str, NewEntry] = field(default_factory=dict)
    existing: dict[str, Paper] = field(default_factory=dict)
    updates: dict[str, ExistingUpdate] = field(default_factory=dict)


def project_index(papers: Iterable[Paper]) -> tuple[DedupIndex, set[str]]:
    idx = DedupIndex()
    taken: set[str] = set()
    for p in papers:
        idx.add(p.key, fingerprint(p.fields))
        taken.add(p.key.lower())
        for alias in (p.fields.get("ids") or "").split(","):
            if alias.strip():
                taken.add(alias.strip().lower())
    return idx, taken


def _add_alias(fields: dict[str, str], alias: str, key: str) -> None:
    if not alias or alias == key:
        return
    ids = [a.strip() for a in (fields.get("ids") or "").split(",") if a.strip()]
    if alias not in ids:
        ids.append(alias)
    fields["ids"] = ", ".join(ids)


IDENTIFIER_FIELDS = ("doi", "eprint", "archiveprefix", "primaryclass")
"""What an entry already in the project may gain from an import (besides aliases in ``ids``):
titles, venues, authors belong to ``readinglist enrich`` and its provenance rules."""


def gain_identifiers(plan: ImportPlan, key: str, fields: dict[str, str], fp: Fingerprint, origin: str,
                     alias: str | None = None) -> list[str]:
    """Give the existing entry `key` the identifiers of a record found to be the same paper, and
    the record's key `alias` in ``ids``; returns the fields it gained (in a fixed order).

    Only what the entry lacks, never a field listed in its ``curated``, never an identifier the
    index already gives another paper, never an alias that is a key or alias in the project. If
    the entry keeps per-field provenance (``fieldsource``), the added identifiers are recorded
    there as ``import:ORIGIN DATE``. The change is planned (`plan.updates`), not written.
    """
    paper = plan.existing.get(key)
    if paper is None:
        return []
    from ..enrich import explicit_curated, format_fieldsource, parse_fieldsource, today

    upd = plan.updates.get(key)
    new = dict(upd.fields if upd is not None else paper.fields)
    blocked = explicit_curated(new)
    added: list[str] = []

    def put(name: str, value: str | None) -> None:
        if value and not new.get(name) and name not in blocked:
            new[name] = value
            added.append(name)

    if fp.doi and plan.index.by_doi.get(fp.doi, key) == key:
        put("doi", fp.doi)
    if fp.arxiv and plan.index.by_arxiv.get(fp.arxiv, key) == key:
        put("eprint", fp.arxiv)
        if "eprint" in added:
            put("archiveprefix", "arXiv")
            put("primaryclass", fields.get("primaryclass"))
    if alias and "ids" not in blocked and alias.lower() not in plan.taken \
            and alias.lower() not in {a.strip().lower() for a in new.get("ids", "").split(",")}:
        _add_alias(new, alias, key)
        plan.taken.add(alias.lower())
        added.append("ids")
    if not added:
        return added
    if "fieldsource" in new:
        prov = parse_fieldsource(new["fieldsource"])
        source = "import:" + (re.sub(r"[\s;]+", "_", origin) or "input")
        for name in added:
            if name != "ids":
                prov[name] = (source, today())
        new["fieldsource"] = format_fieldsource(prov)
    plan.updates[key] = ExistingUpdate(key, paper.entry_type, new, paper.file or "")
    plan.index.add(key, fingerprint(new))
    return added


def _origin(source: str) -> str:
    """The file name of a ``file:line`` source."""
    path, sep, line = source.rpartition(":")
    return Path(path if sep and line.isdigit() else source).name


def plan_entry(plan: ImportPlan, entry_type: str, fields: dict[str, str], source: str, report: ImportReport,
               orig_key: str | None = None, extra_urls: tuple[str, ...] = (), fp: Fingerprint | None = None,
               key_base: KeyBase | None = None, body: Body | None = None) -> str:
    """Add one normalized record to the plan (or merge it); returns the key it ends up under.

    A new entry gets a provisional key (``#N``) until `finalize_keys`, so that its key is made
    from its final fields (after merges filled them in): importing the written file again then
    gives the same keys.
    """
    if fp is None:
        fp = fingerprint(fields, extra_urls)
    hit = plan.index.match(fp)
    if hit is not None:
        key, reason = hit
        target = plan.by_key.get(key)
        if target is not None:  # a new entry of this batch: it gains what it lacked
            had = len(target.fields)
            for k, v in fields.items():
                if k != "ids":
                    target.fields.setdefault(k, v)
            if len(target.fields) != had:
                target.body = None  # its lines were made for fewer fields
            if orig_key:
                target.aliases.append(orig_key)
            plan.index.add(key, fingerprint(target.fields, extra_urls))
            report.merged.append(Item(source, "same paper as {into} (" + reason + ")", orig_key, into=key,
                                      reason=reason))
            return key
        added = gain_identifiers(plan, key, fields, fp, _origin(source), orig_key)
        outcome = "; added " + ", ".join(added) if added else "; existing entry kept as is"
        report.merged.append(Item(source, "same paper as {into} (" + reason + ")" + outcome, orig_key, into=key,
                                  reason=reason, added=added if key in plan.existing else None))
        return key
    key = f"#{len(plan.new)}"
    entry = NewEntry(key, entry_type, fields, source, [orig_key] if orig_key else [], key_base, body)
    plan.new.append(entry)
    plan.by_key[key] = entry
    plan.index.add(key, fp)
    report.added.append(Item(source, "added", key))
    return key


class _LowerSet:
    """A membership-only view of a set of lowercase keys (kept for `importers.syllabus`; the same as
    `normalize.keys.KeySet` over an existing set)."""

    def __init__(self, keys: set[str]) -> None:
        self.keys = keys

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str) and item.lower() in self.keys


_KEY_SUFFIX = re.compile(r"[a-z]{0,3}")


def finalize_keys(plan: ImportPlan, report: ImportReport) -> dict[str, str]:
    """Give every new entry its key ``lastnameYEARfirstword`` (an input key already of that form is
    kept); other input keys go to ``ids``. Returns provisional -> final and updates the report."""
    final: dict[str, str] = {}
    taken = plan.taken  # lowercase keys: `unique_key` probes, never copies
    for e in plan.new:
        inputs = _key_inputs(e.fields)
        base = e.key_base[1] if e.key_base is not None and e.key_base[0] == inputs else make_key(*inputs)
        e.key_base = None
        first = e.aliases[0] if e.aliases else None
        if first and first.lower() not in plan.taken and first.startswith(base) \
                and _KEY_SUFFIX.fullmatch(first, len(base)):
            key = first  # already in this project's key form: keys never change once written
        else:
            key = unique_key(base, taken)
        plan.taken.add(key.lower())
        for alias in e.aliases:
            _add_alias(e.fields, alias, key)
        final[e.key] = key
        e.key = key
    return apply_final_keys(plan, report, final)


def apply_final_keys(plan: ImportPlan, report: ImportReport, final: dict[str, str]) -> dict[str, str]:
    """Rename the planned entries' keys in the plan and in the report's items; returns `final`."""
    plan.by_key = {final.get(k, k): v for k, v in plan.by_key.items()}
    for it in [*report.added, *report.merged]:
        if it.key in final and it.message == "added":
            it.key = final[it.key]
        if it.into is not None:
            it.into = final.get(it.into, it.into)
            it.message = it.message.replace("{into}", it.into)
    return final


def _key_inputs(f: dict[str, str]) -> tuple[str, str | None, str]:
    return f.get("author") or f.get("editor") or "", f.get("year"), f.get("title") or ""


def normalize_record(rec: BibRecord) -> tuple[str, dict[str, str]]:
    etype = TYPE_ALIASES.get(rec.entry_type.lower(), rec.entry_type.lower())
    fields = rec.fields  # (`normalize_entry` builds a new dict)
    if "_crossref_target" in fields:  # the one internal mark (`_resolve_crossrefs`)
        fields = {k: v for k, v in fields.items() if not k.startswith("_")}
    return etype, normalize_entry(fields)


def _normalized(rec: BibRecord) -> Normalized | None:
    """What `plan_entries` needs of a record that will be planned (None for one that will not)."""
    if rec.entry_type.lower() in _NOT_PAPERS:
        return None
    etype, fields = normalize_record(rec)
    if not fields.get("title"):
        return etype, fields, None, None
    inputs = _key_inputs(fields)
    return etype, fields, fingerprint(fields), (inputs, make_key(*inputs))


_INHERITED = " (its fields were inherited through crossref)"


def plan_entries(records: list[BibRecord], plan: ImportPlan, report: ImportReport,
                 failed: list[Item] | None = None, skipped: list[tuple[BibRecord, Item]] | None = None) -> None:
    """Plan `records` in order. `failed`: where failures go (default `report.failed`); `skipped`
    collects the non-paper records reported skipped, whose message `note_inherited` completes once
    crossrefs are resolved (when planning runs while files are still being read)."""
    failed = report.failed if failed is None else failed
    for rec in records:
        if rec.problems:
            for msg in rec.problems:
                failed.append(Item(rec.source, msg, rec.key))
            continue
        if rec.entry_type.lower() in _NOT_PAPERS:
            item = Item(rec.source, f"@{rec.entry_type} is not a paper"
                        + (_INHERITED if "_crossref_target" in rec.fields else ""), rec.key)
            report.skipped.append(item)
            if skipped is not None:
                skipped.append((rec, item))
            continue
        etype, fields, fp, key_base = rec.normalized or _normalized(rec) or ("", {}, None, None)
        body, rec.normalized, rec.body = rec.body, None, None
        if not fields.get("title"):
            report.skipped.append(Item(rec.source, "entry has no title; not imported (nothing identifies the paper)", rec.key))
            continue
        plan_entry(plan, etype, fields, rec.source, report, orig_key=rec.key, fp=fp, key_base=key_base, body=body)


def note_inherited(skipped: list[tuple[BibRecord, Item]]) -> None:
    """Complete the skip message of non-papers that turned out to be crossref parents."""
    for rec, item in skipped:
        if "_crossref_target" in rec.fields and not item.message.endswith(_INHERITED):
            item.message += _INHERITED


# ------------------------------------------------------------------------------------ import


def existing_papers(project_root: Path) -> list[Paper]:
    """Every entry of the project's bib/ (its problems make the import refuse: fix the project first)."""
    from ..bibfile import read_bib
    from ..project import Project

    proj = Project(project_root)
    papers: list[Paper] = []
    problems = []
    for bib in proj.bib_files():
        res = read_bib(bib, proj.rel(bib))
        problems.extend(res.problems)
        papers.extend(res.papers)
    if problems:
        from ..errors import ValidationError

        raise ValidationError(problems)
    return papers


def import_bib(root: Path, paths: list[str], *, target: str = "imported.bib", dry_run: bool = False,
               keep_going: bool = False, workers: int | None = None) -> ImportReport:
    """Import BibTeX files into the project at `root`; returns the report (writes nothing on failure
    unless `keep_going`, nothing at all on `dry_run`). `workers`: processes reading the files
    (default: see `import_workers`); the result does not depend on it."""

    report = ImportReport(kind="bib", dry_run=dry_run)
    files = expand_paths(paths)
    with relaxed_gc():
        return _import_bib(root, files, report, target, dry_run, keep_going, workers)


@contextmanager
def relaxed_gc(gen0: int = 50_000) -> Iterator[None]:
    """Collect cyclic garbage less often while an import runs (forked workers inherit it).

    An import allocates millions of small objects that all stay alive (records, fields, index):
    with the default thresholds the collector keeps re-examining them, a quarter of the run on
    the 66k-entry set. Cycles are still collected, every `gen0` allocations instead of 700."""
    old = gc.get_threshold()
    gc.set_threshold(gen0, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _import_bib(root: Path, files: list[Path], report: ImportReport, target: str, dry_run: bool, keep_going: bool,
                workers: int | None) -> ImportReport:
    from ..bibwrite import BibEntry, append_entries
    from ..project import BIB_DIR

    papers = existing_papers(root)
    idx, taken = project_index(papers)
    plan = ImportPlan(index=idx, taken=taken, existing={p.key: p for p in papers})
    del papers
    workers = import_workers(files, workers)
    pool = process_pool(workers)  # reads the files, then formats and checks the output
    try:
        # entries are planned while later files are still read (in input order, see `read_records`);
        # their failures are kept apart so the report lists them after the reading failures, as before
        failed: list[Item] = []
        skipped: list[tuple[BibRecord, Item]] = []
        handed = [0]

        def plan_ready(ready: list[BibRecord]) -> None:
            plan_entries(ready, plan, report, failed, skipped)
            handed[0] += len(ready)

        records = read_records(files, report, workers=workers, pool=pool, on_ready=plan_ready)
        plan_entries(records[handed[0]:], plan, report, failed, skipped)
        note_inherited(skipped)
        report.failed.extend(failed)
        del records
        finalize_keys(plan, report)
        if dry_run or (report.failed and not keep_going) or not (plan.new or plan.updates):
            return report
        dest = _bib_target(root / BIB_DIR, target)
        from ..yamledit import project_lock

        with project_lock(root / ".readinglist"):
            rewrites = prepare_updates(root, plan.updates)  # every changed file verified before any is written
            with restored_on_error([*rewrites, dest] if rewrites and plan.new else list(rewrites)):
                write_updates(rewrites)
                if plan.new:
                    append_entries(dest, [BibEntry(e.key, e.entry_type, e.fields, e.body) for e in plan.new],
                                   header="Entries added by `readinglist import bib` (normalized; original keys in `ids`).",
                                   map_chunks=pool.map if pool is not None else None, text=False)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    report.written.extend(str(p.relative_to(root)) for p in rewrites)
    if plan.new and dest not in rewrites:
        report.written.append(str(dest.relative_to(root)))
    return report


def prepare_updates(root: Path, updates: dict[str, ExistingUpdate]) -> dict[Path, str]:
    """The new text of each .bib file holding an updated existing entry (`enrich.prepare_rewrite`:
    re-parsed and checked); nothing is written. Files in a stable order."""
    if not updates:
        return {}
    from ..enrich import prepare_rewrite

    by_file: dict[str, dict[str, tuple[str, dict[str, str]]]] = {}
    for key in sorted(updates):
        u = updates[key]
        by_file.setdefault(u.file, {})[key] = (u.entry_type, u.fields)
    out: dict[Path, str] = {}
    for rel in sorted(by_file):
        text = prepare_rewrite(root / rel, by_file[rel])
        if text is not None:
            out[root / rel] = text
    return out


def write_updates(rewrites: dict[Path, str]) -> None:
    from ..project import atomic_write

    for path, text in rewrites.items():
        atomic_write(path, text)


@contextmanager
def restored_on_error(paths: Iterable[Path]) -> Iterator[None]:
    """Put `paths` back as they were (bytes, or absent) if the body raises: several files written
    one after the other (each atomically) are then all-or-nothing together."""
    from ..project import atomic_write

    saved = {p: (p.read_bytes() if p.exists() else None) for p in dict.fromkeys(paths)}
    try:
        yield
    except BaseException:
        for p, data in saved.items():
            if data is None:
                p.unlink(missing_ok=True)
            else:
                atomic_write(p, data)
        raise


def _bib_target(bib_dir: Path, name: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9][\w.-]*", name) or ".." in name:
        raise ReadingListError(f"--into {name!r}: give a plain file name such as imported.bib")
    return bib_dir / (name if name.endswith(".bib") else name + ".bib")
