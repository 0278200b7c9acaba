"""BibTeX author lists: split, parse into First/von/Last/Jr, decode LaTeX per part, format back.

The order matters (traps.md section 3): split on ``and`` at brace depth 0 first, then parse each
name's parts, and only then decode LaTeX in each part, so ``{Barnes and Noble, Inc.}`` stays one
corporate author and ``Sch{\\"o}lkopf`` becomes ``Schölkopf``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .latex import latex_to_text, text_to_latex

__all__ = [
    "Name",
    "ascii_fold",
    "format_authors",
    "format_name",
    "initials",
    "name_key",
    "normalize_author_field",
    "parse_names",
    "split_names",
]


@dataclass(frozen=True)
class Name:
    """One person (or organisation) with parts decoded to Unicode text.

    A corporate author (``{Barnes and Noble, Inc.}``) has only ``last``, holding the whole name.
    """

    first: str = ""
    von: str = ""
    last: str = ""
    jr: str = ""

    @property
    def is_corporate(self) -> bool:
        """Heuristic: a multi-word last name with no first/von/jr part (``Sci-Art Publishers``)."""
        return not (self.first or self.von or self.jr) and " " in self.last

    @property
    def is_others(self) -> bool:
        """The ``and others`` marker (et al.)."""
        return self.last == "others" and not (self.first or self.von or self.jr)


_FOLD_EXTRA = str.maketrans(
    {"ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
     "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i",
     "ĸ": "k", "ŋ": "n", "Ŋ": "N", "ħ": "h", "Ħ": "H"}
)


def ascii_fold(s: str) -> str:
    """Fold accents and a few special letters to ASCII (``Schölkopf`` -> ``Scholkopf``, ``ß`` -> ``ss``);
    characters with no ASCII form are dropped."""
    if s.isascii():
        return s
    return unicodedata.normalize("NFKD", s.translate(_FOLD_EXTRA)).encode("ascii", "ignore").decode("ascii")


# ---------------------------------------------------------------------------------- splitting


def _depth0_split(s: str, sep: re.Pattern[str]) -> list[str]:
    """Split ``s`` on matches of ``sep`` that occur at brace depth 0 (a backslash escapes the next
    character; a ``}`` too many is ignored). `sep` must not match a brace or a backslash."""
    if "{" not in s and "}" not in s and "\\" not in s:
        return sep.split(s)  # the same scan, left to right, when every position is at depth 0
    scan = _SCANNERS.get(sep)
    if scan is None:
        scan = _SCANNERS[sep] = re.compile(r"(\\[\s\S])|([{}])|(?:" + sep.pattern + ")", sep.flags)
    out: list[str] = []
    depth = 0
    start = 0
    search = scan.search
    m = search(s)
    while m is not None:  # from escape to brace to separator, never character by character
        brace = m.group(2)
        if brace is not None:
            depth = depth + 1 if brace == "{" else max(0, depth - 1)
        elif m.group(1) is None and depth == 0 and m.end() > m.start():
            out.append(s[start:m.start()])
            start = m.end()
        m = search(s, m.end() if m.end() > m.start() else m.end() + 1)
    out.append(s[start:])
    return out


_SCANNERS: dict[re.Pattern[str], re.Pattern[str]] = {}


_AND_RE = re.compile(r"\s+and\s+", re.IGNORECASE)
_WS_RE = re.compile(r"[\s~]+")
_COMMA_RE = re.compile(r",")


def split_names(field: str) -> list[str]:
    """Split a BibTeX name list on `` and `` at brace depth 0; each piece is raw (undecoded)."""
    return list(_split_names(field))


@lru_cache(maxsize=1 << 10)
def _split_names(field: str) -> tuple[str, ...]:
    # cached (small): an import splits each normalized author field twice in a row (key, dedup)
    field = " ".join(field.split())
    if not field:
        return ()
    padded = f" {field} "
    if "{" not in field and "}" not in field and "\\" not in field \
            and padded.count("and") == padded.lower().count("and"):
        pieces = padded.split(" and ")  # single spaces now, every `and` lowercase: `_AND_RE`'s split
    else:
        pieces = _depth0_split(padded, _AND_RE)
    return tuple(q for p in pieces if (q := p.strip()))


# ---------------------------------------------------------------------------------- parsing

_LETTER_ACCENTS = set("uvHtcdbkr")


def _token_case(tok: str) -> str:
    """'l' if the token starts lowercase, 'u' if uppercase, '' if caseless (BibTeX rules).

    A brace group at the start is caseless unless it is a special character ``{\\"o}``, whose
    case is that of its letter (or of its command: ``{\\ss}`` lowercase, ``{\\AA}`` uppercase).
    """
    i = 0
    while i < len(tok):
        c = tok[i]
        if c == "{":
            if i + 1 < len(tok) and tok[i + 1] == "\\":
                return _special_case(tok[i + 2:])
            return ""
        if c == "\\":  # a command outside braces, e.g. \"Ozt\"urk or \v{S}
            return _special_case(tok[i + 1:])
        if c.isalpha():
            return "l" if c.islower() else "u"
        i += 1
    return ""


def _special_case(rest: str) -> str:
    m = re.match(r"([A-Za-z]+)|(.)", rest)
    if not m:
        return ""
    if m.group(1) and m.group(1) not in _LETTER_ACCENTS:  # \ss, \o, \AA: the command's case
        return "l" if m.group(1)[0].islower() else "u"
    tail = rest[m.end():]
    for c in tail:
        if c.isalpha():
            return "l" if c.islower() else "u"
    return ""


def _decode(part: str) -> str:
    text = latex_to_text(part)
    return " ".join(text.split())


_RUN_INITIALS_RE = re.compile(r"^(?:[A-Z]\.){2,}$")


def _space_initials(first: str) -> str:
    """``J.E.`` -> ``J. E.``"""
    if "." not in first:
        return " ".join(first.split())
    return " ".join(
        " ".join(re.findall(r"[A-Z]\.", tok)) if _RUN_INITIALS_RE.match(tok) else tok
        for tok in first.split()
    )


def _make(first: list[str], von: list[str], last: list[str], jr: list[str]) -> Name:
    first_text = _space_initials(_decode(" ".join(first)))
    von_text, last_text = _decode(" ".join(von)), _decode(" ".join(last))
    jr_text = _decode(" ".join(jr))
    # Canonical shape for degenerate input ("a {}", ", X, {}"), so formatting round-trips:
    # a name always has a Last, and a Jr only next to a First.
    if not last_text:
        last_text = " ".join(p for p in (von_text, first_text, jr_text) if p)
        von_text = first_text = jr_text = ""
    if jr_text and not first_text:
        first_text, jr_text = jr_text, ""
    return Name(first=first_text, von=von_text, last=last_text, jr=jr_text)


_EXTENDED_RE = re.compile(r"^\s*(given|family|prefix|suffix|id|useprefix|given-i|family-i)\s*=", re.I)


def _parse_extended(parts: list[str]) -> Name:
    """biblatex extended name format: ``family=Adler, given=Alfred``."""
    fields: dict[str, str] = {}
    for p in parts:
        k, _, v = p.partition("=")
        v = v.strip()
        if v.startswith("{") and v.endswith("}"):
            v = v[1:-1]
        fields[k.strip().lower()] = v
    return Name(
        first=_space_initials(_decode(fields.get("given", ""))),
        von=_decode(fields.get("prefix", "")),
        last=_decode(fields.get("family", "")),
        jr=_decode(fields.get("suffix", "")),
    )


@lru_cache(maxsize=1 << 16)
def parse_name(raw: str) -> Name:
    """Parse one BibTeX name (``First von Last``, ``von Last, First``, ``von Last, Jr, First``).

    Cached: authors recur across a bibliography (`Name` is immutable, so sharing is safe).
    A plain ``Last, First`` name (no LaTeX) is read directly, as the general rules would."""
    if _is_plain(raw):
        plain = _plain_last_first(raw.strip())
        if plain is not None:
            return Name(first=plain[1], last=plain[0])
    return _parse_name_general(raw)


def _parse_name_general(raw: str) -> Name:
    """`parse_name` by the BibTeX rules, for any name."""
    parts = [p.strip() for p in _depth0_split(raw, _COMMA_RE)]
    while len(parts) > 1 and not parts[-1]:  # "Cajal, Santiago," (stray trailing comma)
        parts.pop()
    if len(parts) > 1 and all(_EXTENDED_RE.match(p) for p in parts if p):
        return _parse_extended([p for p in parts if p])

    def toks(s: str) -> list[str]:
        return [t for t in _depth0_split(s, _WS_RE) if t]

    if len(parts) == 1:
        words = toks(parts[0])
        if not words:
            return Name()
        cases = [_token_case(w) for w in words[:-1]]
        lc = [i for i, c in enumerate(cases) if c == "l"]
        if not lc:
            return _make(words[:-1], [], words[-1:], [])
        return _make(words[: lc[0]], words[lc[0]: lc[-1] + 1], words[lc[-1] + 1:], [])
    von_last = toks(parts[0])
    if len(parts) == 2:
        jr: list[str] = []
        first = toks(parts[1])
    else:
        jr = toks(parts[1])
        first = toks(", ".join(parts[2:]))
    if not von_last:
        return _make(first, [], [], jr)
    nvon = 0
    while nvon < len(von_last) - 1 and _token_case(von_last[nvon]) == "l":
        nvon += 1
    return _make(first, von_last[:nvon], von_last[nvon:], jr)


def parse_names(author_field: str) -> list[Name]:
    """Parse a BibTeX ``author``/``editor`` value into names with Unicode parts.

    >>> [n.last for n in parse_names(r"Sch{\\"o}lkopf, Bernhard and {Barnes and Noble, Inc.}")]
    ['Schölkopf', 'Barnes and Noble, Inc.']
    """
    return [n for n in (parse_name(raw) for raw in split_names(author_field)) if n != Name()]


# ---------------------------------------------------------------------------------- formatting


_AND_WORD_RE = re.compile(r"(?:^|\s)and(?:\s|$)", re.IGNORECASE)


def _needs_braces(text: str, *, single_token: bool) -> bool:
    if not text:
        return False
    if "," in text or ("and" in text.lower() and _AND_WORD_RE.search(text)):  # (a case-blind scan is slow)
        return True
    return single_token and len(text.split()) > 1


def _fmt(text: str, *, protect_words: bool = False) -> str:
    esc = text_to_latex(text)
    return "{" + esc + "}" if _needs_braces(text, single_token=protect_words) else esc


@lru_cache(maxsize=1 << 16)
def format_name(name: Name) -> str:
    """``von Last, Jr, First`` (``von Last, First`` without Jr; ``{Corporate Name}`` for an
    organisation). Parts are LaTeX-escaped; parts that would re-split are brace-protected."""
    if name.is_others:
        return "others"
    if name.is_corporate:
        return "{" + text_to_latex(name.last) + "}"
    last = _fmt(name.last, protect_words=True)
    # a von part must stay lowercase-led words, or it would be read back as part of Last
    von = text_to_latex(name.von) if name.von and not _needs_braces(name.von, single_token=False) and all(
        _token_case(w) == "l" for w in name.von.split()) else ""
    if name.von and not von:
        last = "{" + text_to_latex(f"{name.von} {name.last}".strip()) + "}"
    head = f"{von} {last}".strip() if von else last
    if not head:
        head = "{}"
    first = _fmt(name.first)
    if name.jr:
        return f"{head}, {_fmt(name.jr)}, {first}"
    return f"{head}, {first}" if first else head


def format_authors(names: list[Name]) -> str:
    """Join formatted names with `` and ``."""
    return " and ".join(format_name(n) for n in names)


@lru_cache(maxsize=1 << 14)
def normalize_author_field(s: str) -> str:
    """Canonical ``Last, First and ...`` form of an author/editor value (idempotent).

    >>> normalize_author_field(r"J.E. Gonzalez and Ion Stoica")
    'Gonzalez, J. E. and Stoica, Ion'

    Name by name, cached (bounded): the same people recur (a third of the names of the ACL
    Anthology are new), and so does an editor list on every chapter.
    """
    return " and ".join(t for t in map(_name_text, _split_names(s)) if t)


@lru_cache(maxsize=1 << 16)
def _name_text(raw: str) -> str:
    """`format_name` of `parse_name` of one name ("" for a name that is nothing: dropped)."""
    fast = _plain_name(raw)
    if fast is not None:
        return fast
    name = parse_name(raw)
    return format_name(name) if name != Name() else ""


_PLAIN_FIELD_RE = re.compile(r"[^\\{}$~`'%&#_^=\x00-\x1f\x7f-\x9f]*")
"""A name with none of these holds no LaTeX, no brace groups, nothing to escape on output and
no biblatex ``key=value`` parts (and, without ``--``, no TeX ligature)."""


def _plain_name(raw: str) -> str | None:
    """`_name_text` of a plain ``Last, First`` name (most real ones), without the general parser;
    None when the name needs it (a von part, a Jr, no comma, LaTeX).

    Equal to the general path by construction: with no LaTeX, decoding a part is NFC plus
    whitespace collapse, and nothing needs escaping; `tests/test_normalize_names.py` compares the
    two on generated lists."""
    if raw == "others":
        return raw
    if not _is_plain(raw):
        return None
    parts = _plain_last_first(raw)
    if parts is None:
        return None
    last_text, first_text = parts
    return (("{" + last_text + "}" if _needs_braces(last_text, single_token=True) else last_text) + ", "
            + ("{" + first_text + "}" if _needs_braces(first_text, single_token=False) else first_text))


def _is_plain(s: str) -> bool:
    """No LaTeX, nothing to escape, no ligature, NFC: decoding a part is only collapsing whitespace."""
    return "--" not in s and bool(_PLAIN_FIELD_RE.fullmatch(s)) and (s.isascii() or unicodedata.is_normalized("NFC", s))


def _plain_last_first(raw: str) -> tuple[str, str] | None:
    """(last, first) of one plain (`_is_plain`) ``Last, First`` name as the general parser reads it;
    None for any other shape (no comma, a Jr part, a von part, an empty part)."""
    last, comma, first = raw.partition(",")
    if not comma or "," in first:
        return None
    lt, ft = last.split(), first.split()
    if not lt or not ft or (len(lt) > 1 and _token_case(lt[0]) == "l"):
        return None
    return " ".join(lt), _space_initials(" ".join(ft))


def name_key(name: Name) -> str:
    """ASCII-folded, lowercase letters of von + last (``van der Valt Frome`` -> ``vandervaltfrome``);
    for an organisation, its first word. Used in citation keys and author matching."""
    if name.is_corporate:
        words = name.last.split()
        base = words[0] if words else ""
    else:
        base = f"{name.von}{name.last}"
    return re.sub(r"[^a-z]", "", ascii_fold(base).lower())


def initials(name: Name) -> str:
    """Initials of the first name: ``Joseph E.`` -> ``J. E.``, ``Klaus-Peter`` -> ``K.-P.``."""
    out = []
    for word in name.first.split():
        pieces = [p for p in word.split("-") if p]
        letters = [next((c for c in p if c.isalpha()), "") for p in pieces]
        letters = [c.upper() + "." for c in letters if c]
        if letters:
            out.append("-".join(letters))
    return " ".join(out)
