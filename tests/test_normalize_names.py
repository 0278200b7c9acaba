"""Author lists: real names from biber's names.bib, DBLP and ML-systems .bib files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readinglist.normalize import (
    Name,
    format_authors,
    format_name,
    initials,
    name_key,
    normalize_author_field,
    parse_names,
)
from readinglist.normalize.names import _name_text, _parse_name_general, _plain_name, split_names


@pytest.mark.parametrize(
    ("field", "names"),
    [
        pytest.param("Alfred Adler", [Name("Alfred", "", "Adler")], id="first_last"),
        pytest.param("Bertie B. Bull", [Name("Bertie B.", "", "Bull")], id="middle_initial"),
        pytest.param("C. Z. Crop", [Name("C. Z.", "", "Crop")], id="two_initials"),
        pytest.param("Egbert von Eel", [Name("Egbert", "von", "Eel")], id="von"),
        pytest.param("Francis van der valt Frome", [Name("Francis", "van der valt", "Frome")], id="long_von"),
        pytest.param("Ian {Iliad Ipswich}", [Name("Ian", "", "Iliad Ipswich")], id="braced_two_word_last"),
        pytest.param("Jolly, III, James", [Name("James", "", "Jolly", "III")], id="jr_form"),
        pytest.param("Pimentel, Jr. ,Joseph J.", [Name("Joseph J.", "", "Pimentel", "Jr.")], id="jr_odd_spacing"),
        pytest.param("van Kluster, Jr., Kevin", [Name("Kevin", "van", "Kluster", "Jr.")], id="von_jr_first"),
        pytest.param(r"Charles Louis Xavier Joseph de la Vall{\'e}e Poussin",
                     [Name("Charles Louis Xavier Joseph", "de la", "Vallée Poussin")], id="de_la_accented"),
        pytest.param("Van de Graaff, R. J.", [Name("R. J.", "", "Van de Graaff")], id="capital_van_in_comma_form"),
        pytest.param(r"Roger P.{\,}G. van Gompel", [Name("Roger P. G.", "van", "Gompel")], id="thin_space_initials"),
        pytest.param("{John Henry} Ford", [Name("John Henry", "", "Ford")], id="braced_first"),
        pytest.param(r"{\v S}omeone Smith", [Name("Šomeone", "", "Smith")], id="caron_special_char"),
        pytest.param("Šomeone Smith", [Name("Šomeone", "", "Smith")], id="unicode_caron"),
        pytest.param("E. S. El-{M}allah", [Name("E. S.", "", "El-Mallah")], id="protected_letter"),
        pytest.param(r"{\"O}zt{\"u}rk, Ali", [Name("Ali", "", "Öztürk")], id="umlaut_uppercase_special"),
        pytest.param(r"Abadi, Mart{\'\i}n and Barham, Paul",
                     [Name("Martín", "", "Abadi"), Name("Paul", "", "Barham")], id="dotless_i_accent"),
        pytest.param(r"B.~Sch{\"o}lkopf and R.~Herbrich and A. J. Smola",
                     [Name("B.", "", "Schölkopf"), Name("R.", "", "Herbrich"), Name("A. J.", "", "Smola")],
                     id="ties_and_umlaut_d2l"),
        pytest.param(r"Bottou, {L\'eon} and {Le Cun}, Yann",
                     [Name("Léon", "", "Bottou"), Name("Yann", "", "Le Cun")], id="braced_accent_and_two_word_last"),
        pytest.param(r"Ram{\'o}n y {C}ajal, Santiago, and Azoulay, L.",
                     [Name("Santiago", "", "Ramón y Cajal"), Name("L.", "", "Azoulay")], id="stray_trailing_comma"),
        pytest.param("{Barnes and Noble, Inc.}", [Name("", "", "Barnes and Noble, Inc.")], id="corporate_with_and"),
        pytest.param("{Barnes and Noble, Inc.} and Jane Doe",
                     [Name("", "", "Barnes and Noble, Inc."), Name("Jane", "", "Doe")], id="corporate_then_person"),
        pytest.param("{American Psychological Association, Task Force on the Sexualization of Girls}",
                     [Name("", "", "American Psychological Association, Task Force on the Sexualization of Girls")],
                     id="corporate_with_comma"),
        pytest.param("Maria{-}Florina Balcan and Hsuan{-}Tien Lin",
                     [Name("Maria-Florina", "", "Balcan"), Name("Hsuan-Tien", "", "Lin")], id="dblp_braced_hyphen"),
        pytest.param("Gonzalez, J. E.", [Name("J. E.", "", "Gonzalez")], id="comma_initials"),
        pytest.param("J.E. Gonzalez", [Name("J. E.", "", "Gonzalez")], id="run_together_initials"),
        pytest.param("Chaoyang He and\n               Murali Annavaram AND Salman Avestimehr",
                     [Name("Chaoyang", "", "He"), Name("Murali", "", "Annavaram"), Name("Salman", "", "Avestimehr")],
                     id="dblp_line_wraps_uppercase_and"),
        pytest.param("Deepak Narayanan and others", [Name("Deepak", "", "Narayanan"), Name("", "", "others")], id="and_others"),
        pytest.param("given=Alfred, family=Adler", [Name("Alfred", "", "Adler")], id="biblatex_extended"),
        pytest.param("family=Gloom, prefix=van, given=Gregory R.", [Name("Gregory R.", "van", "Gloom")], id="biblatex_extended_prefix"),
        pytest.param("Sanderson, Andy", [Name("Andy", "", "Sanderson")], id="and_inside_word_not_split"),
        pytest.param("", [], id="empty"),
    ],
)
def test_parse_names(field: str, names: list[Name]) -> None:
    assert parse_names(field) == names


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        pytest.param("J.E. Gonzalez and Ion Stoica", "Gonzalez, J. E. and Stoica, Ion", id="first_last_to_comma_form"),
        pytest.param(r"Sch{\"o}lkopf, Bernhard", "Schölkopf, Bernhard", id="accent_decoded_to_utf8"),
        pytest.param("{Barnes and Noble, Inc.}", "{Barnes and Noble, Inc.}", id="corporate_kept_braced"),
        pytest.param("van Kluster, Jr., Kevin", "van Kluster, Jr., Kevin", id="von_jr"),
        pytest.param(r"Charles Louis Xavier Joseph de la Vall{\'e}e Poussin",
                     "de la {Vallée Poussin}, Charles Louis Xavier Joseph", id="multiword_last_protected"),
        pytest.param("Van de Graaff, R. J.", "{Van de Graaff}, R. J.", id="capital_van_protected"),
        pytest.param("{AT\\&T Labs}", "{AT\\&T Labs}", id="corporate_escaped_ampersand"),
        pytest.param("Deepak Narayanan and others", "Narayanan, Deepak and others", id="others"),
        pytest.param("Plato", "Plato", id="mononym"),
    ],
)
def test_normalize_author_field(field: str, expected: str) -> None:
    assert normalize_author_field(field) == expected
    assert normalize_author_field(expected) == expected  # idempotent
    assert parse_names(expected) == parse_names(field)  # formatting loses nothing


@pytest.mark.parametrize(
    "field",
    [
        pytest.param("a~{", id="lowercase_then_lone_brace"),
        pytest.param(",X,{", id="empty_last_jr_only"),
        pytest.param(",0,0", id="empty_last_digits"),
        pytest.param("ö{,X} X", id="von_with_braced_comma"),
        pytest.param("-{-", id="tex_ligature_split_by_brace"),
        pytest.param(" and and ", id="only_separators"),
    ],
)
def test_degenerate_author_fields_are_idempotent(field: str) -> None:
    """Inputs hypothesis found: normalizing twice must equal normalizing once."""
    once = normalize_author_field(field)
    assert normalize_author_field(once) == once


def test_format_name_and_authors() -> None:
    assert format_name(Name("Kevin", "van", "Kluster", "Jr.")) == "van Kluster, Jr., Kevin"
    assert format_name(Name("", "", "Sci-Art Publishers")) == "{Sci-Art Publishers}"
    assert format_authors([Name("A.", "", "B"), Name("C.", "", "D")]) == "B, A. and D, C."


def test_split_names_depth_zero_only() -> None:
    assert split_names("{Barnes and Noble} and {Smith and Sons}") == ["{Barnes and Noble}", "{Smith and Sons}"]
    assert split_names("Anderson, Sandra") == ["Anderson, Sandra"]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        pytest.param(Name("Bernhard", "", "Schölkopf"), "scholkopf", id="umlaut_folded"),
        pytest.param(Name("Kevin", "van", "Kluster", "Jr."), "vankluster", id="von_joined"),
        pytest.param(Name("Oliver", "", "St John-Mollusc"), "stjohnmollusc", id="letters_only"),
        pytest.param(Name("Paul", "", "Erdős"), "erdos", id="double_acute"),
        pytest.param(Name("", "", "Barnes and Noble, Inc."), "barnes", id="corporate_first_word"),
        pytest.param(Name("Øystein", "", "Ødegård"), "odegard", id="o_slash"),
        pytest.param(Name("Carl", "", "Weiß"), "weiss", id="sharp_s"),
    ],
)
def test_name_key(name: Name, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        pytest.param("Joseph E.", "J. E.", id="name_and_initial"),
        pytest.param("J. E.", "J. E.", id="initials_already"),
        pytest.param("Klaus-Peter", "K.-P.", id="hyphenated"),
        pytest.param("Émile", "É.", id="accented"),
        pytest.param("", "", id="none"),
    ],
)
def test_initials(first: str, expected: str) -> None:
    assert initials(Name(first, "", "X")) == expected


def test_real_bib_author_fields_are_idempotent(shared_data: Path) -> None:
    """Every author field of the ML-systems .bib files normalizes idempotently."""
    import re

    checked = 0
    for path in sorted((shared_data / "bib" / "ml-systems").glob("*.bib")):
        text = path.read_text("utf-8", errors="replace")
        for m in re.finditer(r"\bauthor\s*=\s*\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}", text, re.IGNORECASE):
            once = normalize_author_field(m.group(1))
            assert normalize_author_field(once) == once, m.group(1)
            assert len(parse_names(once)) == len(parse_names(m.group(1)))
            checked += 1
    assert checked > 100


# ---------------------------------------------------------------------------------- fast path

_WORDS = st.sampled_from(["Smith", "van", "De", "la", "J.E.", "J.", "Jean-Luc", "Müller", "Mu\u0308ller", "and",
                          "And", "others", "O'Brien", "{X}", "Sch{\\\"o}lkopf", "a--b", "Ng", "123", "ß", "Jr",
                          "Barnes", "~", "x_y", "Ann"])
_PLAIN_WORDS = st.sampled_from(["Smith", "van", "De", "J.E.", "J.", "Jean-Luc", "Müller", "and", "And", "Ng", "ß"])
_NAME = st.one_of(st.lists(_WORDS, min_size=0, max_size=4), st.lists(_PLAIN_WORDS, min_size=1, max_size=3)).map(" ".join)
_LIST_OF_NAMES = st.lists(
    st.tuples(_NAME, st.sampled_from([", ", ",", " ", ", , ", ",  "]), _NAME).map("".join), min_size=1, max_size=4,
).map(lambda names: " and ".join(names))


def _general(field: str) -> str:
    """The general parser only (no plain-name fast path)."""
    return format_authors([n for n in map(_parse_name_general, split_names(field)) if n != Name()])


@settings(max_examples=1500, deadline=None)
@given(_LIST_OF_NAMES)
def test_plain_author_fast_path_equals_general_path(field: str) -> None:
    for raw in split_names(field):
        fast = _plain_name(raw)
        if fast is not None:
            assert fast == format_name(_parse_name_general(raw))
    _name_text.cache_clear()  # the same names again, each through its cache
    assert normalize_author_field(field) == _general(field) == normalize_author_field(field)
    assert parse_names(field) == [n for n in map(_parse_name_general, split_names(field)) if n != Name()]


@pytest.mark.parametrize(("field", "taken"), [
    ("Smith, John and Doe, J.E.", ["Smith, John", "Doe, J. E."]),
    ("De Marneffe, Marie and Smith, Ann and others", ["{De Marneffe}, Marie", "Smith, Ann", "others"]),
    ("And, Bob", ["{And}, Bob"]),
    ("van Dyk, Anne and Roe,\n  Rita", [None, "Roe, Rita"]),  # a von part: the general parser, name by name
    ("John Smith", [None]),  # no comma
    ("M{\\\"u}ller, Hans", [None]),  # LaTeX
    ("Mu\u0308ller, Hans", [None]),  # not NFC
    ("Smith, Jr, John", [None]),
])
def test_plain_author_fast_path_cases(field: str, taken: list[str | None]) -> None:
    assert [_plain_name(raw) for raw in split_names(field)] == taken
    assert normalize_author_field(field) == _general(field)


def _depth0_split_reference(s: str, sep: re.Pattern[str]) -> list[str]:
    """The rule, character by character: what `_depth0_split` must equal."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            m = sep.match(s, i)
            if m and m.end() > i:
                out.append(s[start:i])
                start = i = m.end()
                continue
        i += 1
    out.append(s[start:])
    return out


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["a", "B", " ", "  ", "\n", "~", ",", "and", "AND", "{", "}", "\\", "\\{", "\\}",
                                 "\\\\", "\\\n", "\\,", "{\\\"o}", " and ", "\tand\n"]), max_size=14).map("".join))
def test_depth0_split_equals_the_character_rule(s: str) -> None:
    from readinglist.normalize.names import _AND_RE, _COMMA_RE, _WS_RE, _depth0_split

    for sep in (_AND_RE, _COMMA_RE, _WS_RE):
        assert _depth0_split(s, sep) == _depth0_split_reference(s, sep), sep.pattern


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["a", "B", " ", "  ", "\n", "and", "AND", "And", "anD", ",", "{", "}", "\\", "x y"]),
                max_size=14).map("".join))
def test_split_names_equals_the_depth_zero_split(field: str) -> None:
    from readinglist.normalize.names import _AND_RE, _depth0_split, _split_names

    _split_names.cache_clear()
    norm = " ".join(field.split())
    want = tuple(p.strip() for p in _depth0_split(f" {norm} ", _AND_RE) if p.strip()) if norm else ()
    assert _split_names(field) == want
