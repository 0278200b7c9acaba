"""Citation keys: ``lastnameYEARfirstword`` (docs/format.md), made unique deterministically."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable

from .fields import normalize_year
from .latex import latex_to_text
from .names import Name, ascii_fold, name_key, parse_names

__all__ = ["KEY_STOPWORDS", "first_title_word", "make_key", "unique_key"]

KEY_STOPWORDS = frozenset(
    "a an the on of in for to and with via at by from is are towards toward how what why".split()
)


def first_title_word(title: str) -> str:
    """First word of the title that is not a stopword: ASCII lowercase letters and digits only."""
    text = ascii_fold(latex_to_text(title)).lower()
    text = re.sub(r"['\u2019]", "", text)
    for word in re.split(r"[^a-z0-9]+", text):
        if word and word not in KEY_STOPWORDS:
            return word
    return ""


def make_key(authors: list[Name] | str, year: int | str | None, title: str) -> str:
    """``lastnameYEARfirstword``: e.g. ``narayanan2021efficient``.

    Last name: the first author's von+last, accents folded, letters only (an organisation: its
    first word); ``anon`` without authors. Year: ``nd`` when missing or unreadable.

    >>> make_key("Narayanan, Deepak and Shoeybi, Mohammad", 2021, "Efficient Large-Scale Language Model Training")
    'narayanan2021efficient'
    """
    names = parse_names(authors) if isinstance(authors, str) else authors
    names = [n for n in names if not n.is_others]
    last = name_key(names[0]) if names else ""
    y = normalize_year(year) if year is not None else None
    return f"{last or 'anon'}{y if y is not None else 'nd'}{first_title_word(title)}"


def _suffixes() -> Iterable[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield from letters[1:]
    n = 2
    while True:  # after z: aa, ab, ... then aaa ...
        idx = [0] * n
        while True:
            yield "".join(letters[i] for i in idx)
            for pos in range(n - 1, -1, -1):
                idx[pos] += 1
                if idx[pos] < 26:
                    break
                idx[pos] = 0
            else:
                break
        n += 1


def unique_key(base: str, taken: Container[str]) -> str:
    """``base`` if free, else ``base`` + ``b``, ``c``, ... ``z``, ``aa``...: the first free one.

    The collision check ignores case (``Smith2020a`` blocks ``smith2020a``) when ``taken`` can be
    iterated (set, list, dict); a bare container is probed with the candidate and its lowercase.
    """
    if isinstance(taken, Iterable):
        lowered: Container[str] = {t.lower() for t in taken if isinstance(t, str)}
    else:
        lowered = taken

    def used(k: str) -> bool:
        return k.lower() in lowered or k in taken

    if not used(base):
        return base
    for suffix in _suffixes():
        if not used(base + suffix):
            return base + suffix
    raise AssertionError("unreachable")  # pragma: no cover
