"""Imports that merge into entries already in the project: those entries gain the identifiers
(DOI, arXiv id) and the record's key as an alias in `ids`, in their own .bib file, all or nothing."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from readinglist.bibfile import read_bib
from readinglist.cli import main
from readinglist.importers.bibtex import import_bib, restored_on_error
from readinglist.importers.syllabus import import_syllabus
from readinglist.project import Project

from .helpers import MINI_BIB, mini_project

GPIPE = r"""@misc{huang2018gpipe,
  author = {Huang, Yanping and Cheng, Youlong},
  title = {GPipe: Efficient Training of Giant Neural Networks using Pipeline Parallelism},
  year = {2018},
  eprint = {1811.06965},
  archiveprefix = {arXiv},
  venue = {arXiv}
}
"""
MEGATRON = r"""@inproceedings{narayanan2021efficient,
  author = {Narayanan, Deepak and Shoeybi, Mohammad},
  title = {Efficient Large-Scale Language Model Training on {GPU} Clusters Using {Megatron-LM}},
  booktitle = {SC},
  year = {2021},
  doi = {10.1145/3458817.3476209}
}
"""
# kept in another file, with per-field provenance and a curated list
OTHER = r"""% hand-kept entries
@article{jones2019beta,
  author = {Jones, Kim},
  title = {Beta: Another System},
  journal = {Journal of Systems},
  year = {2019},
  fieldsource = {journal: dblp 2026-01-02},
  curated = {doi}
}
"""

PUBLISHED_GPIPE = r"""@inproceedings{pub,
  author = {Yanping Huang and Youlong Cheng},
  title = {{GPipe}: Efficient Training of Giant Neural Networks Using Pipeline Parallelism},
  booktitle = {Advances in Neural Information Processing Systems}, year = {2019},
  doi = {https://doi.org/10.5555/3454287.3454297}}
"""
ARXIV_MEGATRON = r"""@misc{Narayanan:arxiv,
  author = {Narayanan, Deepak}, year = {2021},
  title = {Efficient Large-Scale Language Model Training on GPU Clusters Using Megatron-LM},
  eprint = {2104.04473v5}, archivePrefix = {arXiv}, primaryClass = {cs.CL}}
"""


def project(tmp_path: Path) -> Path:
    root = mini_project(tmp_path / "p", bib=MINI_BIB + "\n" + GPIPE + "\n" + MEGATRON)
    (root / "bib" / "other.bib").write_text(OTHER, encoding="utf-8")
    return root


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def bib_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "bib").rglob("*"))}


def fields(root: Path, key: str) -> dict[str, str]:
    for f in sorted((root / "bib").glob("*.bib")):
        res = read_bib(f)
        assert not res.problems
        for p in res.papers:
            if p.key == key:
                return p.fields
    raise KeyError(key)


def test_preprint_in_project_gains_doi_and_alias_from_published_record(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = bib_bytes(root)
    src = write(tmp_path / "in.bib", PUBLISHED_GPIPE)
    report = import_bib(root, [str(src)])
    assert report.ok and not report.added and report.written == ["bib/refs.bib"]
    [m] = report.merged
    assert m.into == "huang2018gpipe" and m.added == ["doi", "ids"]
    assert m.message.startswith("same paper as huang2018gpipe (same title") and m.message.endswith("; added doi, ids")
    g = fields(root, "huang2018gpipe")
    assert g["doi"] == "10.5555/3454287.3454297" and g["eprint"] == "1811.06965" and g["ids"] == "pub"
    # identifiers only: venue, year, title stay as they were (enrich's job)
    assert g["year"] == "2018" and g["venue"] == "arXiv" and "booktitle" not in g
    assert g["title"] == "GPipe: Efficient Training of Giant Neural Networks using Pipeline Parallelism"
    after = bib_bytes(root)
    assert after["bib/other.bib"] == before["bib/other.bib"] and "bib/imported.bib" not in after
    text = after["bib/refs.bib"].decode()
    assert MINI_BIB in text and MEGATRON in text  # the other entries' bytes are untouched
    assert Project(root).load().papers["huang2018gpipe"].fields["doi"] == "10.5555/3454287.3454297"


def test_published_in_project_gains_eprint_from_arxiv_record(tmp_path: Path) -> None:
    root = project(tmp_path)
    report = import_bib(root, [str(write(tmp_path / "in.bib", ARXIV_MEGATRON))])
    assert report.ok and [m.added for m in report.merged] == [["eprint", "archiveprefix", "primaryclass", "ids"]]
    n = fields(root, "narayanan2021efficient")
    assert (n["eprint"], n["archiveprefix"], n["primaryclass"]) == ("2104.04473", "arXiv", "cs.CL")
    assert n["ids"] == "Narayanan:arxiv" and n["doi"] == "10.1145/3458817.3476209"
    assert "fieldsource" not in n  # an entry without per-field provenance does not start one


def test_curated_fields_are_not_touched_and_fieldsource_records_the_import(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = bib_bytes(root)
    src = write(tmp_path / "beta records.bib", r"""
@article{b1, author = {Jones, K.}, title = {Beta: Another System}, journal = {JoS}, year = {2019}, doi = {10.1000/beta}}
""")
    report = import_bib(root, [str(src)])
    [m] = report.merged
    assert m.added == ["ids"] and m.message.endswith("; added ids")  # `curated = {doi}`: no DOI
    b = fields(root, "jones2019beta")
    assert "doi" not in b and b["ids"] == "b1" and b["journal"] == "Journal of Systems"
    assert b["fieldsource"] == "journal: dblp 2026-01-02"  # ids are not a source's field
    assert bib_bytes(root)["bib/refs.bib"] == before["bib/refs.bib"]
    # an arXiv record: the eprint is recorded in fieldsource, in enrich's form
    src2 = write(tmp_path / "beta arxiv.bib", r"""
@misc{b2, author = {Jones, Kim}, title = {Beta: Another System}, year = {2019}, eprint = {1905.00001}}
""")
    report = import_bib(root, [str(src2)])
    assert [m.added for m in report.merged] == [["eprint", "archiveprefix", "ids"]]
    today = datetime.date.today().isoformat()
    b = fields(root, "jones2019beta")
    assert b["eprint"] == "1905.00001" and b["ids"] == "b1, b2"
    assert b["fieldsource"] == (f"archiveprefix: import:beta_arxiv.bib {today}; "
                                f"eprint: import:beta_arxiv.bib {today}; journal: dblp 2026-01-02")
    assert (root / "bib" / "other.bib").read_text().startswith("% hand-kept entries\n@article{jones2019beta,")


def test_curated_ids_and_identifiers_leave_the_entry_as_is(tmp_path: Path) -> None:
    root = mini_project(tmp_path / "p", bib=MINI_BIB.replace("  year = {2020},", "  year = {2020},\n  curated = {doi, eprint, ids},"))
    before = bib_bytes(root)
    src = write(tmp_path / "in.bib", "@misc{a1, author={Smith, J.}, title={Alpha: A System}, year={2020},"
                                     " doi={10.1000/alpha}, eprint={2001.01234}}\n")
    report = import_bib(root, [str(src)])
    [m] = report.merged
    assert m.added == [] and m.message.endswith("; existing entry kept as is")
    assert not report.written and bib_bytes(root) == before


def test_an_alias_that_is_a_key_elsewhere_in_the_project_is_not_added(tmp_path: Path) -> None:
    root = project(tmp_path)
    # the record's key is another entry's key: it merges (by arXiv id) but cannot become an alias
    src = write(tmp_path / "in.bib", "@misc{smith2020alpha, title={GPipe}, eprint={1811.06965}, doi={10.1000/gpipe}}\n")
    report = import_bib(root, [str(src)])
    [m] = report.merged
    assert m.into == "huang2018gpipe" and m.added == ["doi"]
    assert "ids" not in fields(root, "huang2018gpipe")


def test_dry_run_reports_the_additions_and_writes_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = bib_bytes(root)
    src = write(tmp_path / "in.bib", PUBLISHED_GPIPE + ARXIV_MEGATRON + "@misc{new1, author={Doe, Jane}, title={Something New}, year={2001}}\n")
    report = import_bib(root, [str(src)], dry_run=True)
    assert report.ok and report.dry_run and not report.written and len(report.added) == 1
    assert [m.added for m in report.merged] == [["doi", "ids"], ["eprint", "archiveprefix", "primaryclass", "ids"]]
    assert bib_bytes(root) == before


def test_failure_without_keep_going_writes_neither_file(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = bib_bytes(root)
    src = write(tmp_path / "in.bib", PUBLISHED_GPIPE + "@misc{new1, author={Doe, Jane}, title={Something New}, year={2001}}\n"
                + "@misc{bad, title={Foo}}, year={2020}}\n")
    report = import_bib(root, [str(src)])
    assert not report.ok and not report.written and report.merged[0].added == ["doi", "ids"]
    assert bib_bytes(root) == before
    # --keep-going writes the rest: the existing entry's file and the new entries' file
    report = import_bib(root, [str(src)], keep_going=True)
    assert not report.ok and report.written == ["bib/refs.bib", "bib/imported.bib"]
    assert fields(root, "huang2018gpipe")["ids"] == "pub" and fields(root, "doe2001something")


def test_reimport_is_a_no_op(tmp_path: Path) -> None:
    root = project(tmp_path)
    src = write(tmp_path / "in.bib", PUBLISHED_GPIPE + ARXIV_MEGATRON
                + "@misc{new1, author={Doe, Jane}, title={Something New}, year={2001}, doi={10.1/new}}\n")
    first = import_bib(root, [str(src)])
    assert first.ok and first.written == ["bib/refs.bib", "bib/imported.bib"]
    after_first = bib_bytes(root)
    second = import_bib(root, [str(src)])
    assert second.ok and not second.written and not second.added
    assert [m.added for m in second.merged] == [[], [], []]  # new1 is an existing entry now
    assert all(m.message.endswith("existing entry kept as is") for m in second.merged)
    assert bib_bytes(root) == after_first
    # importing the project's own files adds nothing either
    third = import_bib(root, [str(root / "bib")])
    assert third.ok and not third.written and bib_bytes(root) == after_first


def test_two_records_into_one_entry_both_contribute(tmp_path: Path) -> None:
    root = mini_project(tmp_path / "p")
    src = write(tmp_path / "in.bib", r"""
@inproceedings{a1, author={Smith, Jane}, title={Alpha: A System}, booktitle={OSDI}, year={2020}, doi={10.1000/alpha}}
@misc{a2, author={Smith, J.}, title={Alpha: a system}, year={2020}, doi={10.1000/ALPHA}, eprint={2001.01234}, primaryclass={cs.DC}}
@misc{a3, author={Smith, Jane}, title={Alpha: A System}, year={2020}, eprint={2001.01234v2}, primaryclass={cs.OS}}
""")
    report = import_bib(root, [str(src)])
    assert report.ok and not report.added
    assert [(m.key, m.into, m.added) for m in report.merged] == [
        ("a1", "smith2020alpha", ["doi", "ids"]),
        ("a2", "smith2020alpha", ["eprint", "archiveprefix", "primaryclass", "ids"]),
        ("a3", "smith2020alpha", ["ids"]),  # matched by the eprint a2 gave; first wins per field
    ]
    assert "DOI 10.1000/alpha" in report.merged[1].message and "arXiv id 2001.01234" in report.merged[2].message
    a = fields(root, "smith2020alpha")
    assert (a["doi"], a["eprint"], a["primaryclass"], a["ids"]) == ("10.1000/alpha", "2001.01234", "cs.DC", "a1, a2, a3")


def test_existing_entry_in_the_target_file_and_new_entries_together(tmp_path: Path) -> None:
    # the merged-into entry lives in bib/imported.bib itself: updated there, then new entries appended
    root = mini_project(tmp_path / "p")
    (root / "bib" / "refs.bib").rename(root / "bib" / "imported.bib")
    src = write(tmp_path / "in.bib", "@misc{a1, author={Smith, J.}, title={Alpha: A System}, year={2020}, doi={10.1000/alpha}}\n"
                "@misc{new1, author={Doe, Jane}, title={Something New}, year={2001}}\n")
    report = import_bib(root, [str(src)])
    assert report.ok and report.written == ["bib/imported.bib"]
    got = {p.key: p.fields for p in read_bib(root / "bib" / "imported.bib").papers}
    assert got["smith2020alpha"]["doi"] == "10.1000/alpha" and got["doe2001something"]["ids"] == "new1"


def test_restored_on_error_puts_every_file_back(tmp_path: Path) -> None:
    a = write(tmp_path / "a.bib", "old a\n")
    b = tmp_path / "b.bib"  # absent before
    with pytest.raises(RuntimeError), restored_on_error([a, b]):
        a.write_text("new a\n")
        b.write_text("new b\n")
        raise RuntimeError("the second write failed")
    assert a.read_text() == "old a\n" and not b.exists()


PAGE = """# Course Two

## Week 1: Systems

- [Alpha: A System](https://arxiv.org/abs/2001.01234v2)
- [GPipe: Efficient Training of Giant Neural Networks using Pipeline Parallelism](https://doi.org/10.5555/3454287.3454297)
- [Something Entirely New](https://arxiv.org/abs/2101.00010)
"""


def test_syllabus_link_adds_its_identifier_to_the_entry_matched_by_title(tmp_path: Path) -> None:
    root = project(tmp_path)
    page = write(tmp_path / "index.md", PAGE)
    before = bib_bytes(root)
    dry = import_syllabus(root, str(page), course_id="c2", dry_run=True)
    assert [m.added for m in dry.merged] == [["eprint", "archiveprefix"], ["doi"]] and bib_bytes(root) == before
    report = import_syllabus(root, str(page), course_id="c2")
    assert report.ok and report.written == ["bib/refs.bib", "bib/c2.bib", "topics.yaml"]
    assert report.merged[0].message == "'Alpha: A System' is smith2020alpha (same title); added eprint, archiveprefix"
    a, g = fields(root, "smith2020alpha"), fields(root, "huang2018gpipe")
    assert (a["eprint"], a["archiveprefix"]) == ("2001.01234", "arXiv") and "ids" not in a
    assert g["doi"] == "10.5555/3454287.3454297" and "ids" not in g
    cat = Project(root).load()
    course = cat.course("c2")
    assert course is not None
    assert [r.paper for r in course.topics[0].readings][:2] == ["smith2020alpha", "huang2018gpipe"]


def test_cli_and_subprocess_report_the_added_fields(tmp_path: Path) -> None:
    root = project(tmp_path)
    src = write(tmp_path / "in.bib", PUBLISHED_GPIPE)
    r = CliRunner().invoke(main, ["--root", str(root), "import", "bib", str(src), "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "same paper as huang2018gpipe (same title, overlapping authors, year within one); added doi, ids" in r.output
    assert "doi" not in fields(root, "huang2018gpipe")
    p = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(root), "import", "bib", str(src),
                        "--format", "json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["merged"][0]["added"] == ["doi", "ids"] and data["merged"][0]["into"] == "huang2018gpipe"
    assert data["written"] == ["bib/refs.bib"]
    assert fields(root, "huang2018gpipe")["doi"] == "10.5555/3454287.3454297"
    p = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(root), "import", "bib", str(src),
                        "--format", "json"], capture_output=True, text=True)
    data = json.loads(p.stdout)
    assert p.returncode == 0 and data["merged"][0]["added"] == [] and data["written"] == []
