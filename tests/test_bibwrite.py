"""The safe BibTeX writer: hostile values stay inside their field; output re-parses to the input."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readinglist.bibfile import parse_bib_text
from readinglist.bibwrite import BibEntry, append_entries, format_entry, safe_value
from readinglist.errors import ReadingListError


def _reparse(text: str) -> dict[str, dict[str, str]]:
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks, [b.raw for b in lib.failed_blocks]
    return {e.key: {f.key: f.value for f in e.fields} for e in lib.entries}


@pytest.mark.parametrize("value", [
    pytest.param("Evil} , note={injected", id="close_field_and_inject"),
    pytest.param("x}\n}\n@misc{pwn, title={owned}}", id="close_entry_and_open_another"),
    pytest.param("trailing backslash\\", id="trailing_backslash"),
    pytest.param("lone { brace", id="lone_open_brace"),
    pytest.param("\\{escaped} brace", id="escaped_brace"),
    pytest.param("a\x00b\x1bc", id="control_chars"),
    pytest.param("line\nbreak  and   spaces", id="whitespace"),
    pytest.param("Sch{\\\"o}lkopf {GPU} 50\\%", id="latex_kept"),
])
def test_hostile_values_stay_in_their_field(value: str) -> None:
    text = format_entry("smith2020x", "misc", {"title": value, "year": "2020"})
    got = _reparse(text)
    assert list(got) == ["smith2020x"]
    assert set(got["smith2020x"]) == {"title", "year"}
    assert got["smith2020x"]["title"] == safe_value(value)
    assert got["smith2020x"]["year"] == "2020"
    assert not parse_bib_text(text, "x.bib").problems


def test_field_order_is_fixed_and_layout_normalized() -> None:
    text = format_entry("a2020b", "InProceedings", {"url": "u", "Title": "T", "author": "A, B", "year": "2020",
                                                    "zeta": "z", "doi": "10.1/x"})
    assert text == ("@inproceedings{a2020b,\n  author = {A, B},\n  title = {T},\n  year = {2020},\n"
                    "  doi = {10.1/x},\n  url = {u},\n  zeta = {z},\n}\n")


@pytest.mark.parametrize("key", ["../x", "a b", "a,b", "a}b", ""])
def test_unsafe_keys_are_refused(key: str) -> None:
    with pytest.raises(ReadingListError):
        format_entry(key, "misc", {"title": "x"})


def test_append_is_atomic_and_verified(tmp_path: Path) -> None:
    path = tmp_path / "bib" / "x.bib"
    entries = [BibEntry("a2020x", "misc", {"title": "x}", "year": "2020"}),
               BibEntry("b2021y", "article", {"title": "y", "journal": "J"})]
    append_entries(path, entries, header="test")
    append_entries(path, [BibEntry("c2022z", "misc", {"title": "z"})])
    got = _reparse(path.read_text())
    assert list(got) == ["a2020x", "b2021y", "c2022z"]
    assert path.read_text().startswith("% test\n")
    assert [p.name for p in path.parent.iterdir()] == ["x.bib"]  # no temp file left


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["title", "author", "note", "journal", "abstract", "x-field"]), _text,
                       min_size=1))
def test_any_value_reparses_to_its_safe_form(fields: dict[str, str]) -> None:
    text = format_entry("k2020x", "misc", fields)
    got = _reparse(text)
    want = {k: safe_value(v) for k, v in fields.items() if safe_value(v)}
    assert got.get("k2020x", {}) == want
    assert all(safe_value(v) == v for v in want.values())  # idempotent


def test_verification_reparses_risky_values_and_refuses_bad_ones() -> None:
    from readinglist.bibwrite import _check, _layout, risky_part

    good = [("misc", "a2020x", [("title", "{x {y}}"), ("note", "{plain, with = and \"}"),
                                ("year", "{2020}")])]
    assert risky_part(good) == [("misc", "a2020x", [("title", "{x {y}}")])]  # only a value with { } \ @ is re-parsed
    _check(_layout(*good[0]), good)
    for token in ["{x}, note = {y}", "{oops\\}", "{a}}", "{@misc{pwn,}"]:
        bad = [("misc", "a2020x", [("title", token), ("year", "{2020}")])]
        with pytest.raises(ReadingListError, match="internal error"):
            _check(_layout(*bad[0]), bad)
    two = [("misc", "a", [("title", "{x}")]), ("misc", "A", [("title", "{y}")])]
    with pytest.raises(ReadingListError, match="twice"):
        _check("".join(_layout(*e) for e in two), two)


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(list("ab {}\\\x00\x1f\x85\xa0\u2028\t\n\r é\x7f\x9f\u3000")), max_size=12))
def test_safe_value_fast_path_agrees_with_the_full_rules(value: str) -> None:
    from readinglist.bibwrite import _safe_value

    assert safe_value(value) == _safe_value(value)


def test_append_reparses_exactly_the_risky_values_and_refuses_on_a_bad_one(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import readinglist.bibwrite as bw

    entries = [BibEntry(f"k{i}", "misc", {"title": f"T{i} {{GPU}}" if i == 1 else f"T{i} {{\\'e}}", "note": "n\\'e", "year": "2020",
                                          "publisher": "Plain, Publisher"}) for i in range(3)]
    seen: list[list[str]] = []
    real = bw._reparse_tokens

    def spy(tokens: list[str]) -> tuple[str, str | None] | None:
        seen.append(tokens)
        return real(tokens)

    monkeypatch.setattr(bw, "_reparse_tokens", spy)
    path = tmp_path / "x.bib"
    append_entries(path, entries)
    expected = [(e.entry_type, e.key, bw._entry(e.key, e.entry_type, e.fields)[1]) for e in entries]
    assert seen == [[tok for tok in dict.fromkeys(tok for _, _, fields in bw.risky_part(expected) for _, tok in fields)
                     if bw.needs_reparse(tok[1:-1])]]
    # distinct, in order, once each; paired braces without a backslash ({GPU}) need no re-parse
    assert seen[0] == ["{T0 {\\'e}}", "{n\\'e}", "{T2 {\\'e}}"]
    before = path.read_bytes()
    monkeypatch.setattr(bw, "reparse_problem", lambda text, expected: ("fields:f1", "v0"))
    with pytest.raises(ReadingListError, match=r"internal error.*fields:f1, entry k0"):
        append_entries(path, entries[:1])
    assert path.read_bytes() == before


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet='{}"\\,=@ \naz()#%', max_size=14))
def test_values_needing_no_reparse_read_back_exactly(v: str) -> None:
    # point 5 of the verification argument in bibwrite.py, checked against bibtexparser itself
    from readinglist.bibwrite import needs_reparse

    if needs_reparse(v):
        return
    text = f"@misc{{k,\n  f = {{{v}}},\n  g = {{x}},\n}}\n@misc{{k2,\n  f = {{y}},\n}}\n"
    lib = bibtexparser.parse_string(text, parse_stack=[])
    assert not lib.failed_blocks
    assert [(e.key, [(f.key, f.value) for f in e.fields]) for e in lib.entries] == [
        ("k", [("f", "{" + v + "}"), ("g", "{x}")]), ("k2", [("f", "{y}")])]


_FIELD_NAMES = st.sampled_from(["author", "title", "booktitle", "year", "pages", "doi", "url", "note", "abstract",
                                "verification", "provenance", "zzz-custom", "bibsource", "keywords", "ids"])


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_FIELD_NAMES, st.text(alphabet="ab {}\\@,\"é\n", max_size=10), max_size=8),
       st.sampled_from(["", "old1", "old1, old2"]))
def test_lines_made_ahead_give_the_same_text(fields: dict[str, str], ids: str) -> None:
    # `entry_body` (made while reading) + the key and ids added at writing == formatting it whole
    from readinglist import bibwrite as bw

    fields.pop("ids", None)
    made = bw.entry_body(fields)
    assert made is not None
    final = {**fields, **({"ids": ids} if ids else {})}
    whole = bw._entry_parts("key2020x", "inproceedings", final)
    ahead = bw.format_chunk([BibEntry("key2020x", "inproceedings", final, made[0])])[0].decode("utf-8")
    assert ahead == whole[0]
    # the tokens it says must be re-parsed are exactly the risky ones of the whole entry (ids never are)
    assert sorted(made[1]) == sorted(whole[2])
    # a body made for fewer fields is not used
    if fields:
        fewer = dict(list(fields.items())[:-1])
        stale = bw.entry_body(fewer)
        assert stale is not None
        assert bw.format_chunk([BibEntry("key2020x", "inproceedings", final, stale[0])])[0].decode("utf-8") == whole[0]


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="@ \n\r\t\x0b\x1c\u2028a{", max_size=20))
def test_entry_heads_counts_line_starts_as_the_splitter_does(text: str) -> None:
    # an '@' counts when only whitespace stands between it and the previous newline (or the start):
    # bibtexparser's Splitter._is_at_line_start
    from readinglist.bibwrite import entry_heads

    want = 0
    for i, c in enumerate(text):
        if c == "@":
            j = i - 1
            while j >= 0 and text[j] != "\n" and text[j].isspace():
                j -= 1
            want += j < 0 or text[j] == "\n"
    assert entry_heads(text) == want


@pytest.mark.parametrize("line", ["@misc{evil,", "  \t@book(evil,", "\u2028@misc{evil,"])
def test_format_chunk_refuses_a_made_body_that_would_start_an_entry(line: str) -> None:
    # The lines made ahead are trusted to be safe values; should one ever hold a line starting
    # with '@' (where bibtexparser starts a block), the chunk is refused, not written.
    from readinglist.bibwrite import ReadingListError, format_chunk

    good = BibEntry("a2020x", "misc", {"title": "A @ sign mid-line"}, ("  title = {A @ sign mid-line},\n", "", 1))
    assert format_chunk([good, good.__class__("b2020x", "misc", good.fields, good.body)])[1] is None
    bad = BibEntry("c2020x", "misc", {"title": "t"}, (f"  title = {{t\n{line} x}},\n", "", 1))
    with pytest.raises(ReadingListError, match="starts an entry"):
        format_chunk([good, bad])


@pytest.mark.parametrize(("fields", "lines"), [
    ({"Title": "T", "YEAR": "2020", "zz-x": ""}, "  title = {T},\n  year = {2020},\n"),  # names lowercased, empty dropped
    ({"Title": "T", "title": "U"}, None),  # the same name twice but for case: refused, as whole
    ({"bad name": "x"}, None),
    ({"ids": "a"}, None),
    ({}, ""),
])
def test_entry_body_layouts(fields: dict[str, str], lines: str | None) -> None:
    from readinglist import bibwrite as bw

    for _ in range(2):  # made, then from the layout cache
        made = bw.entry_body(fields)
        assert (made[0][0] + made[0][1] if made is not None else None) == lines


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ab {}\\\n\t\x01é", max_size=12))
def test_value_token_shortcut_equals_safe_value(value: str) -> None:
    # `_token`'s shortcut (plain ASCII with paired braces) gives what `safe_value` + `needs_reparse` give
    from readinglist import bibwrite as bw

    v = bw.safe_value(value)
    assert bw._token.__wrapped__(value) == (("{" + v + "}", bw.needs_reparse(v)) if v else ("", False))
