"""Identifiers in links and text: arXiv ids, DOIs, OpenReview ids, and what a URL implies.

Pure functions; nothing here touches the network.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = [
    "ArxivId",
    "LinkInfo",
    "PMLR_VOLUMES",
    "classify_link",
    "is_non_reading_link",
    "parse_arxiv_id",
    "parse_doi",
    "parse_openreview_id",
    "split_url",
    "validate_arxiv_id",
]


# --------------------------------------------------------------------------------------------
# arXiv (rules: https://info.arxiv.org/help/arxiv_identifier.html)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArxivId:
    """An arXiv identifier: ``base`` without version (``2104.04473``, ``hep-th/9901001``) and
    the explicit version if one was given (``None`` means "latest")."""

    base: str
    version: int | None = None

    @property
    def canonical(self) -> str:
        """The id to store and to match on: the base, never a version."""
        return self.base

    @property
    def with_version(self) -> str:
        """``base`` plus ``vN`` when a version is known, else the base."""
        return f"{self.base}v{self.version}" if self.version is not None else self.base

    def __str__(self) -> str:
        return self.with_version


# Archives of old-style identifiers (1991 to March 2007).
OLD_ARCHIVES = frozenset(
    """acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn chem-ph cmp-lg
    comp-gas cond-mat cs dg-ga funct-an gr-qc hep-ex hep-lat hep-ph hep-th math math-ph
    mtrl-th nlin nucl-ex nucl-th patt-sol physics plasm-ph q-alg q-bio q-fin quant-ph solv-int
    stat supr-con""".split()
)

_NEW_RE = re.compile(r"(\d{2})(\d{2})\.(\d{4,5})(?:v(\d+))?")
_OLD_RE = re.compile(r"([a-z]+(?:-[a-z]+)?)(\.[A-Za-z]{2}(?:-[a-z]+)?)?/(\d{2})(\d{2})(\d{3})(?:v(\d+))?")
_ARXIV_HOST_RE = re.compile(r"^(?:[a-z0-9-]+\.)*arxiv\.org$")
_ARXIV_PATH_RE = re.compile(r"^/(?:abs|pdf|ps|format|html)/(.+?)(?:\.pdf)?/?$")
_NEW_LOOSE_RE = re.compile(r"\d{4}\.\d+(v\d+)?")
_ARXIV_DOI_RE = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


def _check_new(m: re.Match[str], text: str) -> ArxivId | str:
    yy, mm, num, ver = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    yymm = yy * 100 + mm
    if not 1 <= mm <= 12:
        return f"month {m.group(2)} is not 01-12"
    if yymm < 704:
        return f"new-style ids (YYMM.NNNN) start in 0704; {m.group(1)}{m.group(2)} needs the old form archive/YYMMNNN"
    if yymm <= 1412 and len(num) != 4:
        return f"ids from 0704 to 1412 have 4 digits after the dot, not {len(num)}"
    if yymm >= 1501 and len(num) != 5:
        return f"ids from 1501 on have 5 digits after the dot, not {len(num)}"
    if int(num) == 0:
        return "sequence number 0 does not exist"
    return _versioned(f"{m.group(1)}{m.group(2)}.{num}", ver)


def _check_old(m: re.Match[str], text: str) -> ArxivId | str:
    archive, yy, mm, num, ver = m.group(1), int(m.group(3)), int(m.group(4)), m.group(5), m.group(6)
    if archive not in OLD_ARCHIVES:
        return f"unknown arXiv archive {archive!r}"
    if not 1 <= mm <= 12:
        return f"month {m.group(4)} is not 01-12"
    year = 1900 + yy if yy >= 91 else 2000 + yy
    if (year, mm) < (1991, 8) or (year, mm) > (2007, 3):
        return f"old-style ids (archive/YYMMNNN) run from 9108 to 0703, not {m.group(3)}{m.group(4)}"
    if int(num) == 0:
        return "sequence number 000 does not exist"
    # The subject class (math.GT) is not part of the identifier: arXiv serves math/0309136.
    return _versioned(f"{archive}/{m.group(3)}{m.group(4)}{num}", ver)


def _versioned(base: str, ver: str | None) -> ArxivId | str:
    if ver is None:
        return ArxivId(base, None)
    if int(ver) == 0:
        return "version v0 does not exist (versions start at v1)"
    return ArxivId(base, int(ver))


def _arxiv_candidate(text: str) -> str | None:
    """Strip the wrappers around an id (URL, ``arXiv:`` prefix, DOI form); None if a URL is not arXiv's."""
    s = text.strip().strip("<>").strip()
    low = s.lower()
    if "://" in s or low.startswith(("arxiv.org/", "www.arxiv.org/", "export.arxiv.org/")):
        url = s if "://" in s else "https://" + s
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in ("doi.org", "dx.doi.org"):
            return _arxiv_candidate(unquote(parts.path.lstrip("/")))
        if not _ARXIV_HOST_RE.match(host):
            return None
        pm = _ARXIV_PATH_RE.match(unquote(parts.path))
        return pm.group(1) if pm else None
    if low.startswith("doi:"):
        s = s[4:].strip()
    dm = _ARXIV_DOI_RE.match(s)
    if dm:
        return dm.group(1)
    if low.startswith("arxiv:"):
        return s[6:].strip()
    return s


@lru_cache(maxsize=1 << 12)  # an import parses each entry's eprint/DOI twice (normalize, fingerprint)
def _parse_arxiv(text: str) -> ArxivId | str:
    cand = _arxiv_candidate(text)
    if cand is None:
        return "not an arXiv paper URL (arxiv.org/abs/ID or arxiv.org/pdf/ID)"
    bad = next((c for c in cand if ord(c) > 127), None)
    if bad is not None:
        return f"contains the non-ASCII character {bad!r} (U+{ord(bad):04X})"
    m = _NEW_RE.fullmatch(cand)
    if m:
        return _check_new(m, text)
    m = _OLD_RE.fullmatch(cand)
    if m:
        return _check_old(m, text)
    if _NEW_LOOSE_RE.fullmatch(cand):
        return "new-style ids have 4 (0704-1412) or 5 (from 1501) digits after the dot"
    return "not of the form YYMM.NNNNN[vN] or archive/YYMMNNN[vN]"


def parse_arxiv_id(text: str) -> ArxivId | None:
    """The arXiv id in ``text`` (a bare id, ``arXiv:`` id, arxiv.org URL or arXiv DOI), or None.

    >>> parse_arxiv_id("https://arxiv.org/pdf/2104.04473v2.pdf")
    ArxivId(base='2104.04473', version=2)
    """
    result = _parse_arxiv(text)
    return result if isinstance(result, ArxivId) else None


def validate_arxiv_id(text: str) -> ArxivId:
    """Like :func:`parse_arxiv_id` but raise ``ValueError`` naming the input and the reason."""
    result = _parse_arxiv(text)
    if isinstance(result, str):
        raise ValueError(f"invalid arXiv id {text!r}: {result}")
    return result


# --------------------------------------------------------------------------------------------
# DOI
# --------------------------------------------------------------------------------------------

_DOI_RE = re.compile(r"10\.[0-9]{4,9}/[^\s\"<>]+")
# Hosts whose URLs never carry the DOI (ScienceDirect uses PII, IEEE Xplore a document number).
_DOI_URL_HOSTS_PREFIXES = ("doi.org", "dx.doi.org", "www.doi.org")
_TRAILING = ".,;:'\"!?>"
_QUERY_TAIL_RE = re.compile(r"[?#]")
_DOI_FULL_RE = re.compile(r"10\.[0-9]{4,9}/\S+")
_DOI_URL_START_RE = re.compile(r"^(?:www\.|dx\.)?doi\.org/", re.IGNORECASE)
_DOI_IN_PATH_RE = re.compile(r"(?:^|/)(10\.\d{4,9}/.+)$")
_DOI_QUERY_RE = re.compile(r"10\.\d{4,9}/")
_DOI_PREFIX_RE = re.compile(r"^doi\s*:\s*", re.IGNORECASE)


def _clean_doi(doi: str, *, from_url: bool) -> str | None:
    if from_url:
        doi = _QUERY_TAIL_RE.split(doi, maxsplit=1)[0]
    doi = doi.strip()
    while doi:
        if doi[-1] in _TRAILING:
            doi = doi[:-1]
        elif doi[-1] in ")]}" and doi.count(doi[-1]) > doi.count({")": "(", "]": "[", "}": "{"}[doi[-1]]):
            doi = doi[:-1]
        else:
            break
    if not _DOI_FULL_RE.fullmatch(doi):
        return None
    return doi.lower()


@lru_cache(maxsize=1 << 12)  # see _parse_arxiv
def parse_doi(text: str) -> str | None:
    """The DOI in a bare DOI, ``doi:`` string or URL (doi.org, ACM DL, Springer, Wiley...), or None.

    Canonical form: lowercase, URL-decoded, trailing punctuation stripped. URLs that carry no DOI
    (ScienceDirect ``/pii/``, IEEE Xplore ``/document/N``) give None.

    >>> parse_doi("https://dl.acm.org/doi/abs/10.1145/3447786.3456245")
    '10.1145/3447786.3456245'
    """
    s = text.strip().strip("<>").strip()
    if not s:
        return None
    if "://" in s or _DOI_URL_START_RE.match(s):
        if "10." not in s and "%" not in s:  # every DOI starts so (or is percent-encoded)
            return None
        url = s if "://" in s else "https://" + s
        parts = urlsplit(url)
        path = unquote(parts.path)
        host = (parts.hostname or "").lower()
        if host in _DOI_URL_HOSTS_PREFIXES:
            return _clean_doi(path.lstrip("/"), from_url=False)
        # Springer PDFs: /content/pdf/10.1007/xyz.pdf
        if host.endswith("springer.com") and path.endswith(".pdf"):
            path = path[: -len(".pdf")]
        m = _DOI_IN_PATH_RE.search(path)
        if m:
            return _clean_doi(m.group(1), from_url=False)
        for values in parse_qs(parts.query).values():  # ?doi=10.1109/...
            for v in values:
                if _DOI_QUERY_RE.match(v):
                    return _clean_doi(v, from_url=False)
        return None
    s = _DOI_PREFIX_RE.sub("", s)
    if not s.startswith("10."):
        return None
    m = _DOI_RE.match(unquote(s))
    return _clean_doi(m.group(0), from_url=False) if m else None


# --------------------------------------------------------------------------------------------
# OpenReview
# --------------------------------------------------------------------------------------------

_OPENREVIEW_ID_RE = re.compile(r"[A-Za-z0-9_-]{6,}")


def parse_openreview_id(text: str) -> str | None:
    """The note id of an openreview.net forum/pdf/attachment URL (``r1gs9JgRZ``), or None."""
    s = text.strip()
    if "://" not in s:
        s = "https://" + s
    parts = urlsplit(s)
    host = (parts.hostname or "").lower()
    if host not in ("openreview.net", "www.openreview.net"):
        return None
    if parts.path.rstrip("/") not in ("/forum", "/pdf", "/attachment", "/revisions"):
        return None
    ids = parse_qs(parts.query).get("id", [])
    if ids and _OPENREVIEW_ID_RE.fullmatch(ids[0]):
        return ids[0]
    return None


# --------------------------------------------------------------------------------------------
# What a URL implies
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkInfo:
    """What a link is: ``kind`` (arxiv, doi, openreview, usenix, pmlr, neurips, mlsys, acl, pdf,
    web), the identifier it carries if any, and the venue/year its URL implies if any."""

    url: str
    kind: str
    id: str | None = None
    venue: str | None = None
    year: int | None = None
    volume: int | None = None


# PMLR volume -> (venue short name, year of the meeting). Volumes checked against
# proceedings.mlr.press pages/BibTeX (v97 ICML 2019, v119 ICML 2020, v139 ICML 2021, v80 ICML 2018,
# v100 CoRL 2019, v155 CoRL 2020 seen in real .bib files); the rest from the PMLR index.
PMLR_VOLUMES: dict[int, tuple[str, int]] = {
    28: ("ICML", 2013),
    32: ("ICML", 2014),
    37: ("ICML", 2015),
    48: ("ICML", 2016),
    70: ("ICML", 2017),
    80: ("ICML", 2018),
    97: ("ICML", 2019),
    119: ("ICML", 2020),
    139: ("ICML", 2021),
    162: ("ICML", 2022),
    202: ("ICML", 2023),
    235: ("ICML", 2024),
    54: ("AISTATS", 2017),
    84: ("AISTATS", 2018),
    89: ("AISTATS", 2019),
    108: ("AISTATS", 2020),
    130: ("AISTATS", 2021),
    151: ("AISTATS", 2022),
    206: ("AISTATS", 2023),
    78: ("CoRL", 2017),
    87: ("CoRL", 2018),
    100: ("CoRL", 2019),
    155: ("CoRL", 2020),
    164: ("CoRL", 2021),
    205: ("CoRL", 2022),
    229: ("CoRL", 2023),
}

# USENIX conference slug (osdi, nsdi, atc...) -> venue short name (as in venues.json).
_USENIX_SLUGS = {
    "osdi": "OSDI",
    "nsdi": "NSDI",
    "atc": "USENIX ATC",
    "usenixatc": "USENIX ATC",
    "fast": "FAST",
    "sec": "USENIX Security",
    "usenixsecurity": "USENIX Security",
    "hotos": "HotOS",
    "hotcloud": "HotCloud",
    "hotstorage": "HotStorage",
    "soups": "SOUPS",
    "opml": "OpML",
    "lisa": "LISA",
}
_USENIX_SLUG_RE = re.compile(r"^(" + "|".join(sorted(_USENIX_SLUGS, key=len, reverse=True)) + r")(\d{2})\b")

# ACL Anthology old-style letters (P19-1001) and new-style volume names (2020.acl-main.1).
_ACL_LETTERS = {"P": "ACL", "N": "NAACL", "D": "EMNLP", "E": "EACL", "Q": "TACL", "J": "CL", "C": "COLING"}
_ACL_NEW = {"acl": "ACL", "naacl": "NAACL", "emnlp": "EMNLP", "eacl": "EACL", "tacl": "TACL",
            "cl": "CL", "coling": "COLING"}


def _two_digit_year(yy: str) -> int:
    n = int(yy)
    return 2000 + n if n < 70 else 1900 + n


_PLAIN_URL_RE = re.compile(r"https?://([A-Za-z0-9.-]+)(/[^?#%\s@\[\]]*)?")


def split_url(raw: str) -> tuple[str, str, str]:
    """(lowercase host, path, query) as `urllib.parse.urlsplit` gives them (a scheme-less URL read
    as https). A plain ``http(s)://host/path`` (no port, user, query, fragment, escapes) is split
    by one regex; anything else by urlsplit."""
    m = _PLAIN_URL_RE.fullmatch(raw)
    if m is not None:
        return m.group(1).lower(), m.group(2) or "", ""
    parts = urlsplit(raw if "://" in raw else "https://" + raw)
    return (parts.hostname or "").lower(), parts.path, parts.query


def classify_link(url: str) -> LinkInfo:
    """Classify a reading link and extract the id, venue and year its URL implies.

    >>> classify_link("https://www.usenix.org/conference/osdi21/presentation/qiao").venue
    'OSDI'
    """
    raw = url.strip()
    low = raw.lower()
    aid = parse_arxiv_id(raw) if "arxiv" in low else None
    if aid is not None:
        return LinkInfo(raw, "arxiv", aid.canonical)
    orid = parse_openreview_id(raw) if "openreview" in low else None
    if orid is not None:
        return LinkInfo(raw, "openreview", orid)
    host, path, _ = split_url(raw)
    if host.startswith("www."):
        host = host[4:]
    path = unquote(path) if "%" in path else path
    handler = _HOST_HANDLERS.get(host)  # one dict hit instead of testing each known host in turn
    if handler is not None:
        info = handler(raw, [p for p in path.split("/") if p])
        if info is not None:
            return info
    doi = parse_doi(raw)
    if doi is not None:
        aid = parse_arxiv_id(doi)
        if aid is not None:
            return LinkInfo(raw, "arxiv", aid.canonical)
        return LinkInfo(raw, "doi", doi)
    if path.lower().endswith(".pdf"):
        return LinkInfo(raw, "pdf")
    return LinkInfo(raw, "web")


def _classify_pmlr(raw: str, segs: list[str]) -> LinkInfo | None:
    if not (segs and _PMLR_VOLUME_RE.fullmatch(segs[0])):
        return None
    vol = int(segs[0][1:])
    venue, year = PMLR_VOLUMES.get(vol, (None, None))
    paper = segs[1].removesuffix(".html").removesuffix(".pdf") if len(segs) > 1 else None
    return LinkInfo(raw, "pmlr", f"v{vol}/{paper}" if paper else f"v{vol}", venue, year, vol)


def _classify_usenix(raw: str, segs: list[str]) -> LinkInfo | None:
    # /conference/osdi21/presentation/qiao ; /system/files/conference/osdi16/osdi16-abadi.pdf ;
    # /system/files/osdi21-qiao.pdf ; /system/files/sec20-name.pdf
    for seg in segs:
        m = _USENIX_SLUG_RE.match(seg.lower())
        if m:
            venue = _USENIX_SLUGS[m.group(1)]
            year = _two_digit_year(m.group(2))
            ident = segs[-1].removesuffix(".pdf")
            if "presentation" in segs:
                ident = "/".join(segs[segs.index("presentation") - 1:])
            return LinkInfo(raw, "usenix", ident, venue, year)
    if segs and segs[-1].lower().endswith(".pdf"):
        return LinkInfo(raw, "usenix", segs[-1].removesuffix(".pdf"))
    return None


def _classify_hashed(raw: str, segs: list[str], kind: str, venue: str) -> LinkInfo:
    # /paper/2019/file/<hash>-Paper.pdf ; /paper_files/paper/2022/hash/<hash>-Abstract.html ;
    # old NeurIPS: /paper/8092-automatic-differentiation-in-ml-...
    year = None
    ident = None
    for i, seg in enumerate(segs):
        if _YEAR_SEG_RE.fullmatch(seg) and i > 0 and segs[i - 1] == "paper":
            year = int(seg)
        m = _HASH_SEG_RE.fullmatch(seg)
        if m:
            ident = m.group(1)
    if ident is None and len(segs) >= 2 and segs[0] == "paper":
        m = _OLD_NEURIPS_RE.fullmatch(segs[1])
        if m:
            ident = m.group(1)
    return LinkInfo(raw, kind, ident, venue, year)


def _classify_acl(raw: str, segs: list[str]) -> LinkInfo | None:
    if not segs:
        return None
    last = segs[-1].removesuffix(".pdf").removesuffix(".bib")
    m = _ACL_OLD_RE.fullmatch(last)
    if m:
        return LinkInfo(raw, "acl", last, _ACL_LETTERS.get(m.group(1)), _two_digit_year(m.group(2)))
    m = _ACL_NEW_RE.fullmatch(last)
    if m:
        return LinkInfo(raw, "acl", last, _ACL_NEW.get(m.group(2)), int(m.group(1)))
    return None


_PMLR_VOLUME_RE = re.compile(r"v\d+")
_YEAR_SEG_RE = re.compile(r"(19|20)\d{2}")
_HASH_SEG_RE = re.compile(r"([0-9a-f]{32})(?:-.*)?")
_OLD_NEURIPS_RE = re.compile(r"(\d+)-.*")
_ACL_OLD_RE = re.compile(r"([A-Z])(\d{2})-(\d{4})")
_ACL_NEW_RE = re.compile(r"((?:19|20)\d{2})\.([a-z]+)(?:-[a-z]+)?\.(\d+)")


def _neurips(raw: str, segs: list[str]) -> LinkInfo:
    return _classify_hashed(raw, segs, "neurips", "NeurIPS")


def _mlsys(raw: str, segs: list[str]) -> LinkInfo:
    return _classify_hashed(raw, segs, "mlsys", "MLSys")


_HOST_HANDLERS: dict[str, Callable[[str, list[str]], LinkInfo | None]] = {
    "usenix.org": _classify_usenix,
    "proceedings.mlr.press": _classify_pmlr,
    **dict.fromkeys(("papers.nips.cc", "papers.neurips.cc", "proceedings.neurips.cc", "neurips.cc", "nips.cc"), _neurips),
    "proceedings.mlsys.org": _mlsys,
    "aclanthology.org": _classify_acl,
    "aclweb.org": _classify_acl,
}
"""Hosts whose URLs carry an id or imply a venue (after ``www.``): the handler gives the `LinkInfo`,
or None to fall through to the generic rules (DOI in the URL, PDF, web page)."""


_NON_READING_HOSTS = (
    "forms.gle",
    "zoom.us",
    "piazza.com",
    "slack.com",
    "youtube.com",
    "youtu.be",
    "linkedin.com",
    "calendar.google.com",
    "gradescope.com",
    "edstem.org",
)
_NON_READING_EXT = (".ppt", ".pptx", ".key", ".odp", ".mp4", ".mov", ".ics")
_NON_READING_TEXT_RE = re.compile(
    r"^\s*(?:pdf|pptx?|slides?|keynote|video|recording|zoom|piazza|slack|"
    r"submit (?:your|a) review.*|sign[- ]?up.*|jump to today|lecture slides?.*|guest (?:lecture )?slides?.*|"
    r"guest speaker.*)\s*$",
    re.IGNORECASE,
)


def is_non_reading_link(url: str, text: str = "") -> bool:
    """True for links in a syllabus that are not readings: slides, review forms, video, chat,
    calendars, ``mailto:``. ``text`` is the link text (``[PDF]`` next to "Lecture slides")."""
    u = url.strip()
    low = u.lower()
    if low.startswith(("mailto:", "tel:", "javascript:", "#")):
        return True
    parts = urlsplit(u if "://" in u else "https://" + u)
    host = (parts.hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in _NON_READING_HOSTS):
        return True
    if host == "docs.google.com" and parts.path.startswith("/forms"):
        return True
    if host == "docs.google.com" and parts.path.startswith("/presentation"):
        return True
    if parts.path.lower().endswith(_NON_READING_EXT):
        return True
    if "/lectures/" in parts.path.lower() or "/slides/" in parts.path.lower():
        return True
    return bool(text and _NON_READING_TEXT_RE.match(text))
