"""Titles: tidy for storage (LaTeX kept), and fold to a key for duplicate detection."""

from __future__ import annotations

import re

from .latex import latex_to_text, strip_control_chars
from .names import ascii_fold

__all__ = ["normalize_title", "title_match_key", "title_similarity"]


_APOSTROPHE_RE = re.compile(r"['\u2019]")
_ALNUM_RE = re.compile(r"[a-z0-9]+")


def _tidy_once(s: str) -> str:
    s = " ".join(strip_control_chars(s).split())
    # one trailing period goes ("Title." -> "Title"); an ellipsis ("...") or "etc.." stays
    if s.endswith(".") and not s.endswith(".."):
        s = s[:-1].rstrip()
    return s


def normalize_title(s: str) -> str:
    """Collapse whitespace (BibTeX line wraps), drop one trailing period; keep LaTeX and
    ``{GPU}``-style protective braces as they are. Idempotent.

    >>> normalize_title("Efficient  Large-Scale {GPU}\\n  Training.")
    'Efficient Large-Scale {GPU} Training'
    """
    prev, s = s, _tidy_once(s)
    while prev != s:  # usually once: the value was already tidy
        prev, s = s, _tidy_once(s)
    return s


def title_match_key(s: str) -> str:
    """Casefolded, ASCII-folded words of a title with LaTeX, braces and punctuation removed
    (stopwords kept): equal keys mean the same title for deduplication.

    >>> title_match_key(r"{ZeRO-Infinity}: Breaking the {GPU} Memory Wall")
    'zero infinity breaking the gpu memory wall'
    """
    text = ascii_fold(latex_to_text(s).casefold())
    if "'" in text:  # (ascii_fold dropped the curly one)
        text = _APOSTROPHE_RE.sub("", text)
    return " ".join(_ALNUM_RE.findall(text))


def title_similarity(a: str, b: str) -> float:
    """Similarity of two titles in [0, 1] (rapidfuzz ratio on :func:`title_match_key`)."""
    from rapidfuzz import fuzz

    ka, kb = title_match_key(a), title_match_key(b)
    if not ka and not kb:
        return 1.0
    return float(fuzz.ratio(ka, kb)) / 100.0
