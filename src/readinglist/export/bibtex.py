"""BibTeX and biblatex export with a writer that cannot be broken by its values.

Values are the fields as stored (raw BibTeX, so `{GPU}` protection and LaTeX accents survive).
Internal fields (provenance, verification, venue, links, fieldsource, curated, areas, not-areas) are dropped. Each value goes through
`safe_value`, which leaves a well-formed value untouched and escapes what bibtexparser would
misread (docs/exports.md, traps.md §3):
- a brace that does not balance (counted as bibtexparser counts: a brace right after a backslash
  is not counted) becomes `\\{` / `\\}`;
- trailing backslashes are stripped (`\\}` would swallow the closing brace);
- an `@` that starts a line becomes `{@}` (bibtexparser reads it as a new entry).
The whole output is then re-parsed with bibtexparser and compared with what was meant to be
written: any failed block, a missing or extra entry, or a value that differs raises ExportError
and nothing is written.

This duplicates the job of `readinglist.bibwrite` (the import-side writer, owned elsewhere);
the two should be merged.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import ReadingListError
from ._data import ExportData

INTERNAL = frozenset({"provenance", "verification", "venue", "links", "fieldsource", "curated", "areas", "not-areas"})
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_KEY = re.compile(r"^[^\s,{}()=\"#%'~\\@]+$")
_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_:+-]*$")
_LINE_AT = re.compile(r"(\n[ \t\r\f\v]*)@")
# Field order in the output: the usual reading order, then the rest alphabetically.
ORDER = ("author", "editor", "title", "booktitle", "journal", "journaltitle", "year", "month", "date",
         "volume", "number", "pages", "publisher", "address", "organization", "institution", "school",
         "howpublished", "edition", "series", "isbn", "issn", "doi", "eprint", "archiveprefix",
         "primaryclass", "eprinttype", "eprintclass", "url", "urldate", "note", "keywords", "ids", "abstract")
# Case conventions for the names BibTeX styles and tools recognise.
CASED = {"archiveprefix": "archivePrefix", "primaryclass": "primaryClass"}


class ExportError(ReadingListError):
    """An export that would not read back as the data it was made from."""


def _brace_fix(value: str) -> str:
    """Escape unbalanced braces, counting as bibtexparser does (`\\{` is not a brace)."""
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


_BRACE = re.compile(r"(?<!\\)[{}]")
_RISKY = re.compile(r"[{}\\@]")


def _balanced(value: str) -> bool:
    depth = 0
    for m in _BRACE.finditer(value):
        depth += 1 if m.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def safe_value(value: str) -> str:
    """`value` as it can be written between braces and read back unchanged (see module doc)."""
    if not _RISKY.search(value):
        return value
    v = value.rstrip("\\")
    v = _LINE_AT.sub(r"\1{@}", v)
    if v.startswith("@"):
        v = "{@}" + v[1:]
    if not _balanced(v):
        v = _brace_fix(v)
    return v.rstrip("\\")


def _format_value(name: str, value: str) -> str:
    if name == "month" and value.strip().lower() in MONTHS:
        return value.strip().lower()
    return "{" + value + "}"


def entry_text(entry_type: str, key: str, fields: list[tuple[str, str]]) -> str:
    if not _KEY.match(key):
        raise ExportError(f"citation key {key!r} cannot be written as BibTeX; rename it in bib/")
    if not re.match(r"^[A-Za-z]+$", entry_type):
        raise ExportError(f"{key}: entry type {entry_type!r} cannot be written as BibTeX")
    lines = [f"@{entry_type}{{{key},"]
    width = max((len(n) for n, _ in fields), default=0)
    for name, value in fields:
        if not _FIELD.match(name):
            raise ExportError(f"{key}: field name {name!r} cannot be written as BibTeX")
        lines.append(f"  {name.ljust(width)} = {_format_value(name, value)},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _ordered(fields: dict[str, str]) -> list[tuple[str, str]]:
    rank = {n: i for i, n in enumerate(ORDER)}
    return sorted(fields.items(), key=lambda kv: (rank.get(kv[0], len(ORDER)), kv[0]))


def bibtex_fields(p: dict[str, Any], dialect: str) -> tuple[str, list[tuple[str, str]]]:
    """(entry type, [(field, value)]) for a paper row in `bibtex` or `biblatex` dialect."""
    f = {k.lower(): str(v) for k, v in p["fields"].items() if k.lower() not in INTERNAL and v is not None}
    etype = (p.get("entry_type") or "misc").lower()
    arxiv = p.get("arxiv_id")
    if dialect == "bibtex":
        for k in ("eprinttype", "eprintclass"):
            f.pop(k, None)
        if arxiv:
            f["eprint"] = arxiv
            f["archiveprefix"] = "arXiv"
            cls = p["fields"].get("primaryclass") or p["fields"].get("eprintclass")
            if cls:
                f["primaryclass"] = cls
        if "journaltitle" in f and "journal" not in f:
            f["journal"] = f.pop("journaltitle")
    else:
        for k in ("archiveprefix", "primaryclass"):
            f.pop(k, None)
        if arxiv:
            f["eprint"] = arxiv
            f["eprinttype"] = "arxiv"
            cls = p["fields"].get("primaryclass") or p["fields"].get("eprintclass")
            if cls:
                f["eprintclass"] = cls
        if "journal" in f and "journaltitle" not in f:
            f["journaltitle"] = f.pop("journal")
        if etype == "misc" and not arxiv and f.get("url"):
            etype = "online"  # blog posts and web pages
    items = [(CASED.get(k, k) if dialect == "bibtex" else k, safe_value(v)) for k, v in _ordered(f)]
    return etype, items


def verify(text: str, expected: list[tuple[str, str, list[tuple[str, str]]]]) -> None:
    """Re-parse `text` and require exactly the expected entries, fields and values."""
    import bibtexparser

    # No middleware: values come back with their delimiters, which is cheaper and stricter.
    lib = bibtexparser.parse_string(text, parse_stack=[])
    if lib.failed_blocks:
        b = lib.failed_blocks[0]
        raise ExportError(f"the BibTeX export does not re-parse (block at line {(b.start_line or 0) + 1}); "
                          "nothing was written; please report this with the paper's entry")
    got = {e.key: e for e in lib.entries}
    if len(lib.entries) != len(expected) or len(got) != len(expected):
        raise ExportError(f"the BibTeX export re-parses to {len(lib.entries)} entries, expected "
                          f"{len(expected)}; nothing was written")
    for etype, key, fields in expected:
        e = got.get(key)
        if e is None or e.entry_type.lower() != etype.lower():
            raise ExportError(f"{key}: missing or mistyped after re-parsing the export; nothing was written")
        back = {f.key.lower(): str(f.value) for f in e.fields}
        want = {n.lower(): _format_value(n, v) for n, v in fields}
        if back != want:
            bad = sorted(k for k in set(back) | set(want) if back.get(k) != want.get(k))
            raise ExportError(f"{key}: field(s) {', '.join(bad)} would not read back as stored; nothing was written")


def render(data: ExportData, dialect: str = "bibtex") -> str:
    expected = []
    chunks = []
    for key in sorted(data.papers):
        etype, fields = bibtex_fields(data.papers[key], dialect)
        chunks.append(entry_text(etype, key, fields))
        expected.append((etype, key, fields))
    text = "\n".join(chunks)
    # Structure: the only lines starting with `@` are the entry heads (safe_value guarantees it).
    heads = sum(1 for line in text.splitlines() if line.lstrip().startswith("@"))
    if heads != len(expected):
        raise ExportError(f"the BibTeX export has {heads} entry starts for {len(expected)} papers; nothing was written")
    # Values: re-parse every value that holds a character bibtexparser treats specially
    # ({ } \ @). A value without them is inert between braces; leaving those out keeps a
    # 10,000-entry export under 2 s (docs/exports.md).
    risky = [(etype, key, [(n, v) for n, v in fields if _RISKY.search(v)]) for etype, key, fields in expected]
    risky = [r for r in risky if r[2]]
    verify("\n".join(entry_text(*r) for r in risky), risky)
    return text


def render_biblatex(data: ExportData) -> str:
    return render(data, "biblatex")
