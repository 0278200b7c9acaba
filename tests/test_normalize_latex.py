"""LaTeX decoding: the fast emulation of pylatexenc gives exactly pylatexenc's output, and caching
changes nothing."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readinglist.normalize import latex as lx
from readinglist.normalize.latex import latex_to_text


def _both(value: str) -> tuple[str | None, str]:
    """(fast path, pylatexenc) for `value`, as `latex_to_text` would prepare it."""
    src = lx._MACRO_RE.sub(lambda m: lx._MACRO_TO_PH[m.group(1)], lx.strip_control_chars(value))
    fast = lx._fast_decode(src)
    return (None if fast is None else lx._finish(fast)), lx._slow_decode(src)


# Real values (ACL anthology, a biblatex library, the project's own bib/), each with what it decodes to.
REAL = [
    pytest.param(r"Sch{\"o}lkopf", "Schölkopf", id="braced_umlaut"),
    pytest.param(r"G\'erard", "Gérard", id="bare_acute"),
    pytest.param(r"Ren\'{e}", "René", id="acute_braced_letter"),
    pytest.param(r"{\'E}cole", "École", id="braced_acute_upper"),
    pytest.param(r"Ji{\v{r}}{\'\i}", "Jiří", id="caron_and_dotless_i"),
    pytest.param(r"Bojar, Ond{\v{r}}ej", "Bojar, Ondřej", id="caron_in_braces"),
    pytest.param(r"\c{C}etino\u{g}lu", "Çetinoğlu", id="cedilla_breve"),
    pytest.param(r"Gu\c celi", "Güceli".replace("ü", "u").replace("ce", "çe"), id="cedilla_space_letter"),
    pytest.param(r"Erd\H{o}s", "Erdős", id="hungarian_umlaut"),
    pytest.param(r"\L{}ukasz Kaiser", "Łukasz Kaiser", id="slash_l_empty_group"),
    pytest.param(r"Stra{\ss}e", "Straße", id="eszett"),
    pytest.param(r"Jens Nilsson and J{\o}rgen", "Jens Nilsson and Jørgen", id="slash_o"),
    pytest.param(r"1{\textendash}20", "1–20", id="acl_pages_endash"),
    pytest.param("Pages 12--34 and 1---2", "Pages 12–34 and 1—2", id="dash_ligatures"),
    pytest.param("a-{}-b", "a--b", id="ligature_broken_by_braces"),
    pytest.param("``Quoted'' title", "“Quoted” title", id="quote_ligatures"),
    pytest.param("Don't Stop", "Don't Stop", id="apostrophe"),
    pytest.param("Efficient {GPU} Training on {Megatron-LM}", "Efficient GPU Training on Megatron-LM", id="protective_braces"),
    pytest.param(r"Normalization of \{DCS\} corpus", "Normalization of {DCS} corpus", id="escaped_braces"),
    pytest.param(r"Segmentation \& Attachment", "Segmentation & Attachment", id="escaped_ampersand"),
    pytest.param(r"50\% of a\_b", "50% of a_b", id="escaped_percent_underscore"),
    pytest.param("50% raw", "50% raw", id="raw_percent_is_literal"),
    pytest.param("Donald~E. Knuth", "Donald E. Knuth", id="tie"),
    pytest.param(r"\textquotedblleft x\textquotedblright", "“x”", id="text_quotes"),
    pytest.param(r"{\textquestiondown}Es un pl\'atano?", "¿Es un plátano?", id="fallback_unknown_macro"),
    pytest.param("$x^2$ in math", "$x^2$ in math", id="fallback_math_verbatim"),
    pytest.param("A & {B}", "A     B", id="fallback_raw_ampersand"),
    pytest.param(r"\textbraceleft{}x\textbraceright{}", "{x}", id="placeholder_braces"),
    pytest.param("plain title", "plain title", id="no_latex"),
]


@pytest.mark.parametrize(("value", "text"), REAL)
def test_real_values_decode(value: str, text: str) -> None:
    assert latex_to_text(value) == text
    fast, slow = _both(value)
    assert slow == text
    assert fast is None or fast == slow


def test_fast_path_covers_the_common_constructs() -> None:
    for value in (r"Sch{\"o}lkopf", r"G\'erard", r"1{\textendash}20", "a--b", "{GPU}", r"\{DCS\}", "x~y",
                  r"\c{C}", r"\'\i", r"\ss{}", "``q''", r"\&", r"\emph{Deep} {\em Learning}", r"a\dots b",
                  r"\textbf{\textit{x}}"):
        assert _both(value)[0] is not None, value
    for value in ("$x$", "a & b", r"\unknownmacro", r"\'{ee}", "a}b", "{a", r"x\\y"):
        assert _both(value)[0] is None, value


_PIECES = st.sampled_from([
    "a", "E", "z", " ", "  ", "\n", "\t", "{", "}", "{}", "-", "--", "'", "`", "~", "!", "?", "%", "$", "&",
    "é", "\xa0", "\\", "\\'", '\\"', "\\`", "\\^", "\\~", "\\=", "\\.", "\\c", "\\v", "\\u", "\\H", "\\k", "\\r",
    "\\d", "\\b", "\\t", "\\i", "\\j", "\\o", "\\ss", "\\ae", "\\L", "\\textendash", "\\textquotedblleft",
    "\\{", "\\}", "\\&", "\\_", "\\%", "\\#", "\\$", "\\@", "\\\\", "\\x", "\\textbraceleft", "\\dh", "\\th",
    "\\emph", "\\textbf", "\\em", "\\it", "\\tt", "\\dots", "\\textrightarrow", "\\textsuperscript", "\\emph{",
    "\\quotedblbase", "\\guilsinglleft", "\\textsection", "\\textcopyright",
])


@settings(max_examples=int(os.environ.get("LATEX_EXAMPLES", "1500")), deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_fast_path_equals_pylatexenc(value: str) -> None:
    fast, slow = _both(value)
    if fast is not None:
        assert fast == slow
        assert lx._decode(value) == slow  # and the shortcut for text with brace groups only


def test_cache_gives_the_same_result_and_long_values_skip_decoding() -> None:
    v = r"Sch{\"o}lkopf and Ren\'{e}"
    assert latex_to_text(v) == latex_to_text(v) == "Schölkopf and René"
    long = "{x}" * 50_000
    assert latex_to_text(long) == "x" * 50_000
    assert latex_to_text("a\x00{b}" * 2, max_len=3) == "abab"
