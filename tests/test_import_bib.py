"""`readinglist import bib`: real and hostile BibTeX, dedup, all-or-nothing writes, round trip."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist.bibfile import read_bib
from readinglist.cli import main
from readinglist.importers.bibtex import decode_legacy, import_bib, tokenize_expr
from readinglist.normalize.fields import normalize_entry

from .helpers import copy_default

EMPTY = "version: 1\ncourses: []\nareas: []\n"


def empty_project(root: Path) -> Path:
    (root / "bib").mkdir(parents=True)
    (root / "topics.yaml").write_text(EMPTY)
    return root


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def entries(root: Path, name: str = "imported.bib") -> dict[str, dict[str, str]]:
    res = read_bib(root / "bib" / name)
    assert not res.problems
    return {p.key: p.fields for p in res.papers}


def test_simple_file_gets_normalized_keys_and_aliases(tmp_path: Path) -> None:
    root = empty_project(tmp_path / "p")
    src = write(tmp_path / "in.bib", r"""
@inproceedings{Narayanan:2021,
  author = {Deepak Narayanan and Mohammad Shoeybi},
  title = {Efficient Large-Scale Language Model Training on {GPU} Clusters Using {Megatron-LM}.},
  booktitle = {SC '21: Proceedings of the International Conference for High Performance Computing},
  year = 2021, month = nov, pages = {58:1-58:15}, doi = {https://doi.org/10.1145/3458817.3476209}
}
@article{Sch2020, author = {Sch{\"o}lkopf, Bernhard}, title = {Causality for Machine Learning}, year = {2019},
  journal = {arXiv preprint}, eprint = {1911.10500v2}, archivePrefix = {arXiv}}
""")
    report = import_bib(root, [str(src)])
    assert report.ok and len(report.added) == 2 and report.written == ["bib/imported.bib"]
    got = entries(root)
    assert set(got) == {"narayanan2021efficient", "scholkopf2019causality"}
    e = got["narayanan2021efficient"]
    assert e["author"] == "Narayanan, Deepak and Shoeybi, Mohammad"
    assert e["doi"] == "10.1145/3458817.3476209" and e["pages"] == "58:1--58:15" and e["month"] == "nov"
    assert e["ids"] == "Narayanan:2021"
    assert got["scholkopf2019causality"]["eprint"] == "1911.10500"
    # the project still builds
    r = CliRunner().invoke(main, ["--root", str(root), "build", "--quiet"])
    assert r.exit_code == 0, r.output


def test_macros_concatenation_and_crossref(tmp_path: Path) -> None:
    root = empty_project(tmp_path / "p")
    strings = write(tmp_path / "a.bib", '@string{procs = "Proceedings of "}\n@string{osdi = procs # {OSDI}}\n')
    src = write(tmp_path / "b.bib", """
@proceedings{osdi21, title = osdi # " 2021", year = 2021, publisher = {USENIX}}
@inproceedings{qiao21, author = {Qiao, Aurick}, title = {Pollux: Co-adaptive Cluster Scheduling},
  crossref = {osdi21}, note = "see " # osdi}
""")
    report = import_bib(root, [str(strings), str(src)])
    assert report.ok, [str(i) for i in report.failed]
    e = entries(root)["qiao2021pollux"]
    assert e["booktitle"] == "Proceedings of OSDI 2021" and e["year"] == "2021" and e["publisher"] == "USENIX"
    assert e["note"] == "see Proceedings of OSDI" and "crossref" not in e
    assert [i.key for i in report.skipped] == ["osdi21"]


@pytest.mark.parametrize("text,needle", [
    pytest.param("@misc{a, title={A}, crossref={nope}}", "missing entry 'nope'", id="crossref_missing"),
    pytest.param("@misc{a, title={A}, crossref={b}}\n@misc{b, title={B}, crossref={a}}", "cycle", id="crossref_cycle"),
    pytest.param("@misc{a, title = undefinedmacro # { x}}", "undefined @string", id="undefined_macro"),
    pytest.param("@misc{a, title={Foo}}, year={2020}}\n", "extra '}'", id="extra_brace"),
    pytest.param("@misc{a, title={Foo}\n year={2020}}\n", "missing comma", id="missing_comma"),
    pytest.param("@misc{a, title={Foo}\n@misc{b, title={Bar}}\n", "unparseable", id="unbalanced"),
    pytest.param("@misc{a, title={A}}\n@misc{A, title={B}}\n", "case", id="case_only_duplicate_key"),
    pytest.param("@misc{a, title={A}, Title={B}}\n", "twice", id="case_only_duplicate_field"),
])
def test_broken_input_is_reported_and_nothing_written(tmp_path: Path, text: str, needle: str) -> None:
    root = empty_project(tmp_path / "p")
    src = write(tmp_path / "bad.bib", text + "\n@misc{good, title={A Good Entry}, year={2020}}\n")
    report = import_bib(root, [str(src)])
    assert not report.ok
    assert any(needle in it.message for it in report.failed), [str(i) for i in report.failed]
    assert all(it.source.startswith(str(src)) for it in report.failed)
    assert not (root / "bib" / "imported.bib").exists()
    kept = import_bib(root, [str(src)], keep_going=True)
    assert "anon2020good" in entries(root) and kept.written


def test_encodings(tmp_path: Path) -> None:
    latin = "@misc{a, author={M\xfcller, J\xfcrgen}, title={\xdcber Gr\xf6\xdfe}, year=1999}\n".encode("latin-1")
    text, note = decode_legacy(latin, "x.bib")
    assert "Müller" in text and note and "cp1252" in note
    text, note = decode_legacy(b"\xef\xbb\xbf@misc{a, title={x}}", "x.bib")
    assert note is None and text.startswith("@misc")
    utf16 = "@misc{a, title={Ölfass}}".encode("utf-16")
    assert decode_legacy(utf16, "x.bib")[0] == "@misc{a, title={Ölfass}}"
    gbk = "@misc{a, title={中文标题测试}}".encode("gbk")
    with pytest.raises(Exception, match="not UTF-8 at byte 16"):
        decode_legacy(gbk, "x.bib")


def test_tokenize_expr() -> None:
    assert tokenize_expr('pre # "a {b}" # {c} # 12') == [("macro", "pre"), ("str", "a {b}"), ("str", "c"), ("str", "12")]
    assert tokenize_expr("Foo bar") is None
    assert tokenize_expr('"unclosed') is None


def test_dedup_arxiv_versions_doi_and_preprint_with_published(tmp_path: Path) -> None:
    root = empty_project(tmp_path / "p")
    src = write(tmp_path / "in.bib", r"""
@misc{pre, author={Huang, Yanping and Cheng, Youlong}, title={GPipe: Efficient Training of Giant Neural Networks using Pipeline Parallelism},
  year={2018}, eprint={1811.06965v1}, archiveprefix={arXiv}}
@inproceedings{pub, author={Yanping Huang and Youlong Cheng}, title={{GPipe}: Efficient Training of Giant Neural Networks Using Pipeline Parallelism},
  booktitle={NeurIPS}, year={2019}, doi={10.5555/3454287.3454297}}
@misc{v5, title={whatever}, url={https://arxiv.org/pdf/1811.06965v5.pdf}}
@misc{m1, author={Shoeybi, Mohammad}, title={Megatron-LM: Training Multi-Billion Parameter Language Models Using Model Parallelism}, year={2019}, eprint={1909.08053}}
@inproceedings{m2, author={Narayanan, Deepak and Shoeybi, Mohammad}, title={Efficient Large-Scale Language Model Training on GPU Clusters Using Megatron-LM}, year={2021}, eprint={2104.04473}}
@inproceedings{p1, author={Mattson, Peter}, title={MLPerf Training Benchmark}, year={2020}}
@inproceedings{p2, author={Reddi, Vijay Janapa and Mattson, Peter}, title={MLPerf Inference Benchmark}, year={2020}}
""")
    report = import_bib(root, [str(src)])
    assert report.ok
    got = entries(root)
    assert len(got) == 5
    g = got["huang2018gpipe"]
    assert g["eprint"] == "1811.06965" and g["doi"] == "10.5555/3454287.3454297"  # both identifiers
    assert g["ids"] == "pre, pub, v5"
    assert {m.key: m.into for m in report.merged} == {"pub": "huang2018gpipe", "v5": "huang2018gpipe"}
    assert {"shoeybi2019megatron", "narayanan2021efficient", "mattson2020mlperf", "reddi2020mlperf"} <= set(got)


def test_reimport_into_default_project_merges_everything(tmp_path: Path) -> None:
    root = copy_default(tmp_path / "p")
    before = {p.name: p.read_bytes() for p in (root / "bib").iterdir()}
    report = import_bib(root, [str(root / "bib")])
    assert report.ok and not report.added and len(report.merged) == 60 + 1
    assert not report.written
    assert {p.name: p.read_bytes() for p in (root / "bib").iterdir()} == before


def test_dry_run_and_json_cli_and_subprocess(tmp_path: Path) -> None:
    root = empty_project(tmp_path / "p")
    src = write(tmp_path / "in.bib", "@misc{x, author={Doe, Jane}, title={A Title}, year={2001}}\n")
    r = CliRunner().invoke(main, ["--root", str(root), "import", "bib", str(src), "--dry-run", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["counts"]["added"] == 1 and data["dry_run"] and not data["written"]
    assert not (root / "bib" / "imported.bib").exists()
    bad = write(tmp_path / "bad.bib", "@misc{y, title={Foo}}, year={2020}}\n")
    p = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(root), "import", "bib", str(src), str(bad)],
                       capture_output=True, text=True)
    assert p.returncode == 1 and "extra '}'" in p.stdout and "nothing was written" in p.stderr
    p = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(root), "import", "bib", str(src)],
                       capture_output=True, text=True)
    assert p.returncode == 0 and "doe2001title" in (root / "bib" / "imported.bib").read_text()


def test_real_files(tmp_path: Path, shared_data: Path) -> None:
    root = empty_project(tmp_path / "p")
    ml = shared_data / "bib" / "ml-systems"
    report = import_bib(root, [str(ml)], keep_going=True)
    assert len(report.added) > 600
    # openmlsys has three entries broken by an extra brace: reported with file:line, not imported
    assert any("openmlsys-zh_mlsys.bib:225" in it.source for it in report.failed)
    assert all(":" in it.source for it in report.failed)
    # cryptobib: macros from another file, '#' concatenation, crossref inside the file
    crypto = shared_data / "bib" / "messy" / "cryptobib"
    report = import_bib(root, [str(crypto / "abbrev0.bib"), str(crypto / "crypto_conf_list.bib"),
                               str(crypto / "crypto_misc.bib")], dry_run=True)
    assert not report.failed, [str(i) for i in report.failed[:5]]
    latin = shared_data / "bib" / "messy" / "biber-tdata" / "encoding3.bib"
    report = import_bib(root, [str(latin)], dry_run=True)
    assert report.ok and report.warnings and "byte" in report.warnings[0].message
    gbk = shared_data / "bib" / "messy" / "python-bibtexparser-v2" / "gbk_test.bib"
    report = import_bib(root, [str(gbk)], dry_run=True)
    assert not report.ok and "not UTF-8 at byte" in report.failed[0].message


# ------------------------------------------------------------------ round trip (hypothesis)

_word = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzéöüßł"), min_size=1, max_size=8)
_name = st.builds(lambda f, last: f"{last.capitalize()}, {f.capitalize()}", _word, _word)
_title = st.lists(st.one_of(_word, st.sampled_from(["{GPU}", "&", "50%", "$x^2$", "Sch{\\\"o}n", "--", "C++"])),
                  min_size=1, max_size=6).map(" ".join)


@st.composite
def _entry(draw: st.DrawFn) -> dict[str, str]:
    e = {"title": draw(_title), "author": " and ".join(draw(st.lists(_name, min_size=1, max_size=3)))}
    if draw(st.booleans()):
        e["year"] = str(draw(st.integers(1950, 2030)))
    if draw(st.booleans()):
        e["doi"] = f"10.{draw(st.integers(1000, 99999))}/{draw(_word)}"
    if draw(st.booleans()):
        e["pages"] = f"{draw(st.integers(1, 99))}-{draw(st.integers(100, 200))}"
    return e


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_entry(), min_size=1, max_size=5))
def test_normalize_idempotent_and_export_import_export_identical(tmp_path_factory: pytest.TempPathFactory,
                                                                 generated: list[dict[str, str]]) -> None:
    for e in generated:
        once = normalize_entry(e)
        assert normalize_entry(once) == once
    base = tmp_path_factory.mktemp("rt")
    src = write(base / "gen.bib", "\n".join(
        f"@article{{g{i},\n" + "".join(f"  {k} = {{{v}}},\n" for k, v in e.items()) + "}\n"
        for i, e in enumerate(generated)))
    one = empty_project(base / "one")
    assert import_bib(one, [str(src)]).ok
    export1 = (one / "bib" / "imported.bib").read_bytes()
    two = empty_project(base / "two")
    assert import_bib(two, [str(one / "bib" / "imported.bib")]).ok
    assert (two / "bib" / "imported.bib").read_bytes() == export1


# ------------------------------------------------------------------ parallel reading


def _many_files(d: Path) -> list[str]:
    """Files that exercise what depends on order across files: a macro used before the file that
    defines it and redefined later, crossref to an entry of a later file, duplicates across files
    (merged into the first), colliding keys, broken and legacy-encoded files; plus bulk entries
    so the output spans several verification chunks."""
    files = [write(d / "00-uses.bib", """
@inproceedings{early, author = {Smith, Ann}, title = {Using a Macro Defined Later}, booktitle = conf, year = 2020}
@inproceedings{child, author = {Doe, Jo}, title = {Child of a Later Parent}, crossref = {parent}}
@article{dup1, author = {Lee, Kim}, title = {Same Paper Twice}, journal = {J}, year = 2019, doi = {10.1234/abc}}
@misc{notitle, author = {Nobody}}
"""), write(d / "01-strings.bib", '@string{conf = "Conference A"}\n@string{pre = "Proc. of "}\n'),
        write(d / "02-more.bib", """
@proceedings{parent, title = pre # {the Parent Conference}, year = 2021, publisher = {P}}
@article{dup2, author = {Lee, K.}, title = {Same Paper Twice, Published}, journal = {J2}, doi = {https://doi.org/10.1234/ABC}, pages = {1-2}}
@misc{bad, title = {Foo}}, year = {2020}}
@misc{clash1, author = {Smith, Ann}, title = {Using Things}, year = 2020}
@misc{clash2, author = {Smith, A.}, title = {Using Other Things}, year = 2020}
"""), write(d / "03-redefine.bib", '@string{conf = "Conference B"}\n'),
        write(d / "04-latin.bib", "@misc{lat, author = {M\xfcller, J\xfcrgen}, title = {\xdcber Alles}, year = 1999}\n"
              .encode("cp1252"))]
    for i in range(5):
        files.append(write(d / f"bulk{i}.bib", "".join(
            f"@article{{b{i}_{j}, author = {{Author{j % 37}, First and Second, S.}}, title = {{Bulk {{GPU}} Title {j}"
            f" -- {i}}}, journal = {{J. {j % 7}}}, year = {{{1990 + j % 30}}}, pages = {{{j}-{j + 9}}}}}\n"
            for j in range(450))))
    return [str(f) for f in files]


def test_parallel_reading_gives_the_same_file_and_report(tmp_path: Path) -> None:
    files = _many_files(tmp_path / "in")
    serial_root = empty_project(tmp_path / "serial")
    serial = import_bib(serial_root, files, keep_going=True, workers=1)
    assert len(serial.added) > 2000 and serial.failed and serial.merged and serial.warnings and serial.skipped
    text = (serial_root / "bib" / "imported.bib").read_bytes()
    e = entries(serial_root)
    assert e["smith2020using"]["booktitle"] == "Conference B"  # the later definition wins, for every file
    assert e["doe2021child"]["booktitle"] == "Proc. of the Parent Conference"
    assert "smith2020usingb" in e and "smith2020usingc" in e and e["lee2019same"]["pages"] == "1--2"
    parallel_root = empty_project(tmp_path / "parallel")
    parallel = import_bib(parallel_root, files, keep_going=True, workers=2)
    assert (parallel_root / "bib" / "imported.bib").read_bytes() == text
    assert parallel.to_dict() == serial.to_dict()
    # the environment variable forces the pool on the command line too (a real subprocess)
    cli_root = empty_project(tmp_path / "cli")
    p = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(cli_root), "import", "bib", *files,
                        "--keep-going", "--format", "json"], capture_output=True, text=True,
                       env={**os.environ, "READINGLIST_IMPORT_WORKERS": "2"})
    assert p.returncode == 1, p.stderr  # failures reported (exit 1), the rest written (--keep-going)
    assert (cli_root / "bib" / "imported.bib").read_bytes() == text
    assert json.loads(p.stdout)["counts"] == serial.to_dict()["counts"]


def test_workers_argument_wins_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `workers=` given: the reader must not consult READINGLIST_IMPORT_WORKERS (it once did, and
    # started a pool of one per core for `workers=1`)
    files = _many_files(tmp_path / "in")
    monkeypatch.setenv("READINGLIST_IMPORT_WORKERS", "not-a-number")
    with pytest.raises(Exception, match="READINGLIST_IMPORT_WORKERS"):
        import_bib(empty_project(tmp_path / "env"), files, keep_going=True)
    report = import_bib(empty_project(tmp_path / "arg"), files, keep_going=True, workers=1)
    assert len(report.added) > 2000


def _big_file(path: Path, n: int = 2400) -> Path:
    """One file over `PIECE_CHARS` (it is read in pieces), with duplicate keys far apart."""
    parts = [f"@inproceedings{{p{i},\n  author = {{Writer{i % 41}, Ann and Other, B.}},\n"
             f"  title = {{Piece {{GPU}} Paper Number {i} on Systems}},\n  booktitle = {{Proc. of Conf {i % 9}}},\n"
             f"  year = {1990 + i % 30},\n  pages = {{{i}--{i + 5}}},\n  note = {{padding {'x' * 60}}}\n}}\n\n"
             for i in range(n)]
    parts.insert(2000, "@misc{p3, title = {Repeat of an early key, late in the file}}\n\n")  # exact repeat
    parts.insert(2300, "@misc{P5, title = {Case-only repeat of an early key}}\n\n")
    parts.insert(1100, "% a comment line between entries\n@comment{jabref-meta: x;}\n\n")
    path.write_text("".join(parts), encoding="utf-8")
    return path


def test_a_large_file_is_read_in_pieces_like_a_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from readinglist.importers import bibtex as ib

    src = _big_file(tmp_path / "big.bib")
    assert src.stat().st_size > 2 * ib.PIECE_CHARS
    text = src.read_text(encoding="utf-8")
    pieces = ib.split_text(text)
    assert len(pieces) >= 2 and "".join(p for p, _ in pieces) == text
    for piece, line in pieces:
        assert text.count("\n", 0, text.index(piece)) + 1 == line and piece.startswith("@")
    results = {}
    for label, workers in (("pieces-1", 1), ("pieces-2", 2)):
        root = empty_project(tmp_path / label)
        results[label] = (import_bib(root, [str(src)], keep_going=True, workers=workers).to_dict(),
                          (root / "bib" / "imported.bib").read_bytes())
    monkeypatch.setattr(ib, "PIECE_CHARS", 1 << 40)  # the reference: the file parsed whole
    assert ib.split_text(text) == [(text, 1)]
    root = empty_project(tmp_path / "whole")
    whole = (import_bib(root, [str(src)], keep_going=True, workers=1).to_dict(), (root / "bib" / "imported.bib").read_bytes())
    assert results["pieces-1"] == whole and results["pieces-2"] == whole
    failed = {f["key"]: f["message"] for f in whole[0]["failed"]}
    assert "duplicate citation key" in failed["p3"] and "differs only in case" in failed["P5"]
    first, again = (text.count("\n", 0, text.index(k)) + 1 for k in ("{p3,", "{p3, title"))
    assert f"(at lines {first} and {again})" in failed["p3"]  # both places, wherever it is reported


def test_entries_formatted_in_the_pool_or_here_give_the_same_file(tmp_path: Path) -> None:
    # Entries holding `ids` (a file this tool wrote, imported again) get no lines made ahead, so
    # their chunks are formatted in the pool; a few such entries among made-ahead ones are
    # formatted here. Either way the file is the one a single process writes.
    from readinglist.bibwrite import POOL_CHUNK

    src = _big_file(tmp_path / "big.bib")
    text = src.read_text(encoding="utf-8")
    with_ids = re.sub(r"@inproceedings\{p(\d+),\n", lambda m: f"@inproceedings{{p{m.group(1)},\n  ids = {{old{m.group(1)}}},\n"
                      if int(m.group(1)) < 3 * POOL_CHUNK or int(m.group(1)) % 97 == 0 else m.group(0), text)
    src.write_text(with_ids, encoding="utf-8")
    out = {}
    for workers in (1, 2):
        root = empty_project(tmp_path / f"w{workers}")
        report = import_bib(root, [str(src)], keep_going=True, workers=workers)
        out[workers] = (report.to_dict(), (root / "bib" / "imported.bib").read_bytes())
    assert out[1] == out[2]
    assert b"  ids = {old5, p5},\n" in out[1][1] and b"  ids = {p4},\n" not in out[1][1]


def test_split_text_keeps_files_with_string_macros_whole() -> None:
    from readinglist.importers.bibtex import split_text

    body = "".join(f"@misc{{k{i}, title = {{T {i}}}, publisher = pub}}\n" for i in range(200))
    assert len(split_text(body, size=500)) > 5
    assert split_text("@String{pub = {P}}\n" + body, size=500) == [("@String{pub = {P}}\n" + body, 1)]
    # a cut is only ever made before a line that starts a block; an '@' inside a value is no cut
    tricky = "@misc{a, note = {x\n  @misc{not a cut}}}\n" * 50
    assert all(p.startswith("@misc{a,") for p, _ in split_text(tricky, size=100))


@pytest.mark.parametrize("workers", [1, 2])
def test_crossref_to_a_paper_parent_in_another_file(tmp_path: Path, workers: int) -> None:
    # The parent (@book, a paper itself) is normalized and formatted where it is read, and its raw
    # fields are then dropped; the child in another file still inherits them (read again).
    d = tmp_path / "in"
    d.mkdir()
    child = write(d / "a-child.bib", "@incollection{ch1, author = {Doe, Jo}, title = {A Chapter on {GPU} Systems},"
                                     " pages = {1-20}, crossref = {bigbook}}\n")
    parent = write(d / "b-parent.bib", "@book{bigbook, editor = {Roe, Rita}, title = {The Big Book of Systems},"
                                       " publisher = {Systems Press}, year = {2020}, address = {Boston}}\n")
    root = empty_project(tmp_path / "p")
    report = import_bib(root, [str(child), str(parent)], workers=workers)
    assert not report.failed, report.failed
    e = entries(root)
    ch = e["doe2020chapter"]
    assert ch["booktitle"] == "The Big Book of Systems" and ch["publisher"] == "Systems Press"
    assert ch["year"] == "2020" and ch["address"] == "Boston" and "crossref" not in ch
    assert e["roe2020big"]["title"] == "The Big Book of Systems"  # the parent is imported as itself too


def test_crossref_parents_of_a_file_in_pieces_keep_their_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A parent named from another piece of the same file keeps its raw fields where it is read,
    # so nothing is read again; a spelling `crossref_targets` does not look for (cRoSsReF) falls
    # back to reading the file again, with the same result.
    from readinglist.importers import bibtex as ib

    assert ib.crossref_targets("crossref = {BigBook},\n CROSSREF=\"b2\" xdata = x3") == {"bigbook", "b2", "x3"}
    filler = "".join(f"@misc{{f{i}, title = {{Filler Entry {i} of {'x' * 40}}}, year = 2001}}\n" for i in range(40))
    text = ("@book{bigbook, editor = {Roe, Rita}, title = {The Big Book of Systems}, publisher = {SP}, year = {2020}}\n"
            + filler + "@incollection{ch1, author = {Doe, Jo}, title = {A Chapter}, crossref = {bigbook}}\n"
            + "@book{odd, editor = {Poe, E.}, title = {The Odd Book}, year = {2019}}\n" + filler.replace("{f", "{g")
            + "@incollection{ch2, author = {Moe, Al}, title = {Another Chapter}, cRoSsReF = {odd}}\n")
    src = write(tmp_path / "one.bib", text)
    monkeypatch.setattr(ib, "PIECE_CHARS", 1000)
    assert len(ib.split_text(text)) > 3
    again: list[str] = []
    real = ib._FieldsAgain.__call__
    monkeypatch.setattr(ib._FieldsAgain, "__call__", lambda self, rec: (again.append(rec.key), real(self, rec))[1])
    root = empty_project(tmp_path / "p")
    report = import_bib(root, [str(src)], workers=1)
    assert not report.failed, report.failed
    assert again == ["odd"]
    e = entries(root)
    assert e["doe2020chapter"]["booktitle"] == "The Big Book of Systems"
    assert e["moe2019another"]["booktitle"] == "The Odd Book"


@pytest.mark.parametrize("workers", [1, 2])
def test_entries_planned_while_reading_report_as_after(tmp_path: Path, workers: int) -> None:
    # Entries are planned while later files are still read. A @proceedings read (and reported
    # skipped) before the file of its child still says its fields were inherited; entries'
    # failures keep input order; a field name holding a comment fails its entry only.
    d = tmp_path / "in"
    d.mkdir()
    files = [write(d / "a.bib", "@proceedings{conf21, title = {Proc. of Conf 21}, year = 2021, publisher = {P}}\n"
                                "@misc{weird, title = {W},\n% a comment inside\n  note = {n}}\n"),
             write(d / "b.bib", "@inproceedings{kid, author = {Doe, Jo}, title = {A Child Paper}, crossref = {conf21}}\n"
                                "@misc{broken, title = {B}}, year = {2020}}\n")]
    root = empty_project(tmp_path / "p")
    report = import_bib(root, [str(f) for f in files], keep_going=True, workers=workers)
    skipped = {i.key: i.message for i in report.skipped}
    assert skipped["conf21"] == "@proceedings is not a paper (its fields were inherited through crossref)"
    assert [i.key for i in report.failed] == ["weird", "broken"]  # entries' failures in input order
    assert "is not a BibTeX field name" in report.failed[0].message
    e = entries(root)
    assert e["doe2021child"]["booktitle"] == "Proc. of Conf 21" and "weird" not in str(e)


# The CVPR author kit's main.bib (and many files derived from it) defines each journal macro twice,
# long names first and short ones after: BibTeX uses the later definition, with a warning.
_REDEFINED = """\
@String(PAMI = {IEEE Trans. Pattern Anal. Mach. Intell.})
@String(CVPR= {IEEE Conf. Comput. Vis. Pattern Recog.})

@String(PAMI  = {IEEE TPAMI})
@String(CVPR  =\t{CVPR})

@inproceedings{he2016deep,
  title={Deep residual learning for image recognition},
  author={He, Kaiming and Zhang, Xiangyu and Ren, Shaoqing and Sun, Jian},
  booktitle=CVPR,
  year={2016}
}
"""


@pytest.mark.parametrize("text", [_REDEFINED, _REDEFINED.replace("@String(", "@String{").replace("})", "}}")],
                         ids=["parens", "braces"])
def test_a_macro_defined_again_is_used_as_bibtex_uses_it_with_a_warning(tmp_path: Path, text: str) -> None:
    root = empty_project(tmp_path / "p")
    src = write(tmp_path / "main.bib", text)
    r = import_bib(root, [str(src)])  # no --keep-going: a redefinition is not a failure
    assert (r.counts()["added"], r.failed) == (1, [])
    assert [w.message for w in r.warnings] == [
        "2 @string macro(s) defined twice (PAMI at lines 1 and 4; CVPR at lines 2 and 5): "
        "the later definition is used, as BibTeX does"]
    assert r.warnings[0].source == str(src)
    paper = read_bib(root / "bib" / "imported.bib").papers[0]
    assert paper.fields["booktitle"] == "CVPR"


def test_a_shared_url_does_not_merge_works_with_other_titles(tmp_path: Path) -> None:
    # real cases: a book's chapters cited with the book's page; a tool and its marketplace with
    # one repository. The same URL still merges a title-less reading or a longer title of the work.
    root = empty_project(tmp_path / "p")
    src = write(tmp_path / "a.bib", """\
@incollection{a08, title = {Water Distribution Control by Reinforcement Learning}, author = {Abol, P.},
  year = {2008}, url = {https://www.intechopen.com/books/reinforcement_learning}}
@incollection{b08, title = {Genetics-Based Reinforcement Learning}, author = {Browne, W.},
  year = {2008}, url = {https://www.intechopen.com/books/reinforcement_learning/}}
@misc{openclaw, title = {{OpenClaw}}, author = {{OpenClaw Contributors}}, year = {2026},
  url = {https://github.com/openclaw/openclaw}}
@misc{clawhub, title = {{ClawHub}: Open Skill Marketplace}, author = {{ClawHub}}, year = {2026},
  url = {https://github.com/openclaw/openclaw}}
@article{roofline, title = {Roofline: An Insightful Visual Performance Model for Multicore Architectures},
  author = {Williams, Samuel}, year = {2009}, url = {https://example.org/roofline.pdf}}
@techreport{roofline08, title = {Roofline: An Insightful Visual Performance Model for Floating-Point Programs
  and Multicore Architectures}, author = {Williams, S.}, year = {2008}, url = {https://example.org/roofline.pdf}}
""")
    r = import_bib(root, [str(src)])
    assert r.counts()["added"] == 5
    assert [(m.key, m.into, m.reason) for m in r.merged] == [("roofline08", "williams2009roofline", "URL example.org/roofline.pdf")]
