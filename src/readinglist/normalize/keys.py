"""Citation keys: ``lastnameYEARfirstword`` (docs/format.md), made unique deterministically."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from functools import lru_cache

from .fields import normalize_year
from .latex import latex_to_text
from .names import Name, ascii_fold, name_key, parse_name, split_names
from .titles import _ALNUM_RE, _APOSTROPHE_RE

__all__ = ["KEY_STOPWORDS", "KeySet", "first_title_word", "make_key", "unique_key"]

KEY_STOPWORDS = frozenset(
    "a an the on of in for to and with via at by from is are towards toward how what why".split()
)

_NOT_AZ = re.compile(r"[^a-z]")


def first_title_word(title: str) -> str:
    """First word of the title that is not a stopword: ASCII lowercase letters and digits only."""
    text = ascii_fold(latex_to_text(title)).lower()
    text = _APOSTROPHE_RE.sub("", text)
    for m in _ALNUM_RE.finditer(text):  # (words found one by one: the first or second is nearly always it)
        if m.group() not in KEY_STOPWORDS:
            return m.group()
    return ""


def make_key(authors: list[Name] | str, year: int | str | None, title: str) -> str:
    """``lastnameYEARfirstword``: e.g. ``narayanan2021efficient``.

    Last name: the first author's von+last, accents folded, letters only (an organisation: its
    first word); ``anon`` without authors. Year: ``nd`` when missing or unreadable.

    >>> make_key("Narayanan, Deepak and Shoeybi, Mohammad", 2021, "Efficient Large-Scale Language Model Training")
    'narayanan2021efficient'
    """
    if isinstance(authors, str):
        last = _first_author_key(authors)
    else:
        first = next((n for n in authors if not n.is_others), None)
        last = name_key(first) if first is not None else ""
    y = normalize_year(year) if year is not None else None
    return f"{last or 'anon'}{y if y is not None else 'nd'}{first_title_word(title)}"


_PLAIN_FIRST = re.compile(r"(?!.*\s(?i:and)\s)([^\\{}$~,=\s][^\\{}$~,=]*), [^\\{}$~,=]+", re.S)
"""A first name of a normalized list that needs no parsing: ``Last, First`` with no LaTeX, no braces,
no Jr part, no biblatex ``family=`` form and no other spelling of `` and ``. Its key is the letters of ``Last`` (von parts included, as `name_key` has them)."""


@lru_cache(maxsize=1 << 10)
def _first_author_key(authors: str) -> str:
    """`name_key` of the first author of a name list (only the first is parsed; cached, small: the
    same normalized list is keyed once by the worker and again after a merge)."""
    m = _PLAIN_FIRST.fullmatch(authors.split(" and ", 1)[0])
    if m is not None:
        return _NOT_AZ.sub("", ascii_fold(m.group(1)).lower())
    first = next((n for n in map(parse_name, split_names(authors)) if n != Name() and not n.is_others), None)
    return name_key(first) if first is not None else ""


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


class KeySet:
    """A set of citation keys compared case-insensitively (``Smith2020a`` blocks ``smith2020a``):
    stores and probes lowercase keys. Pass it to `unique_key`."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self.keys: set[str] = {k.lower() for k in keys}

    def add(self, key: str) -> None:
        self.keys.add(key.lower())

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str) and item.lower() in self.keys

    def __len__(self) -> int:
        return len(self.keys)


def unique_key(base: str, taken: Container[str]) -> str:
    """``base`` if free, else ``base`` + ``b``, ``c``, ... ``z``, ``aa``...: the first free one.

    `taken` is only probed (``in``), never copied or iterated, so giving n keys in turn costs O(n).
    Collisions ignore case when `taken` is a `KeySet` or holds its keys lowercase (as the importers
    and `add` keep them): each candidate is probed as is and lowercased.
    """

    def used(k: str) -> bool:
        return k in taken or k.lower() in taken

    if not used(base):
        return base
    for suffix in _suffixes():
        if not used(base + suffix):
            return base + suffix
    raise AssertionError("unreachable")  # pragma: no cover
