"""Citation keys: lastnameYEARfirstword (docs/format.md) and deterministic de-duplication."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readinglist.normalize import Name, make_key, unique_key
from readinglist.normalize.keys import KeySet


@pytest.mark.parametrize(
    ("authors", "year", "title", "key"),
    [
        pytest.param("Narayanan, Deepak and Shoeybi, Mohammad", 2021,
                     "Efficient Large-Scale Language Model Training on GPU Clusters Using Megatron-LM",
                     "narayanan2021efficient", id="format_md_example"),
        pytest.param("Feng, Xixuan and Kumar, Arun and Recht, Benjamin and R{\\'e}, Christopher", "2012",
                     "Towards a Unified Architecture for in-{RDBMS} Analytics", "feng2012unified", id="towards_is_stopword"),
        pytest.param("Rajbhandari, Samyam", "{2021}", "{ZeRO-Infinity}: Breaking the {GPU} Memory Wall",
                     "rajbhandari2021zero", id="braced_year_hyphenated_word"),
        pytest.param(r"Sch{\"o}lkopf, Bernhard", 2002, "Learning with Kernels", "scholkopf2002learning", id="latex_accent_folded"),
        pytest.param("Erdős, Paul", 1959, "On Random Graphs I", "erdos1959random", id="unicode_accent_folded"),
        pytest.param("van Kluster, Jr., Kevin", 2020, "A Study", "vankluster2020study", id="von_joined"),
        pytest.param("Chen, Tianqi", 2018, "TVM: An Automated End-to-End Optimizing Compiler for Deep Learning",
                     "chen2018tvm", id="acronym_first_word"),
        pytest.param("{Barnes and Noble, Inc.}", 2019, "Annual Report", "barnes2019annual", id="corporate_first_word"),
        pytest.param("{OpenAI}", 2023, "GPT-4 Technical Report", "openai2023gpt", id="corporate_single_word_hyphen_splits"),
        pytest.param("", 2020, "Scaling Laws for Neural Language Models", "anon2020scaling", id="no_author"),
        pytest.param("Kaplan, Jared", None, "Scaling Laws", "kaplan" + "nd" + "scaling", id="no_year"),
        pytest.param("Kaplan, Jared", "forthcoming", "Scaling Laws", "kaplanndscaling", id="unreadable_year"),
        pytest.param("Gonzalez, J. E.", "2021-05-03", "How to Read a Paper", "gonzalez2021read", id="date_year_how_stopword"),
        pytest.param("Zaharia, Matei", 2012, "Resilient Distributed Datasets", "zaharia2012resilient", id="rdd"),
        pytest.param("Roscoe, Timothy", 2007, "Writing Reviews for Systems Conferences", "roscoe2007writing", id="plain"),
        pytest.param("Kraska, Tim", 2018, "The Case for Learned Index Structures", "kraska2018case", id="the_skipped"),
        pytest.param("Doe, Jane", 2020, "Don’t Stop Pretraining", "doe2020dont", id="apostrophe_joined"),
        pytest.param("Doe, Jane", 2020, "The", "doe2020", id="only_stopwords"),
        pytest.param("Lin, Ji", 2020, "MCUNet: Tiny Deep Learning on IoT Devices", "lin2020mcunet", id="mixed_case_word"),
        pytest.param("Doe, Jane", 2020, "3D Parallelism", "doe20203d", id="digit_led_word"),
        pytest.param([Name("Deepak", "", "Narayanan")], 2021, "Efficient", "narayanan2021efficient", id="name_list_input"),
        pytest.param("Deepak Narayanan and others", 2021, "Efficient", "narayanan2021efficient", id="first_last_order"),
    ],
)
def test_make_key(authors: list[Name] | str, year: int | str | None, title: str, key: str) -> None:
    assert make_key(authors, year, title) == key


@pytest.mark.parametrize(
    ("base", "taken", "expected"),
    [
        pytest.param("smith2020deep", set(), "smith2020deep", id="free"),
        pytest.param("smith2020deep", {"smith2020deep"}, "smith2020deepb", id="second_gets_b"),
        pytest.param("smith2020deep", {"smith2020deep", "smith2020deepb"}, "smith2020deepc", id="third_gets_c"),
        pytest.param("smith2020deep", KeySet({"Smith2020Deep"}), "smith2020deepb", id="case_insensitive"),
        pytest.param("Smith2020Deep", {"smith2020deep"}, "Smith2020Deepb", id="lowercase_set_blocks_any_case"),
        pytest.param("smith2020deep", KeySet(["smith2020deep", "SMITH2020DEEPB"]), "smith2020deepc", id="keyset_case_insensitive"),
        pytest.param("x", {"x", *(f"x{c}" for c in "bcdefghijklmnopqrstuvwxyz")}, "xaa", id="after_z"),
    ],
)
def test_unique_key(base: str, taken: set[str] | KeySet, expected: str) -> None:
    assert unique_key(base, taken) == expected


def test_unique_key_deterministic_sequence() -> None:
    taken: set[str] = set()
    keys = []
    for _ in range(4):
        k = unique_key("lee2019x", taken)
        taken.add(k)
        keys.append(k)
    assert keys == ["lee2019x", "lee2019xb", "lee2019xc", "lee2019xd"]


class _ProbeOnly:
    """A container that refuses to be iterated: `unique_key` must only probe it."""

    def __init__(self, keys: set[str]) -> None:
        self.keys = keys
        self.probes = 0

    def __contains__(self, item: object) -> bool:
        self.probes += 1
        return item in self.keys

    def __iter__(self) -> None:
        raise AssertionError("unique_key iterated (copied) its input")


def test_unique_key_only_probes() -> None:
    taken = _ProbeOnly({f"k{i}" for i in range(10_000)} | {"lee2019x", "lee2019xb"})
    assert unique_key("lee2019x", taken) == "lee2019xc"
    assert taken.probes <= 6  # each candidate probed as is and lowercased; the 10,000 others never looked at


def test_make_key_parses_only_the_first_author() -> None:
    from readinglist.normalize.names import parse_name

    parse_name.cache_clear()
    assert make_key("others and Doe, Jane and Roe, Rick and Poe, Pat", 2020, "A Study") == "doe2020study"
    assert parse_name.cache_info().misses == 2  # "others", "Doe, Jane"


def _general_first_author_key(authors: str) -> str:
    from readinglist.normalize.names import Name, name_key, parse_name, split_names

    first = next((n for n in map(parse_name, split_names(authors)) if n != Name() and not n.is_others), None)
    return name_key(first) if first is not None else ""


@pytest.mark.parametrize("authors", [
    "Smith AND Doe, Jane", "Smith and\tDoe, J", "van der Berg, Jan and X, Y", "Müller, Jürgen", "Smith,  John",
    "O'Neil, Cathy", "given=Fred, family=Flummox", "others and Smith, J.", "{Google Brain}, Team", "Smith, Jr, John",
    "Sch{\\\"o}lkopf, Bernhard", "de la Fuente, Ana and B, C", "Plato", "Zhang, San and others",
])
def test_first_author_key_fast_path_equals_the_parser(authors: str) -> None:
    from readinglist.normalize.keys import _first_author_key

    assert _first_author_key(authors) == _general_first_author_key(authors)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="abAB éç-'.=$~{}\\\t", min_size=1, max_size=8),
                          st.text(alphabet="abAB .,", min_size=0, max_size=6)), min_size=1, max_size=3))
def test_first_author_key_fast_path_property(names: list[tuple[str, str]]) -> None:
    from readinglist.normalize.keys import _first_author_key

    authors = " and ".join(f"{last}, {first}" if first else last for last, first in names)
    assert _first_author_key(authors) == _general_first_author_key(authors)
