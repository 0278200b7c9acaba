"""Field values and whole entries (BibTeX and biblatex), with an idempotence property test."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist.normalize import (
    normalize_doi,
    normalize_entry,
    normalize_month,
    normalize_pages,
    normalize_year,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("12-34", "12--34", id="hyphen"),
        pytest.param("12–34", "12--34", id="en_dash"),
        pytest.param("12 -- 34", "12--34", id="spaced_double"),
        pytest.param("12---34", "12--34", id="triple"),
        pytest.param("5443--5452", "5443--5452", id="already_normal_pmlr"),
        pytest.param("123:1-123:20", "123:1--123:20", id="acm_article_numbers"),
        pytest.param("1-5, 7-9", "1--5, 7--9", id="list"),
        pytest.param("e1002", "e1002", id="single_page"),
        pytest.param("xi−xv", "xi--xv", id="roman_minus_sign"),
        pytest.param("0- -", "0--", id="spaced_dash_run"),
        pytest.param("0-‐", "0--", id="mixed_dash_characters"),
        pytest.param("1422{\\textendash}1442", "1422--1442", id="acl_anthology_textendash"),
        pytest.param("12\\textendash 34", "12--34", id="textendash_macro"),
        pytest.param("12\\textendash{}34", "12--34", id="textendash_empty_group"),
        pytest.param("12{--}34", "12--34", id="braced_dashes"),
        pytest.param("12\\,--\\,34", "12--34", id="thin_spaces"),
        pytest.param("1{\\textemdash}5, 7", "1--5, 7", id="emdash_list"),
        pytest.param("\\textendashx", "\\textendashx", id="longer_macro_kept"),
    ],
)
def test_normalize_pages(raw: str, expected: str) -> None:
    assert normalize_pages(raw) == expected
    assert normalize_pages(expected) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Jan", "jan", id="abbrev_capital"),
        pytest.param("january", "jan", id="full_lower"),
        pytest.param("1", "jan", id="number"),
        pytest.param("01", "jan", id="zero_padded"),
        pytest.param("jan", "jan", id="canonical"),
        pytest.param("Sept.", "sep", id="sept_period"),
        pytest.param("{Dec}", "dec", id="braced"),
        pytest.param(12, "dec", id="int"),
        pytest.param("13", None, id="month_13"),
        pytest.param("²", None, id="superscript_digit"),
        pytest.param("18--24 Jul", None, id="pmlr_day_range_not_a_month"),
    ],
)
def test_normalize_month(raw: str | int, expected: str | None) -> None:
    assert normalize_month(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("2021", 2021, id="plain"),
        pytest.param("{2021}", 2021, id="braced"),
        pytest.param("2021-05-03", 2021, id="biblatex_date"),
        pytest.param("2019/2020", 2019, id="range_first"),
        pytest.param(2016, 2016, id="int"),
        pytest.param("forthcoming", None, id="word"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
        pytest.param("12345", None, id="five_digits"),
    ],
)
def test_normalize_year(raw: str | int | None, expected: int | None) -> None:
    assert normalize_year(raw) == expected


def test_normalize_doi_reuses_identifiers() -> None:
    assert normalize_doi("https://doi.org/10.1145/3458817.3476209") == "10.1145/3458817.3476209"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"Author": "Deepak Narayanan and Mohammad Shoeybi",
             "TITLE": "Efficient Large-Scale Language Model Training on {GPU} Clusters\n  Using Megatron-LM.",
             "booktitle": "SC '21: The International Conference for High Performance Computing, Networking, Storage and Analysis",
             "year": "{2021}", "month": "November", "pages": "58:1-58:15", "doi": "https://doi.org/10.1145/3458817.3476209"},
            {"author": "Narayanan, Deepak and Shoeybi, Mohammad",
             "title": "Efficient Large-Scale Language Model Training on {GPU} Clusters Using Megatron-LM",
             "booktitle": "SC '21: The International Conference for High Performance Computing, Networking, Storage and Analysis",
             "year": "2021", "month": "nov", "pages": "58:1--58:15", "doi": "10.1145/3458817.3476209", "venue": "SC"},
            id="megatron_sc21"),
        pytest.param(
            {"author": "Kaplan, Jared", "title": "Scaling Laws for Neural Language Models",
             "eprinttype": "arxiv", "eprint": "2001.08361v1", "eprintclass": "cs.LG", "date": "2020-01-23"},
            {"author": "Kaplan, Jared", "title": "Scaling Laws for Neural Language Models",
             "archiveprefix": "arXiv", "eprint": "2001.08361", "primaryclass": "cs.LG", "date": "2020-01-23",
             "year": "2020", "month": "jan", "venue": "arXiv"},
            id="biblatex_arxiv"),
        pytest.param(
            {"author": "Armbrust, Michael and others", "journaltitle": "Proc. VLDB Endow.", "volume": "13",
             "number": "12", "pages": "3411–3424", "year": "2020"},
            {"author": "Armbrust, Michael and others", "journal": "Proc. VLDB Endow.", "volume": "13",
             "number": "12", "pages": "3411--3424", "year": "2020", "venue": "PVLDB"},
            id="biblatex_journaltitle_delta_lake"),
        pytest.param(
            {"author": "{Barnes and Noble, Inc.}", "title": "Report", "venue": "NIPS", "note": "x\x00y"},
            {"author": "{Barnes and Noble, Inc.}", "title": "Report", "venue": "NeurIPS", "note": "xy"},
            id="corporate_venue_canonicalized_nul_stripped"),
        pytest.param(
            {"title": "A", "Title": "B", "month": "18--24 Jul", "doi": "not a doi", "booktitle": "ICMD"},
            {"title": "A", "month": "18--24 Jul", "doi": "not a doi", "booktitle": "ICMD"},
            id="unreadable_values_kept_lowercase_key_wins"),
        pytest.param(
            {"archivePrefix": "arxiv", "eprint": "arXiv:1706.04972v2", "abstract": "   "},
            {"archiveprefix": "arXiv", "eprint": "1706.04972", "venue": "arXiv"},
            id="bibtex_arxiv_empty_dropped"),
        pytest.param({"title": "."}, {}, id="title_empty_after_tidying_dropped"),
    ],
)
def test_normalize_entry(fields: dict[str, str], expected: dict[str, str]) -> None:
    assert normalize_entry(fields) == expected
    assert normalize_entry(expected) == expected


_FIELD_NAMES = ["author", "Author", "editor", "title", "TITLE", "booktitle", "journal", "journaltitle",
                "date", "year", "month", "pages", "doi", "eprint", "eprinttype", "archiveprefix",
                "venue", "note", "url", "abstract"]
_REAL_VALUES = [
    r"Sch{\"o}lkopf, Bernhard and {Barnes and Noble, Inc.}", "J.E. Gonzalez and Ion Stoica",
    r"Charles Louis Xavier Joseph de la Vall{\'e}e Poussin", "van Kluster, Jr., Kevin",
    "Ram{\\'o}n y {C}ajal, Santiago, and Azoulay, L.", "{ZeRO-Infinity}: Breaking the {GPU} Memory Wall.",
    "2021-05-03", "{2021}", "Sept.", "12 -- 34", "https://doi.org/10.1145/3458817.3476209",
    "arXiv:2104.04473v2", "arxiv", "Proc. VLDB Endow.", "NeurIPS’19", "SC '21: The International Conference",
    "ICMD", "Advances in Neural Information Processing Systems 32", "a\x00b\x1bc", "  ",
]
_value = st.one_of(
    st.sampled_from(_REAL_VALUES),
    st.text(max_size=40),
    st.text(alphabet="abcXYZ {}\\,.-–'’~and ", max_size=40),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(_FIELD_NAMES), _value, max_size=8))
def test_normalize_entry_is_idempotent(fields: dict[str, str]) -> None:
    once = normalize_entry(fields)
    assert normalize_entry(once) == once


@pytest.mark.parametrize(("fields", "eprint"), [
    pytest.param({"journal": "arXiv preprint arXiv:1706.03762"}, "1706.03762", id="google_scholar"),
    pytest.param({"journal": "arXiv preprint cs/0112017"}, "cs/0112017", id="google_scholar_old_style"),
    pytest.param({"journal": "CoRR", "volume": "abs/2104.04473"}, "2104.04473", id="dblp_corr"),
    pytest.param({"journal": "ArXiv", "volume": "abs/2104.04473v3"}, "2104.04473", id="semantic_scholar"),
    pytest.param({"journal": "ArXiv, abs/2104.04473"}, "2104.04473", id="semantic_scholar_inline"),
    pytest.param({"howpublished": "arXiv:2104.04473v2"}, "2104.04473", id="howpublished"),
    pytest.param({"note": "arXiv: 2104.04473"}, "2104.04473", id="note_spaced"),
    pytest.param({"journal": "arXiv preprint math.GT/0309136"}, "math/0309136", id="subject_class"),
    pytest.param({"journal": "arXiv e-prints"}, None, id="no_id"),
    pytest.param({"note": "See arxiv.org for the code"}, None, id="prose"),
    pytest.param({"note": "arXiv:2104.044731"}, None, id="too_many_digits"),
    pytest.param({"journal": "CoRR", "volume": "abs/2104"}, None, id="corr_bad_volume"),
])
def test_arxiv_id_found_in_venue_text(fields: dict[str, str], eprint: str | None) -> None:
    from readinglist.normalize.fields import arxiv_in_venue

    assert arxiv_in_venue(fields) == eprint
    out = normalize_entry({"title": "T", "year": "2021", **fields})
    assert out.get("eprint") == eprint and (out.get("archiveprefix") == "arXiv") == (eprint is not None)
    assert normalize_entry(out) == out
    # an eprint already given wins
    assert normalize_entry({"title": "T", "eprint": "1910.02054", **fields})["eprint"] == "1910.02054"


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["1", "23", "0", "-", "--", "---", "{\\textendash}", " ", ",", "e", "\u2013"]),
                max_size=6).map("".join))
def test_plain_page_ranges_shortcut_equals_the_general_rule(s: str) -> None:
    from readinglist.normalize.fields import _pages_general, normalize_pages

    assert normalize_pages(s) == _pages_general(s)
