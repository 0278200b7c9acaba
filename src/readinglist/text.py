"""Display text from BibTeX values: LaTeX decoded, names in reading order, venues, identifiers.

Small wrappers used by the store and exports; names and identifiers come from `readinglist.normalize`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .models import Paper

_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


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


def authors_of(p: Paper) -> list[str]:
    """Display names ("First von Last, Jr"; corporate names whole), parsed by normalize.names."""
    from .normalize.names import parse_names

    out = []
    for n in parse_names(p.fields.get("author") or ""):
        if n.is_others:
            continue
        name = " ".join(x for x in (n.first, n.von, n.last) if x)
        out.append(f"{name}, {n.jr}" if n.jr else name)
    return out


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
