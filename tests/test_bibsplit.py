"""bibsplit.scan gives exactly what bibtexparser's splitter gives (as far as a reader uses it:
keys, types, raw values, lines, failures, strings, the text between blocks), takes the plain
BibTeX of real files itself, and leaves the rest to bibtexparser."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from bibtexparser.splitter import Splitter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist import bibsplit

logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

pytestmark = pytest.mark.skipif(
    not bibsplit.enabled(),
    reason=f"bibsplit's fast path is off for bibtexparser {bibtexparser.__version__} (checked: "
           f"{sorted(bibsplit.VERIFIED)}); check it with scripts/check_bibsplit.py and these tests with "
           "bibsplit.VERIFIED extended")


def _norm(x: Any) -> Any:
    """Everything a block holds, comparable (bibtexparser's own == compares errors by identity)."""
    if isinstance(x, BaseException):
        return type(x).__name__, str(x), _norm(vars(x))
    if isinstance(x, dict):
        return {k: _norm(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_norm(v) for v in x]
    if isinstance(x, set | frozenset):
        return sorted(x)
    if hasattr(x, "__dict__"):
        return type(x).__name__, _norm(vars(x))
    return x


def _same(text: str) -> bool:
    """Asserts bibsplit's result equals the splitter's; returns whether the fast path took it."""
    fast = bibsplit._fast(text)
    want = bibsplit.from_library(Splitter(text).split())
    if fast is not None:
        assert fast == want
    assert bibsplit.scan(text) == want
    return fast is not None


TAKEN = [
    "",
    "just a comment\n",
    "@article{k,\n  title = {A {GPU} Paper},\n  year = 2020\n}\n",
    "@Article {k, title={x}, }",  # type with a space, trailing comma
    "@misc{k}",  # no fields (RefTeX)
    "@misc{k,}",
    "preamble text\n\n  @book{a, author = \"Doe, J. and {Smith}, A.\"}\n\ntrailing\n",
    '@a{k, title = "The {GPU}, the = and the # sign"}',
    "@a{k, title = {x} # \" y \" # z, note={a,b=c}}",
    '@a{k, title = {\\"{u}ber \\{ and \\} and \\, and \\=}}',  # escaped marks are literal
    "@a{k, note = {mail: me@example.org; @ alone}}",  # @ that is no block start
    "@a{k,\r\n  title = {CRLF},\r\n  year = {2021}\r\n}\r\n",
    "@a{k, title={x}, title={y}, Title={z}}",  # duplicate field (and a case-only one)
    "@a{k, title={x}}\n@b{k, title={y}}\n@c{K, title={z}}",  # duplicate key (and a case-only one)
    "@comment{jabref-meta: databaseType:bibtex;}\n@a{k, title={x}}",
    "@Comment{ nested {braces} \"quote\" , = }",
    "@string{acl = {Association for {C}omputational Linguistics}}\n@a{k, publisher = acl}",
    "@string{a = {x}}\n@string{a = {y}}\n@string{A = {z}}\n@b{k, t = a}",  # defined again: both kept
    '@preamble{ "\\newcommand{\\x}{y}" }',
    "@a{k, title = {" + "{" * 5 + "deep" + "}" * 5 + "}}",
    "x}\n, author = {stray}\n@a{k, title={after an extra brace}}",
    "@a{k, title = {\u00a0nbsp\u2028} ,\x1c year = 1999\x1c}",
    "@a{k, title = {back\\\\slash \\\\{ and \\\\}}, note = \"\\\\\" q\"}",  # after any backslashes: literal
    "@a{k, booktitle = {COIN\\@AAMAS/ECAI}, author = {{\\@someone}}, x = {\\\\@a b}}",
    "@a{k, title = {x}}}\n",  # an extra brace: text between blocks
    "@a{k, title = {x}\n year = {2000}}",  # a missing comma: one value, as bibtexparser reads it
    "@a{k,\n title = {two\nlines},\n\n year = {2000}}\n\n\n@b{j, title={x}}",
]

REFUSED = [
    "@a{k, title = {line \\\nbreak}}",  # a backslash before a newline
    "@a{k, note = {x \\@y{z}}}",
    "@a{k, note = {x@y{z}}}",  # a block start inside a value: versions differ
    "@a{k, title = {x\n@b{j, title = {y}}",  # an unclosed entry cut by the next
    "@a{k, title = {" + "{" * 7 + "deep" + "}" * 7 + "}}",  # deeper than DEPTH
    "@misc(k, title = {parens})",
    '@a{k, title = "x{"}',  # `{"` inside quotes: versions differ
    "@a{k title = {missing comma}}",
    "@a{k, title = {x}",  # end of file inside the entry
    "@string(x = {y})",
]


@pytest.mark.parametrize("text", TAKEN)
def test_plain_bibtex_is_split_here_as_bibtexparser_splits_it(text: str) -> None:
    assert _same(text), "the fast path left this plain text to bibtexparser"


@pytest.mark.parametrize("text", REFUSED)
def test_what_it_does_not_cover_goes_to_bibtexparser(text: str) -> None:
    assert not _same(text)


def test_line_numbers_count_as_the_splitter_does() -> None:
    # the splitter does not count a newline after a backslash: neither does this
    text = "comment \\\n more\n@a{k,\n title = {x},\n\n year = 2000}\n\n\n  x}\n@b{j}"
    assert _same(text)
    sc = bibsplit.scan(text)
    assert [e[0] for e in sc.entries] == [1, 8]
    assert sc.comments == [(0, "comment \\\n more"), (7, "x}")]


_PIECES = ["@article{", "@comment{", "@string{", "@preamble{", "@misc(", "@ b{", "k", ",", "=", "{", "}",
           '"', "\\", "\n", " ", "\t", "@", "#", "a", "1", "\\{", '{"}', "\r", "\x1c", "\u00a0", "é", ")"]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_any_text_splits_as_bibtexparser_splits_it(text: str) -> None:
    _same(text)


_SAFE = ["a", "B c", ",", "=", "#", '"', "\\'e", '\\"o', "\\{", "\\}", "@x", "\n", "{GPU}", "{{N}}", "é", "{\n}"]
_value_atom = st.sampled_from(_SAFE * 8 + ["x@y{z}", "\\\\", "@b{", "{", "}"])  # (mostly plain: the fast path's)


@st.composite
def _value(draw: st.DrawFn) -> str:
    body = "".join(draw(st.lists(_value_atom, max_size=6)))
    form = draw(st.sampled_from(["{}", '""', "bare", "concat"]))
    if form == "{}":
        return "{" + body + "}"
    if form == '""':
        return '"' + body.replace('"', "'") + '"'
    if form == "bare":
        return draw(st.sampled_from(["2020", "jan", "acl", ""]))
    return '"a" # {' + body + "} # mac"


@st.composite
def _entry(draw: st.DrawFn) -> str:
    names = draw(st.lists(st.sampled_from(["title", "author", "Year", "note", "x-y", "title"]), max_size=5))
    sep = draw(st.sampled_from([",\n  ", ", ", ",", " ,\n\t"]))
    fields = sep.join(n + draw(st.sampled_from([" = ", "=", " =\n"])) + draw(_value()) for n in names)
    kind = draw(st.sampled_from(["article", "InProceedings", "misc ", "comment", "string", "preamble"]))
    key = draw(st.sampled_from(["k1", "k2", "K1", "a:b/c", ""]))
    tail = draw(st.sampled_from(["", ",", ",\n"]))
    if kind in ("string", "preamble"):
        return f"@{kind}{{{key} = {draw(_value())}}}" if kind == "string" else f"@{kind}{{{draw(_value())}}}"
    return f"@{kind}{{{key},{sep}{fields}{tail}}}" if names else f"@{kind}{{{key}}}"


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["", "\n", "\n\n", "% c\n", "}\n", " text "]), _entry()), max_size=4))
def test_generated_files_split_as_bibtexparser_splits_them(parts: list[tuple[str, str]]) -> None:
    _same("".join(a + b for a, b in parts))


def test_generated_files_are_mostly_taken_by_the_fast_path() -> None:
    # (so the property test above exercises it, not only the fallback)
    taken = sum(_same(t) for t in (
        f"@article{{k{i},\n  title = {{T{i} {{GPU}}}},\n  author = \"A and B\",\n  year = {2000 + i}\n}}\n"
        for i in range(50)))
    assert taken == 50


def test_real_files_split_as_bibtexparser_splits_them(shared_data: Path) -> None:
    data = shared_data
    files = sorted((data / "bib").glob("*/*.bib"))
    files = [f for f in files if "large" not in f.parts] + sorted((data / "bib" / "large").glob("*/*.bib"))[::40]
    assert files
    taken = 0
    for f in files:
        taken += _same(f.read_bytes().decode("utf-8-sig", errors="replace"))
    assert taken >= len(files) * 3 // 4, f"the fast path took only {taken} of {len(files)} real files"


def test_off_for_an_unchecked_bibtexparser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bibsplit, "_ENABLED", None)
    monkeypatch.setattr(bibsplit, "VERIFIED", frozenset({"0.0"}))
    assert not bibsplit.enabled()
    text = "@a{k, title={x}}"
    assert bibsplit.scan(text) == bibsplit.from_library(Splitter(text).split())


def test_importer_results_do_not_depend_on_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from readinglist.bibfile import parse_bib_text

    text = TAKEN[2] + TAKEN[12] + "\n" + TAKEN[13] + "\nx}\n, year = {1}\n" + TAKEN[16]
    assert bibsplit._fast(text) is not None
    fast = parse_bib_text(text, "f.bib")
    monkeypatch.setattr(bibsplit, "_ENABLED", False)
    slow = parse_bib_text(text, "f.bib")
    assert _norm(fast) == _norm(slow)
    assert fast.papers and fast.problems


def test_installed_version_is_read_without_importing_bibtexparser() -> None:
    code = ("import sys; from readinglist import bibsplit, bibfile; v = bibsplit.installed_version(); "
            "assert 'bibtexparser' not in sys.modules; bibfile.parse_bib_text('@a{k, title={x}}', 'f'); "
            "assert 'bibtexparser' not in sys.modules; import bibtexparser; print(v == bibtexparser.__version__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


@pytest.mark.parametrize("text", TAKEN + REFUSED)
def test_the_writers_check_reads_as_bibtexparser_reads(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from readinglist.bibwrite import reparse_problem

    expected = [("a", "k", [("title", "{x}")]), ("b", "j", [("title", "{x}")])]
    fast = reparse_problem(text, expected)
    monkeypatch.setattr(bibsplit, "_ENABLED", False)
    assert reparse_problem(text, expected) == fast


def test_the_check_script_reports_each_file(tmp_path: Path) -> None:
    (tmp_path / "a.bib").write_text(TAKEN[2], encoding="utf-8")
    (tmp_path / "b.bib").write_text(REFUSED[0], encoding="utf-8")
    script = Path(__file__).resolve().parents[1] / "scripts" / "check_bibsplit.py"
    out = subprocess.run([sys.executable, str(script), str(tmp_path), "--import"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("fast-equal") and lines[0].endswith("added 1 merged 0 skipped 0 failed 0")
    assert lines[1].startswith("fallback")
    assert lines[-1] == "2 files: fast-equal 1, fallback 1, MISMATCH 0, crash 0"
