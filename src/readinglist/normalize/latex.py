"""LaTeX <-> text for BibTeX field values: decode to Unicode, encode safely, strip controls."""

from __future__ import annotations

import re
import unicodedata
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

    Accents, ``\\ss``, escaped specials and ``~`` ties are decoded; braces disappear; math in ``$..$``
    is kept verbatim. A raw ``%`` is treated as a literal percent sign, not a comment. Values longer
    than ``max_len`` characters skip LaTeX decoding (bounded time and memory on huge abstracts):
    only control characters and unescaped braces are removed.
    """
    s = strip_control_chars(s)
    if len(s) > max_len:
        return strip_braces(s)
    if not any(c in s for c in "\\{}$~-`'%"):
        return unicodedata.normalize("NFC", s)
    src = _MACRO_RE.sub(lambda m: _MACRO_TO_PH[m.group(1)], s)
    src = _UNESCAPED_PERCENT_RE.sub(r"\\%", src)
    try:
        out: str = _get_converter().latex_to_text(src)
    except Exception:  # pylatexenc is tolerant, but never let odd input escape as a traceback
        out = strip_braces(src)
    for ph, (_, char) in _PLACEHOLDERS.items():
        out = out.replace(ph, char)
    out = out.replace("\xa0", " ")
    return unicodedata.normalize("NFC", strip_control_chars(out))


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
