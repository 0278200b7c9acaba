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

The value policy (`safe_raw_value`) and the verification (`reparse_problem`, `risky_part`, and
the argument for re-parsing only risky values) live in `readinglist.bibwrite`, shared with the
import-side writer.
"""

from __future__ import annotations

import re
from typing import Any

from ..bibwrite import entry_heads, reparse_problem, risky_part
from ..bibwrite import safe_raw_value as safe_value
from ..errors import ReadingListError
from ._data import ExportData

INTERNAL = frozenset({"provenance", "verification", "venue", "links", "fieldsource", "curated", "areas", "not-areas"})
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_KEY = re.compile(r"^[^\s,{}()=\"#%'~\\@]+$")
_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_:+-]*$")
# Field order in the output: the usual reading order, then the rest alphabetically.
ORDER = ("author", "editor", "title", "booktitle", "journal", "journaltitle", "year", "month", "date",
         "volume", "number", "pages", "publisher", "address", "organization", "institution", "school",
         "howpublished", "edition", "series", "isbn", "issn", "doi", "eprint", "archiveprefix",
         "primaryclass", "eprinttype", "eprintclass", "url", "urldate", "note", "keywords", "ids", "abstract")
# Case conventions for the names BibTeX styles and tools recognise.
CASED = {"archiveprefix": "archivePrefix", "primaryclass": "primaryClass"}


class ExportError(ReadingListError):
    """An export that would not read back as the data it was made from."""


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
    """Re-parse `text` and require exactly the expected entries, fields and values
    (`bibwrite.reparse_problem`: no middleware, values compared exactly as written)."""
    problem = reparse_problem(text, [(etype, key, [(n, _format_value(n, v)) for n, v in fields])
                                     for etype, key, fields in expected])
    if problem is None:
        return
    what, key = problem
    if what.startswith("failed:"):
        raise ExportError(f"the BibTeX export does not re-parse (block at line {what[7:]}); "
                          "nothing was written; please report this with the paper's entry")
    if what == "count":
        raise ExportError(f"the BibTeX export does not re-parse to the {len(expected)} entries expected; "
                          "nothing was written")
    if what == "entry":
        raise ExportError(f"{key}: missing or mistyped after re-parsing the export; nothing was written")
    raise ExportError(f"{key}: field(s) {what[7:].replace(',', ', ')} would not read back as stored; "
                      "nothing was written")


def render(data: ExportData, dialect: str = "bibtex") -> str:
    expected = []
    chunks = []
    for key in sorted(data.papers):
        etype, fields = bibtex_fields(data.papers[key], dialect)
        chunks.append(entry_text(etype, key, fields))
        expected.append((etype, key, fields))
    text = "\n".join(chunks)
    # Structure: the only lines starting with `@` are the entry heads (safe_value guarantees it).
    heads = entry_heads(text)
    if heads != len(expected):
        raise ExportError(f"the BibTeX export has {heads} entry starts for {len(expected)} papers; nothing was written")
    # Values: only those holding a character bibtexparser treats specially ({ } \ @) are
    # re-parsed; the others are inert between braces (the argument is in `bibwrite`).
    tokens = [(etype, key, [(n, _format_value(n, v)) for n, v in fields]) for etype, key, fields in expected]
    risky_names = {key: {n for n, _ in fields} for _, key, fields in risky_part(tokens)}
    risky = [(etype, key, [(n, v) for n, v in fields if n in risky_names[key]])
             for etype, key, fields in expected if key in risky_names]
    verify("\n".join(entry_text(*r) for r in risky), risky)
    return text


def render_biblatex(data: ExportData) -> str:
    return render(data, "biblatex")
