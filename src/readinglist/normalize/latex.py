"""LaTeX <-> text for BibTeX field values: decode to Unicode, encode safely, strip controls."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

__all__ = ["MAX_DECODE_LEN", "latex_to_text", "strip_braces", "strip_control_chars", "text_to_latex"]

MAX_DECODE_LEN = 100_000
"""Values longer than this are not run through pylatexenc (which is slow and memory-hungry on
megabyte-sized fields, see traps.md section 3): only braces are stripped."""

# C0 controls except \t and \n, DEL, and the C1 block (NUL and ESC included).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# pylatexenc 2.11 drops \textbraceleft/\textbraceright and turns \textasciicircum into U+02C6;
# these placeholders (Unicode private use) carry the exact characters through the decoder.
_PLACEHOLDERS = {
    "\ue000": ("\\textbraceleft", "{"),
    "\ue001": ("\\textbraceright", "}"),
    "\ue002": ("\\textasciicircum", "^"),
    "\ue003": ("\\textasciitilde", "~"),
    "\ue004": ("\\textbackslash", "\\"),
}
_MACRO_RE = re.compile(
    r"\\(textbraceleft|textbraceright|textasciicircum|textasciitilde|textbackslash)(?![A-Za-z])(?:\s*\{\})?"
)
_MACRO_TO_PH = {macro[1:]: ph for ph, (macro, _) in _PLACEHOLDERS.items()}
_UNESCAPED_PERCENT_RE = re.compile(r"(?<!\\)%")

_ENCODE = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_ENCODE_RE = re.compile(r"[\\{}&%$#_~^]")
_LIGATURE_RE = re.compile(r"(-)(?=-)|(`)(?=`)|(')(?=')|([?!])(?=`)")

_converter: Any = None


def _get_converter() -> Any:  # pylatexenc ships no type hints
    global _converter
    if _converter is None:
        from pylatexenc.latex2text import LatexNodes2Text

        _converter = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
    return _converter


def strip_control_chars(s: str) -> str:
    """Remove C0 control characters except tab and newline (NUL, ESC, CR...), DEL and C1 controls.

    >>> strip_control_chars("a\\x00b\\x1bc\\td")
    'abc\\td'
    """
    return _CONTROL_RE.sub("", s)


def strip_braces(s: str) -> str:
    """Drop unescaped ``{`` and ``}``: the cheap fallback for oversized values."""
    return re.sub(r"(?<!\\)[{}]", "", s)


def latex_to_text(s: str, max_len: int = MAX_DECODE_LEN) -> str:
    """Decode a BibTeX/LaTeX value to Unicode text (NFC), e.g. ``Sch{\\"o}lkopf`` -> ``Schölkopf``.

    Accents, ``\\ss`` and escaped specials are decoded; ``~`` ties and no-break spaces become
    spaces; braces disappear; math in ``$..$`` is kept verbatim. A raw ``%`` is treated as a
    literal percent sign, not a comment. Values longer than ``max_len`` characters skip LaTeX
    decoding (bounded time and memory on huge abstracts): only control characters and unescaped
    braces are removed.

    Results are cached (names, venues and titles repeat: an import decodes each distinct value
    once), and the common constructs are decoded by `_fast_decode`, a small exact emulation of
    pylatexenc; anything it does not know goes to pylatexenc (`_slow_decode`).
    """
    if len(s) > max_len:
        s = strip_control_chars(s)
        if len(s) > max_len:
            return strip_braces(s)
    if len(s) > _CACHE_MAX_LEN:
        return _decode(s)
    return _decode_cached(s)


_CACHE_MAX_LEN = 1000
"""Longer values (abstracts) are decoded without caching: they rarely repeat."""


def _decode(s: str) -> str:
    s = strip_control_chars(s)
    if not _SPECIAL_RE.search(s):  # (a no-break space is a space, as `_finish` makes a ``~`` tie)
        return unicodedata.normalize("NFC", s.replace("\xa0", " ") if "\xa0" in s else s)
    if "\\" not in s and "$" not in s and "&" not in s and not _LIGATURE_TEXT_RE.search(s) and _balanced(s):
        # only brace groups (``{GPU} Memory``): `_fast_decode` would give the text runs joined,
        # and `_finish` would find no placeholder (they need a backslash) and no control character
        return unicodedata.normalize("NFC", s.replace("{", "").replace("}", "").replace("\xa0", " "))
    src = _MACRO_RE.sub(lambda m: _MACRO_TO_PH[m.group(1)], s)
    out = _fast_decode(src)
    if out is None:
        return _slow_decode(src)
    return _finish(out)


_decode_cached = lru_cache(maxsize=1 << 16)(_decode)
_BRACE_CHARS = re.compile(r"[{}]")


def _balanced(s: str) -> bool:
    depth = 0
    for brace in _BRACE_CHARS.findall(s):
        depth += 1 if brace == "{" else -1
        if depth < 0:
            return False
    return depth == 0


_SPECIAL_RE = re.compile(r"[\\{}$~`'%-]")


def _finish(out: str) -> str:
    for ph, (_, char) in _PLACEHOLDERS.items():
        out = out.replace(ph, char)
    out = out.replace("\xa0", " ")
    return unicodedata.normalize("NFC", strip_control_chars(out))


def _slow_decode(src: str) -> str:
    """pylatexenc on `src` (placeholders already substituted)."""
    src = _UNESCAPED_PERCENT_RE.sub(r"\\%", src)
    try:
        out: str = _get_converter().latex_to_text(src)
    except Exception:  # pylatexenc is tolerant, but never let odd input escape as a traceback
        out = strip_braces(src)
    return _finish(out)


# ---------------------------------------------------------------------------- the fast decoder
# What pylatexenc 2.x (LatexNodes2Text, math_mode="verbatim", strict_latex_spaces=True) does with
# the constructs real bibliographies use, measured and checked against it value by value
# (tests/test_normalize_latex.py; the 42,000 distinct LaTeX-bearing values of the ACL/biblatex
# sets decode identically). Braces vanish; the ligatures below apply within a run of text (not
# across a brace: ``-{}-`` stays two hyphens); a control word eats the blanks after it; an accent
# takes one letter, braced or not. Everything else -- math, ``&``, ``\\\\``, an accent on a
# non-letter or a group, unknown macros, unbalanced braces -- returns None: pylatexenc decides.

_LIGATURES = {"---": "\u2014", "--": "\u2013", "``": "\u201c", "''": "\u201d", "!`": "\u00a1",
              "?`": "\u00bf", "~": "\xa0"}
_LIGATURE_TEXT_RE = re.compile(r"---|--|``|''|!`|\?`|~")
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
            "r": "\u030a", "d": "\u0323", "b": "\u0331"}
_WORDS = {"i": "\u0131", "j": "\u0237", "o": "\u00f8", "O": "\u00d8", "l": "\u0142", "L": "\u0141",
          "ss": "\u00df", "ae": "\u00e6", "AE": "\u00c6", "oe": "\u0153", "OE": "\u0152", "aa": "\u00e5",
          "AA": "\u00c5", "dh": "\u00f0", "DH": "\u00d0", "th": "\u00fe", "TH": "\u00de", "dj": "\u0111",
          "DJ": "\u0110", "textendash": "\u2013", "textemdash": "\u2014", "textquotedblleft": "\u201c",
          "textquotedblright": "\u201d", "textquoteleft": "\u2018", "textquoteright": "\u2019",
          "guillemotleft": "\u00ab", "guillemotright": "\u00bb", "textregistered": "\u00ae",
          "textellipsis": "\u2026", "dots": "\u2026", "ldots": "\u2026", "textrightarrow": "\u2192",
          "textdollar": "$", "textquotesingle": "'", "textasciigrave": "`", "textbullet": "\u2022",
          "textdegree": "\u00b0", "texttrademark": "\u2122", "quotedblbase": "\u201e", "quotesinglbase": "\u201a",
          "guilsinglleft": "\u2039", "guilsinglright": "\u203a", "textexclamdown": "\u00a1",
          "textquestiondown": "\u00bf", "textsection": "\u00a7", "textparagraph": "\u00b6", "textcopyright": "\u00a9",
          # font switches: pylatexenc drops them (and the blanks after them, like any control word)
          "em": "", "it": "", "bf": "", "sl": "", "sc": "", "sf": "", "rm": "", "tt": ""}
# font commands with an argument: pylatexenc gives a braced argument as it is, so the command
# alone vanishes; any other argument (``\emph\'a``) is left to pylatexenc
_ARG_WORDS = frozenset({"emph", "textit", "textbf", "textsc", "textrm", "textsl", "textnormal", "underline",
                        "textsuperscript"})
_SYMBOLS = {"{": "{", "}": "}", "_": "_", "#": "#", "$": "$", "%": "%", "&": "&", "@": ""}
# one token: a run of plain text | a brace | an accent with its letter | a control word | a symbol
_TOKEN_RE = re.compile(
    r"(?P<text>[^\\{}$&]+)"
    r"|(?P<brace>[{}])"
    r"|\\(?P<acc>['`^\"~=.])(?:(?P<a1>[A-Za-z])|\{(?P<a2>[A-Za-z])\}|(?P<a3>\\[ij])(?![^\W\d_])[ \t]*(?!\s)"
    r"|\{(?P<a4>\\[ij])\})"
    r"|\\(?P<lacc>[uvHckrdb])(?:\{(?P<b1>[A-Za-z])\}|[ \t]+(?P<b2>[A-Za-z])(?![^\W\d_])|\{(?P<b3>\\[ij])\})"
    r"|\\(?P<word>[A-Za-z]+)(?![^\W\d_])[ \t]*(?!\s)"
    r"|\\(?P<sym>[{}_#$%&@])"
)
_DOTLESS = {"\\i": "i", "\\j": "j"}


def _fast_decode(src: str) -> str | None:
    """`src` decoded as pylatexenc would, or None if it holds anything this emulation does not cover."""
    out: list[str] = []
    depth = 0
    pos = 0
    n = len(src)
    match = _TOKEN_RE.match
    while pos < n:
        m = match(src, pos)
        if m is None:
            return None
        kind = m.lastgroup
        if kind == "text":
            out.append(_LIGATURE_TEXT_RE.sub(lambda t: _LIGATURES[t.group(0)], m.group(0)))
        elif kind == "brace":
            depth += 1 if m.group(0) == "{" else -1
            if depth < 0:
                return None
        elif m.group("acc") is not None:
            letter = m.group("a1") or m.group("a2") or _DOTLESS.get(m.group("a3") or m.group("a4"), "")
            out.append(letter + _ACCENTS[m.group("acc")])
        elif m.group("lacc") is not None:
            letter = m.group("b1") or m.group("b2") or _DOTLESS.get(m.group("b3"), "")
            out.append(letter + _ACCENTS[m.group("lacc")])
        elif m.group("word") is not None:
            word = m.group("word")
            char = _WORDS.get(word)
            if char is None:
                if word not in _ARG_WORDS or src[m.end():m.end() + 1] != "{":
                    return None
                char = ""
            out.append(char)
        else:
            out.append(_SYMBOLS[m.group("sym")])
        pos = m.end()
    if depth != 0:
        return None
    return "".join(out)


def text_to_latex(s: str) -> str:
    """Encode plain Unicode text for a BibTeX value: LaTeX specials escaped, letters kept as UTF-8.

    The result has balanced braces and never ends in a backslash, so it cannot break out of a
    ``{...}`` field. ``latex_to_text(text_to_latex(t)) == t`` for text without control characters.

    >>> text_to_latex("AT&T {50%} a_b")
    'AT\\\\&T \\\\textbraceleft{}50\\\\%\\\\textbraceright{} a\\\\_b'
    """
    out = _ENCODE_RE.sub(lambda m: _ENCODE[m.group(0)], strip_control_chars(s))
    # break TeX ligatures so they decode back literally: -- ``  '' ?` !`
    return _LIGATURE_RE.sub(lambda m: m.group(0) + "{}", out)
