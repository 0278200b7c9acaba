"""`bibfile.parse_bib_text`: values as bibtexparser's default middleware gives them, computed from raw values."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares.enclosing import RemoveEnclosingMiddleware
from hypothesis import given, settings
from hypothesis import strategies as st

from readinglist.bibfile import parse_bib_text, unenclose
from readinglist.importers.bibtex import import_bib


def default_stack_fields(text: str) -> dict[str, dict[str, str]]:
    lib = bibtexparser.parse_string(text)
    out: dict[str, dict[str, str]] = {}
    for e in lib.entries:
        fields: dict[str, str] = {}
        for f in e.fields:
            fields.setdefault(f.key.lower(), str(f.value))
        out.setdefault(e.key.lower(), fields)
    return out


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='{}"\\ a#,', max_size=12))
def test_unenclose_decides_like_bibtexparser(value: str) -> None:
    # the middleware's own decision (a private helper of bibtexparser 2.x, used here only as the oracle)
    stripped, how = RemoveEnclosingMiddleware._strip_enclosing(value)
    assert unenclose(value) == (stripped, how != "no-enclosing")


@pytest.mark.parametrize("text", [
    '@string{conf = {Conference A}}\n@misc{a, booktitle = conf, title = {T}, month = nov, year = 2020}',
    '@string{Conf = "Conf" # " A"}\n@misc{a, booktitle = conf, note = "x" # {y}, title = {{GPU} "q"}}',
    '@misc{a, url = {https://x.org/p.html#frag}, title = {C# in Depth}, note = "a {"} b"}',
    '@misc{a, title = {a} # {b}, note = {x\\}, howpublished = "\\"q\\""}',
])
def test_parse_matches_the_default_stack(text: str) -> None:
    res = parse_bib_text(text, "t.bib")
    assert {p.key.lower(): p.fields for p in res.papers} == default_stack_fields(text)


def test_bare_fields_are_exactly_the_unenclosed_ones() -> None:
    res = parse_bib_text('@string{local = {Local}}\n@misc{a, booktitle = local, journal = other, note = x # {y},'
                         ' url = {https://x.org/#frag}, year = 2020, month = nov, title = {C# in Depth}}', "t.bib")
    assert res.bare == {0: frozenset({"journal", "note", "month"})}


def test_hash_inside_braces_is_text_not_a_macro(tmp_path: Path) -> None:
    # Real DBLP/Zotero exports carry `biburl = {https://dblp.org/db/conf/x/x2003.html#Key03}`: such a
    # value once failed the import as an "undefined @string macro"; braced or quoted text is text.
    (tmp_path / "bib").mkdir()
    (tmp_path / "topics.yaml").write_text("version: 1\ncourses: []\nareas: []\n")
    src = tmp_path / "in.bib"
    src.write_text('@inproceedings{Jarvinen03, author = {J{\\"a}rvinen, Aki}, title = {Making and breaking games},\n'
                   '  biburl = {https://dblp.org/db/conf/digra/digra2003.html#Jarvinen03}, year = 2003,\n'
                   '  booktitle = conf # " 2003", note = "C# and F# notes"}\n'
                   '@string{conf = {DiGRA}}\n', encoding="utf-8")
    report = import_bib(tmp_path, [str(src)])
    assert not report.failed, report.failed
    text = (tmp_path / "bib" / "imported.bib").read_text(encoding="utf-8")
    assert "biburl = {https://dblp.org/db/conf/digra/digra2003.html#Jarvinen03}" in text
    assert "booktitle = {DiGRA 2003}" in text and "note = {C# and F# notes}" in text


def test_same_values_as_the_default_stack_on_real_files(shared_data: Path) -> None:
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    files = [f for d in ("ml-systems", "dblp-derived", "messy") for f in sorted((shared_data / "bib" / d).rglob("*.bib"))]
    assert files
    n = 0
    for f in files:
        try:
            text = f.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            continue
        want = default_stack_fields(text)
        res = parse_bib_text(text, str(f))
        for p in res.papers:
            # names no BibTeX writer can write ('% a comment\n  author') are reported, not kept
            kept = {k: v for k, v in want[p.key.lower()].items() if re.fullmatch(r"[a-z][a-z0-9_-]*", k)}
            assert kept == p.fields, (f, p.key)
            if len(kept) < len(want[p.key.lower()]):
                assert any(pr.key == p.key and "not a BibTeX field name" in pr.message for pr in res.problems)
            n += 1
        assert res.strings == {s.key: str(s.value) for s in bibtexparser.parse_string(text).strings}
    assert n > 500
