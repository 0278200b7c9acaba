"""Venues: a table as data (``readinglist/data/venues.json``) and the lookups over it.

Matching is exact on a normalized form (case, punctuation, years, ordinals, "Proceedings of the"
removed), never fuzzy: a typo such as ``ICMD`` gives None rather than a silent guess.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Venue", "VenueClaim", "canonical_venue", "load_venues", "parse_venue_tag", "venue_norm"]

VENUE_TYPES = ("conference", "journal", "workshop", "preprint")


@dataclass(frozen=True)
class Venue:
    """One row of the venue table."""

    short: str
    full: str
    type: str
    aliases: tuple[str, ...] = ()
    dblp: str | None = None


@dataclass(frozen=True)
class VenueClaim:
    """What a syllabus tag such as ``[SC’21, Best Student Paper]`` claims.

    ``venue`` is the canonical short name when the table knows the venue, else None (the unknown
    word goes to ``note``); ``raw`` is the tag verbatim.
    """

    venue: str | None
    year: int | None
    note: str | None
    raw: str


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u2032": "'"})
_ORDINAL_WORDS = (
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"\w+teenth|twentieth|thirtieth|fortieth|fiftieth|sixtieth|seventieth|eightieth|ninetieth|"
    r"hundredth|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
)
_LEADING = {"proceedings", "proc", "of", "the", "in"}
_SHORT_YEAR_RE = re.compile(r"'\s?\d{2}\b")
_YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
_ORDINAL_RE = re.compile(r"\b\d+(?:st|nd|rd|th)\b")
_ORDINAL_WORD_RE = re.compile(rf"\b(?:{_ORDINAL_WORDS})\b")
_PUNCT_RE = re.compile(r"[^\w\s]|_")
_NUMBER_RE = re.compile(r"\b\d+\b")
_DBLP_KEY_RE = re.compile(r"(?:conf|journals)/[\w-]+")
_WORKSHOP_RE = re.compile(r"\bworkshops?\b")
_PIECES_RE = re.compile(r"[:,;()\[\]]")


def venue_norm(text: str) -> str:
    """The matching form of a venue name: ``Proc. of the 2021 USENIX Annual Technical Conference``
    -> ``usenix annual technical conference``; ``NeurIPS’19`` -> ``neurips``."""
    s = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    s = _SHORT_YEAR_RE.sub(" ", s)  # OSDI '21
    s = _YEAR_RE.sub(" ", s)
    s = _ORDINAL_RE.sub(" ", s)
    s = _ORDINAL_WORD_RE.sub(" ", s)
    s = s.replace("&", " and ")
    s = _PUNCT_RE.sub(" ", s)
    s = _NUMBER_RE.sub(" ", s)  # volume numbers: "... Systems 32"
    words = s.split()
    while words and words[0] in _LEADING:
        words.pop(0)
    return " ".join(words)


@lru_cache(maxsize=1)
def load_venues() -> tuple[Venue, ...]:
    """The venue table, read once from the package data."""
    path = Path(__file__).resolve().parents[1] / "data" / "venues.json"
    if path.is_file():  # an installed or checked-out package: no importlib.resources (and zipfile) to load
        text = path.read_text("utf-8")
    else:  # e.g. a zipped package
        from importlib import resources

        text = resources.files("readinglist").joinpath("data/venues.json").read_text("utf-8")
    data = json.loads(text)
    return tuple(
        Venue(
            short=row["short"],
            full=row["full"],
            type=row["type"],
            aliases=tuple(row.get("aliases", ())),
            dblp=row.get("dblp"),
        )
        for row in data
    )


@lru_cache(maxsize=1)
def _index() -> dict[str, Venue]:
    index: dict[str, Venue] = {}
    for v in load_venues():
        for name in (v.short, v.full, *v.aliases):
            key = venue_norm(name)
            if key and key not in index:
                index[key] = v
        if v.dblp:
            index.setdefault(v.dblp.lower(), v)
    return index


@lru_cache(maxsize=1 << 14)  # booktitles and journals recur: a proceedings' every paper names it
def canonical_venue(text: str) -> Venue | None:
    """The venue a booktitle/journal/tag names, or None if the table does not know it.

    Tries the whole text, then its pieces split at ``:``, ``,``, ``;`` and parentheses (DBLP
    booktitles like ``Advances in Neural Information Processing Systems 33: Annual Conference
    ..., NeurIPS 2020, ...``). A workshop is never mapped to its host conference.

    >>> canonical_venue("Proc. of the 2021 USENIX Annual Technical Conference").short
    'USENIX ATC'
    """
    if not text or not text.strip():
        return None
    index = _index()
    stripped = text.strip()
    if _DBLP_KEY_RE.fullmatch(stripped.lower()):
        return index.get(stripped.lower())
    whole = venue_norm(stripped)
    if whole in index:
        return index[whole]
    if _WORKSHOP_RE.search(whole):
        return None
    for piece in _PIECES_RE.split(stripped):
        key = venue_norm(piece)
        if key in index:
            return index[key]
    return None


_TAG_YY_RE = re.compile(r"^(?P<name>.*?)\s*'\s?(?P<yy>\d{2})$")
_TAG_YYYY_RE = re.compile(r"^(?P<name>.*?)[\s-]*(?P<yyyy>(?:19|20)\d{2})$")


def _expand_year(yy: str) -> int:
    """Two-digit years: 00-69 -> 20xx, 70-99 -> 19xx (arXiv and most tagged papers are recent)."""
    n = int(yy)
    return 2000 + n if n < 70 else 1900 + n


def parse_venue_tag(tag: str) -> VenueClaim:
    """Read a syllabus venue tag: ``[SC’21, Best Student Paper]`` -> SC, 2021, "Best Student Paper".

    Pieces are separated by commas; a piece ending in ``'YY`` or ``YYYY`` gives the year; a piece
    the venue table knows gives the venue; everything else is kept, comma-joined, as the note
    (``[OpenAI, 2020]`` -> note "OpenAI", year 2020; ``[ICMD’18]`` -> no venue, note "ICMD").
    """
    raw = tag
    s = tag.strip()
    while len(s) >= 2 and s[0] + s[-1] in ("[]", "()", "{}"):
        s = s[1:-1].strip()
    s = unicodedata.normalize("NFKC", s).translate(_APOSTROPHES)
    venue: str | None = None
    year: int | None = None
    notes: list[str] = []
    for piece in (p.strip() for p in s.split(",")):
        if not piece:
            continue
        name = piece
        m = _TAG_YY_RE.match(piece)
        m4 = _TAG_YYYY_RE.match(piece)
        if m:
            name = m.group("name").strip()
            year = year or _expand_year(m.group("yy"))
        elif m4:
            name = m4.group("name").strip()
            year = year or int(m4.group("yyyy"))
        if not name:
            continue
        known = canonical_venue(name) if venue is None else None
        if known is not None:
            venue = known.short
        else:
            notes.append(name)
    return VenueClaim(venue=venue, year=year, note=", ".join(notes) or None, raw=raw)
