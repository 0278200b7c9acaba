"""BibTeX field values: pages, month, year, DOI, and a whole entry's field dict."""

from __future__ import annotations

import re

from .identifiers import parse_arxiv_id, parse_doi
from .latex import strip_control_chars
from .names import normalize_author_field
from .titles import normalize_title
from .venues import canonical_venue

__all__ = [
    "MONTHS",
    "normalize_doi",
    "normalize_entry",
    "normalize_month",
    "normalize_pages",
    "normalize_year",
]

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = {
    **{m: m for m in MONTHS},
    "january": "jan", "february": "feb", "march": "mar", "april": "apr", "june": "jun",
    "july": "jul", "august": "aug", "sept": "sep", "september": "sep", "october": "oct",
    "november": "nov", "december": "dec",
}
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_RANGE_RE = re.compile(rf"(?:\s*[-{_DASHES}])+\s*")
_WORD_RE = re.compile(r"\w")
# LaTeX spellings of a dash and of the thin spaces around one, as exporters write page ranges:
# ``1422{\textendash}1442`` (ACL Anthology), ``12\textendash 34``, ``12{--}34``, ``12\,--\,34``
_LATEX_DASH_RE = re.compile(r"\{\\text(?:en|em)dash\}|\\text(?:en|em)dash(?:\{\}|\s+|(?![A-Za-z]))|\{(-+)\}|\\[,;:!]")
_PLAIN_RANGE_RE = re.compile(r"([0-9]+)(?:(?:-+|\{\\textendash\})([0-9]+))?")
_MONTH_NUM_RE = re.compile(r"[0-9]{1,2}")
_YEAR_RE = re.compile(r"(?<![0-9])([12][0-9]{3})(?![0-9])")
_DATE_MONTH_RE = re.compile(r"\s*[0-9]{4}-([0-9]{1,2})(?![0-9])")


def normalize_pages(s: str) -> str:
    """Page ranges with ``--``: ``12-34``, ``12–34``, ``12 -- 34``, ``12{\\textendash}34`` -> ``12--34``.

    Lists keep their commas (``1-5, 7-9`` -> ``1--5, 7--9``); single pages are unchanged.
    """
    m = _PLAIN_RANGE_RE.fullmatch(s)
    if m is not None:  # ``12``, ``12-34``, ``12--34``, ``12{\textendash}34``: most real ones
        return f"{m.group(1)}--{m.group(2)}" if m.group(2) else s
    return _pages_general(s)


def _pages_general(s: str) -> str:
    s = strip_control_chars(s)
    if "\\" in s or "{" in s:
        s = _LATEX_DASH_RE.sub(lambda m: m.group(1) or ("-" if m.group().startswith(("{", "\\text")) else " "), s)
    parts = [p.strip() for p in s.split(",")]
    out = []
    for p in parts:
        p = " ".join(p.split())
        out.append(_RANGE_RE.sub("--", p) if _WORD_RE.search(p) else p)
    return ", ".join(x for x in out if x)


def normalize_month(s: str | int) -> str | None:
    """``Jan``, ``january``, ``1``, ``01``, ``{Jan.}`` -> ``jan``; None if not a month."""
    if isinstance(s, str) and s in MONTHS:  # already normal
        return s
    t = str(s).strip().strip("{}").strip().rstrip(".").lower()
    if _MONTH_NUM_RE.fullmatch(t):
        n = int(t)
        return MONTHS[n - 1] if 1 <= n <= 12 else None
    return _MONTH_NAMES.get(t)


def normalize_year(s: str | int | None) -> int | None:
    """The year in ``2021``, ``{2021}``, a biblatex date ``2021-05-03`` or ``2021/2022``; else None."""
    if s is None:
        return None
    if isinstance(s, int):
        return s if 1000 <= s <= 2999 else None
    if len(s) == 4 and s.isdigit() and s.isascii() and s[0] in "12":  # the common case: "2021"
        return int(s)
    m = _YEAR_RE.search(s)
    return int(m.group(1)) if m else None


def normalize_doi(s: str) -> str | None:
    """A bare lowercase DOI from a DOI, ``doi:`` string or DOI-bearing URL (see :func:`parse_doi`)."""
    return parse_doi(s)


_NAME_FIELDS = ("author", "editor")
_TITLE_FIELDS = ("title",)
_VENUE_TEXT_FIELDS = ("booktitle", "journal", "series", "publisher")


# Where exporters put an arXiv id when there is no `eprint`: Google Scholar's
# ``journal = {arXiv preprint arXiv:1706.03762}``, DBLP's ``journal = {CoRR}, volume = {abs/2104.04473}``,
# ``howpublished``/``note`` = ``arXiv:2104.04473`` (or ``arXiv preprint cs/0112017``)
_ARXIV_IN_TEXT_RE = re.compile(
    r"\barxiv\b(?:\s+preprint)?(?:\s*,)?\s*(?:arxiv\s*)?(?::|\s|abs/)\s*(?:abs/)?"
    r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)(?![\w.])",
    re.IGNORECASE)
_CORR_VOLUME_RE = re.compile(r"abs/(\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})(?:v\d+)?", re.IGNORECASE)


def arxiv_in_venue(fields: dict[str, str]) -> str | None:
    """The arXiv id an entry without `eprint` names in its venue text (`journal`, `booktitle`,
    `howpublished`, `note`, or DBLP's ``CoRR`` with ``volume = {abs/ID}``), canonical; else None."""
    if fields.get("journal", "").strip().lower() in ("corr", "arxiv"):
        m = _CORR_VOLUME_RE.fullmatch(fields.get("volume", "").strip())
        if m:
            aid = parse_arxiv_id(m.group(1))
            if aid is not None:
                return aid.canonical
    for k in ("journal", "booktitle", "howpublished", "note"):
        v = fields.get(k)
        if v and "arxiv" in v.lower():
            m = _ARXIV_IN_TEXT_RE.search(v)
            if m:
                aid = parse_arxiv_id(m.group(1))
                if aid is not None:
                    return aid.canonical
    return None


def normalize_entry(fields: dict[str, str]) -> dict[str, str]:
    """Normalize one entry's fields (names are field names, values raw BibTeX text). Idempotent.

    - field names lowercased (a lowercase duplicate wins over ``Title``-style ones);
    - control characters stripped, surrounding whitespace removed, empty values dropped;
    - biblatex: ``journaltitle`` -> ``journal``, ``date`` -> ``year``/``month`` (kept too),
      ``eprinttype = arxiv`` -> ``archiveprefix = arXiv``, ``eprintclass`` -> ``primaryclass``;
    - ``author``/``editor`` -> ``Last, First and ...``; ``title`` tidied; ``pages`` with ``--``;
      ``month`` -> ``jan``..``dec``; ``year`` -> 4 digits; ``doi`` bare lowercase;
      ``eprint`` -> arXiv id without version, and found in ``journal = {arXiv preprint arXiv:ID}``,
      DBLP's ``CoRR`` + ``volume = {abs/ID}``, ``howpublished``/``note`` when there is no ``eprint``;
    - ``venue`` canonical short name, filled from ``booktitle``/``journal`` when the table knows it.

    Values that cannot be normalized (an unreadable month, a DOI that is not one) are kept as is.
    """
    out: dict[str, str] = {}
    for key, value in fields.items():
        k = key.strip().lower()
        if k in out and key != k:
            continue  # "title" already seen beats "Title"
        v = str(value)
        if not v.isprintable():  # (a C scan; control characters are never printable)
            v = strip_control_chars(v)
        v = v.strip()
        if v:
            out[k] = v
    # biblatex -> BibTeX
    if "journaltitle" in out:
        jt = out.pop("journaltitle")
        out.setdefault("journal", jt)
    if "date" in out:
        y = normalize_year(out["date"])
        if y is not None:
            out.setdefault("year", str(y))
        dm = _DATE_MONTH_RE.match(out["date"])
        if dm and "month" not in out and normalize_month(dm.group(1)):
            out["month"] = dm.group(1)
    if out.get("eprinttype", "").lower() in ("arxiv", "arxiv.org"):
        out.pop("eprinttype")
        out.setdefault("archiveprefix", "arXiv")
    if "eprintclass" in out:
        ec = out.pop("eprintclass")
        out.setdefault("primaryclass", ec)

    for k in _NAME_FIELDS:
        if k in out:
            out[k] = normalize_author_field(out[k])
    for k in _TITLE_FIELDS:
        if k in out:
            out[k] = normalize_title(out[k])
    for k in _VENUE_TEXT_FIELDS:
        if k in out:
            out[k] = " ".join(out[k].split())
    if "pages" in out:
        out["pages"] = normalize_pages(out["pages"])
    if "month" in out:
        out["month"] = normalize_month(out["month"]) or out["month"]
    if "year" in out:
        y = normalize_year(out["year"])
        if y is not None:
            out["year"] = str(y)
    if "doi" in out:
        out["doi"] = parse_doi(out["doi"]) or out["doi"]
    if out.get("archiveprefix", "").lower() == "arxiv":
        out["archiveprefix"] = "arXiv"
    if "eprint" not in out:
        found = arxiv_in_venue(out)
        if found is not None:
            out["eprint"] = found
            out["archiveprefix"] = "arXiv"
    if "eprint" in out and (out.get("archiveprefix") == "arXiv" or "archiveprefix" not in out):
        aid = parse_arxiv_id(out["eprint"])
        if aid is not None:
            out["eprint"] = aid.canonical
            out.setdefault("archiveprefix", "arXiv")

    if "venue" in out:
        known = canonical_venue(out["venue"])
        if known is not None:
            out["venue"] = known.short
    else:
        for k in ("booktitle", "journal"):
            if k in out:
                known = canonical_venue(out[k])
                if known is not None:
                    out["venue"] = known.short
                    break
        else:
            if out.get("archiveprefix") == "arXiv" and "eprint" in out:
                out["venue"] = "arXiv"
    return {k: v for k, v in out.items() if v}  # a title of "." normalizes to nothing
