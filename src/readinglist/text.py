"""Display text from BibTeX values: LaTeX decoded, names in reading order, venues, identifiers.

Small, fast wrappers used by the store; the full normalization rules live in `readinglist.normalize`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .models import Paper

_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
_AND = re.compile(r"\s+and\s+", re.I)


@lru_cache(maxsize=65536)
def _decode(value: str) -> str:
    if "\\" in value or "$" in value:
        from pylatexenc.latex2text import LatexNodes2Text

        try:
            value = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True).latex_to_text(value)
        except Exception:  # pylatexenc gives up on odd input; fall back to brace stripping
            pass
    return value.replace("{", "").replace("}", "")


def detex(value: str | None) -> str | None:
    """LaTeX markup to plain Unicode text, control characters dropped, whitespace collapsed."""
    if value is None:
        return None
    value = _CTRL.sub("", value)
    if len(value) > 100_000:  # decoding huge values is quadratic in pylatexenc; strip braces only
        out = value.replace("{", "").replace("}", "")
    else:
        out = _decode(value)
    return _SPACE.sub(" ", out).strip() or None


def split_authors(field: str) -> list[str]:
    """Split a BibTeX name list on ` and ` at brace depth 0."""
    if "{" not in field:
        return [p.strip() for p in _AND.split(field) if p.strip()]
    parts, depth, start, i = [], 0, 0, 0
    low = field
    while i < len(field):
        ch = field[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and low[i:i + 5].lower() == " and " :
            parts.append(field[start:i])
            start = i + 5
            i += 5
            continue
        i += 1
    parts.append(field[start:])
    return [p.strip() for p in parts if p.strip()]


def display_name(name: str) -> str:
    """`Last, First` (or `von Last, Jr, First`) to `First von Last, Jr`; corporate names kept."""
    name = _SPACE.sub(" ", name.strip())
    if "{" not in name and "\\" not in name and "$" not in name:
        parts = [p.strip() for p in name.split(",")]
        if len(parts) == 2:
            return f"{parts[1]} {parts[0]}".strip()
        if len(parts) >= 3:
            return f"{parts[2]} {parts[0]}, {parts[1]}".strip()
        return name
    if name.startswith("{") and name.endswith("}") and name.count("{") == 1:
        return detex(name) or name
    parts = [p.strip() for p in _split_commas(name)]
    if len(parts) == 2:
        name = f"{parts[1]} {parts[0]}"
    elif len(parts) >= 3:
        name = f"{parts[2]} {parts[0]}, {parts[1]}"
    return detex(name) or name


def _split_commas(s: str) -> list[str]:
    out: list[str] = []
    depth = 0
    cur: list[str] = []
    for ch in s:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def authors_of(p: Paper) -> list[str]:
    field = p.fields.get("author") or ""
    if not field.strip():
        return []
    return [display_name(n) for n in split_authors(field) if n.lower() != "others"]


@lru_cache(maxsize=4096)
def _canonical_short(full: str) -> str | None:
    try:
        from .normalize.venues import canonical_venue
    except ImportError:  # pragma: no cover - before normalize lands
        return None
    v = canonical_venue(full)
    return v.short if v else None


def venue_of(p: Paper) -> tuple[str | None, str | None]:
    """(canonical short venue, full venue) of an entry."""
    full = detex(p.fields.get("booktitle") or p.fields.get("journal") or p.fields.get("journaltitle")
                 or p.fields.get("howpublished") or p.fields.get("publisher"))
    short = detex(p.fields.get("venue"))
    if not short:
        if full:
            short = _canonical_short(full)
        if not short and (p.fields.get("archiveprefix", "").lower() == "arxiv" or p.fields.get("eprinttype", "").lower() == "arxiv"):
            short = "arXiv" if not full else None
    return short, full


def ident_forms(text: str) -> tuple[str | None, str | None]:
    """(arXiv base id, DOI) named by `text`, if any."""
    from .normalize.identifiers import parse_arxiv_id, parse_doi

    a = parse_arxiv_id(text)
    return (a.base if a else None), (None if a else parse_doi(text))
