"""Titles and LaTeX text: tidying, match keys, similarity, decoding and safe encoding."""

from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readinglist.normalize import (
    latex_to_text,
    normalize_title,
    strip_control_chars,
    text_to_latex,
    title_match_key,
    title_similarity,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Group Knowledge Transfer: Federated Learning of Large CNNs at the\n               Edge",
                     "Group Knowledge Transfer: Federated Learning of Large CNNs at the Edge", id="dblp_line_wrap"),
        pytest.param("Mixed precision training.", "Mixed precision training", id="trailing_period"),
        pytest.param("{ZeRO-Infinity}: Breaking the {GPU} Memory Wall", "{ZeRO-Infinity}: Breaking the {GPU} Memory Wall", id="braces_kept"),
        pytest.param("Federated Learning at Google ... A comic strip?", "Federated Learning at Google ... A comic strip?", id="question_mark"),
        pytest.param("More reading coming soon ...", "More reading coming soon ...", id="ellipsis_kept"),
        pytest.param("  Title\twith\x00 NUL  ", "Title with NUL", id="control_and_tabs"),
        pytest.param("A. .", "A", id="stacked_periods_fixed_point"),
    ],
)
def test_normalize_title(raw: str, expected: str) -> None:
    assert normalize_title(raw) == expected
    assert normalize_title(expected) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("{ZeRO-Infinity}: Breaking the {GPU} Memory Wall for Extreme Scale Deep Learning",
                     "ZeRO-Infinity: breaking the GPU memory wall for extreme scale deep learning.", id="braces_case_period"),
        pytest.param("Interstellar: Using Halide’s Scheduling Language to Analyze DNN Accelerators",
                     "Interstellar: Using Halide's Scheduling Language to Analyze {DNN} Accelerators", id="curly_vs_straight_apostrophe"),
        pytest.param(r"Sch{\"o}lkopf's kernels", "Schölkopf’s Kernels", id="latex_vs_unicode"),
        pytest.param("Gpipe: Efficient training of giant neural networks using pipeline parallelism",
                     "GPipe: Efficient Training of Giant Neural Networks using Pipeline Parallelism", id="case_only"),
    ],
)
def test_title_match_key_equal(a: str, b: str) -> None:
    assert title_match_key(a) == title_match_key(b)
    assert title_similarity(a, b) == 1.0


def test_title_match_key_keeps_stopwords() -> None:
    assert title_match_key("The Case for Learned Index Structures") == "the case for learned index structures"


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        pytest.param("Interstellar: Using Halide's Scheduling Language to Analyze DNN Accelerators",
                     "Interstellar: Using Halide's Scheduling Language to Analyze DNN Accelerators (formerly: DNN Dataflow Choice Is Overrated)",
                     0.7, 0.95, id="retitled_variant"),
        pytest.param("MLPerf Training Benchmark", "MLPerf Inference Benchmark", 0.6, 0.9, id="sibling_papers"),
        pytest.param("Scaling Vision Transformers", "Resilient Distributed Datasets", 0.0, 0.6, id="unrelated"),
    ],
)
def test_title_similarity_ranges(a: str, b: str, low: float, high: float) -> None:
    assert low <= title_similarity(a, b) <= high


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        pytest.param(r"{\"o}", "ö", id="braced_umlaut"),
        pytest.param(r"\'{e}", "é", id="acute_braced_arg"),
        pytest.param(r"{\ss}", "ß", id="sharp_s"),
        pytest.param(r"Mart{\'\i}n", "Martín", id="dotless_i"),
        pytest.param(r"Design \& Analysis of 50\% faster \$ systems", "Design & Analysis of 50% faster $ systems", id="escaped_specials"),
        pytest.param("50% of {GPU} time", "50% of GPU time", id="raw_percent_not_a_comment"),
        pytest.param("B.~Sch{\\\"o}lkopf", "B. Schölkopf", id="tie_to_space"),
        pytest.param(r"\emph{Deep} Learning", "Deep Learning", id="emph"),
        pytest.param(r"$O(n \log n)$ sorting", r"$O(n \log n)$ sorting", id="math_verbatim"),
        pytest.param("a\x00b\x1bc", "abc", id="nul_and_esc_removed"),
        pytest.param(r"x\textasciicircum{}2 \textbraceleft{}y\textbraceright{}", "x^2 {y}", id="text_macros_exact"),
    ],
)
def test_latex_to_text(latex: str, text: str) -> None:
    assert latex_to_text(latex) == text


def test_latex_to_text_bounded_on_huge_values() -> None:
    huge = "{\\'e}" * 200_000 + "{}" * 100_000  # ~1.2 MB
    start = time.perf_counter()
    out = latex_to_text(huge)
    assert time.perf_counter() - start < 2.0
    assert "{" not in out and "}" not in out
    assert latex_to_text("{GPU}", max_len=3) == "GPU"  # over the limit: braces stripped only


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        pytest.param("AT&T", r"AT\&T", id="ampersand"),
        pytest.param("50% of $5 #1 a_b", r"50\% of \$5 \#1 a\_b", id="specials"),
        pytest.param("Evil} , note={injected", r"Evil\textbraceright{} , note=\textbraceleft{}injected", id="brace_injection"),
        pytest.param("trailing \\", r"trailing \textbackslash{}", id="trailing_backslash"),
        pytest.param("~^", r"\textasciitilde{}\textasciicircum{}", id="tilde_caret"),
        pytest.param("Schölkopf — Ω", "Schölkopf — Ω", id="unicode_kept_utf8"),
    ],
)
def test_text_to_latex(text: str, latex: str) -> None:
    assert text_to_latex(text) == latex
    assert latex_to_text(latex) == text


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=60))
def test_text_to_latex_round_trip_and_balanced(text: str) -> None:
    encoded = text_to_latex(text)
    depth = 0
    for c in encoded:
        depth += {"{": 1, "}": -1}.get(c, 0)
        assert depth >= 0
    assert depth == 0
    assert not encoded.endswith("\\")
    if "\xa0" not in text:  # a no-break space decodes to a plain space
        # decoding gives NFC text (a CJK compatibility ideograph such as U+2F800 comes back canonical)
        assert latex_to_text(encoded) == unicodedata.normalize("NFC", text)


def test_strip_control_chars() -> None:
    assert strip_control_chars("a\x00b\x1b[31mc\r\n\td\x7f\x85") == "ab[31mc\n\td"
