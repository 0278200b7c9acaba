"""Across courses: `readinglist compare` and `gaps --against` on hand-made courses and real syllabi."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from readinglist.cli import main

REPO = Path(__file__).resolve().parents[1]

BIB = "\n".join(
    f"@inproceedings{{{k}, author = {{Doe, Jo}}, title = {{{t}}}, booktitle = {{OSDI}}, venue = {{OSDI}}, "
    f"year = {{2020}}, url = {{https://example.org/{k}}}}}"
    for k, t in [("a", "Paper A"), ("b", "Paper B"), ("c", "Paper C"), ("d", "Paper D"), ("e", "Paper E"),
                 ("s1", "A prediction serving system"), ("s2", "Serving at scale")])

TOPICS = """
version: 1
areas:
  - {id: serving, title: Model serving, keywords: [serving, prediction serving]}
  - {id: training, title: Training, keywords: [training]}
courses:
  - id: me
    title: Me
    term: Fall 2022
    topics:
      - id: w1
        title: Training week
        readings:
          - {paper: a, role: required}
          - {paper: b, role: required}
  - id: x
    title: X
    term: Fall 2021
    topics:
      - id: w1
        title: Training
        readings:
          - {paper: a, role: required}
          - {paper: c, role: required}
          - {paper: d, role: optional}
      - id: w2
        title: Prediction Serving
        readings:
          - {paper: s1, role: required}
          - {paper: s2, role: optional}
  - id: y
    title: Y
    term: Fall 2021
    topics:
      - id: w1
        title: Basics
        readings:
          - {paper: c, role: optional}
          - {paper: d, role: optional}
          - {paper: e, role: required}
  - id: z
    title: Z
    term: Fall 2021
    topics:
      - id: w1
        title: Basics
        readings:
          - {paper: d, role: required}
          - {paper: c, role: optional}
"""


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    (root / "bib").mkdir(parents=True)
    (root / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    (root / "bib" / "x.bib").write_text(BIB, encoding="utf-8")
    return root


def cmp_json(root: Path, *args: str) -> dict[str, Any]:
    r = CliRunner().invoke(main, ["--root", str(root), "compare", *args, "--format", "json"])
    assert r.exit_code == 0, r.output
    return dict(json.loads(r.output))


def test_co_assignment_ranking(proj: Path) -> None:
    res = cmp_json(proj, "me")
    assert res["others"] == ["x", "y", "z"]
    ranked = [(r["paper"], r["courses"], r["required_in"]) for r in res["co_assigned"]]
    # c and d: 3 courses each; d is required in one, c in one (x) -> tie broken by key; then 1-course papers
    assert ranked[:2] == [("c", 3, 1), ("d", 3, 1)]
    assert {p for p, *_ in ranked[2:]} == {"e", "s1", "s2"}
    assert ranked[2][0] in {"e", "s1"}  # required ones before s2 (optional only)
    assert ranked[-1] == ("s2", 1, 0)
    assert "a" not in {p for p, *_ in ranked}  # me assigns it
    res2 = cmp_json(proj, "me", "--min-courses", "2")
    assert [r["paper"] for r in res2["co_assigned"]] == ["c", "d"]


def test_missing_areas_and_overlap(proj: Path) -> None:
    res = cmp_json(proj, "me", "x", "y")
    assert res["missing_areas"] == [{"area": "serving", "title": "Model serving", "covered_by": ["x"], "courses": 1}]
    cell = {(r["a"], r["b"]): r for r in res["overlap"]}
    assert cell[("me", "x")] == {"a": "me", "b": "x", "shared": 1, "jaccard": round(1 / 6, 4)}
    assert cell[("me", "me")]["jaccard"] == 1.0
    assert cell[("x", "y")]["shared"] == 2 and cell[("y", "x")]["shared"] == 2
    assert res["coverage"]["x"] == {"training": "required", "serving": "required"}


def test_compare_table_and_subprocess(proj: Path) -> None:
    r = CliRunner().invoke(main, ["--root", str(proj), "compare", "me", "--min-courses", "2"])
    assert r.exit_code == 0
    assert "Papers at least 2 of 3 other course(s) assign and me does not" in r.output
    assert "1/0.17" in r.output  # me vs x overlap cell
    p = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(proj), "gaps", "--course", "me",
                        "--against", "x", "--against", "y", "--format", "json"], capture_output=True, text=True, check=True)
    found = json.loads(p.stdout)
    co = [f["papers"][0] for f in found if f["kind"] == "co-assigned-missing"]
    assert co == ["c", "d"]  # default co_assignment_min_courses 2
    unc = [f for f in found if f["kind"] == "area-uncovered"]
    assert [(f["area"], f["data"]["covered_by"]) for f in unc] == [("serving", ["x"])]


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["nosuch"], "unknown course 'nosuch'", id="unknown_course"),
    pytest.param(["me", "nosuch"], "unknown course 'nosuch'", id="unknown_other"),
    pytest.param(["me", "me"], "the course itself", id="self"),
    pytest.param(["me", "--min-courses", "0"], "0 is not in the range x>=1", id="min_courses_zero"),
])
def test_compare_bad_input(proj: Path, args: list[str], message: str) -> None:
    r = CliRunner().invoke(main, ["--root", str(proj), "compare", *args])
    assert r.exit_code != 0 and message in r.output and "Traceback" not in r.output


def test_compare_single_course_project(proj: Path) -> None:
    text = (proj / "topics.yaml").read_text()
    (proj / "topics.yaml").write_text(text.split("  - id: x\n")[0])
    r = CliRunner().invoke(main, ["--root", str(proj), "compare", "me"])
    assert r.exit_code == 1 and "the project has one course" in r.output


def test_real_syllabi(tmp_path: Path, shared_data: Path) -> None:
    """The real CS294 Spring 2019 and UMich EECS 598 syllabi imported beside the default courses."""
    pytest.importorskip("readinglist.importers.syllabus", reason="the syllabus importer has not landed yet")
    root = tmp_path / "real"
    root.mkdir()
    shutil.copy(REPO / "topics.yaml", root / "topics.yaml")
    shutil.copytree(REPO / "bib", root / "bib")
    syl = shared_data / "syllabi"
    for path, cid, term in ((syl / "ucbrise-cs294-ai-sys-sp19" / "index.md", "cs294-sp19", "Spring 2019"),
                            (syl / "umich-eecs598-systems-for-ai-w21" / "README.md", "umich-598-w21", "Winter 2021")):
        p = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(root), "import", "syllabus", str(path),
                            "--course", cid, "--term", term, "--keep-going"], capture_output=True, text=True)
        assert "Traceback" not in p.stderr, p.stderr
    res = cmp_json(root, "cs294-sp22", "cs294-sp19", "umich-598-w21")
    cell = {(r["a"], r["b"]): r for r in res["overlap"]}
    for a in ("cs294-sp22", "cs294-sp19", "umich-598-w21"):
        assert cell[(a, a)]["jaccard"] == 1.0 or cell[(a, a)]["shared"] == 0
        for b in ("cs294-sp22", "cs294-sp19", "umich-598-w21"):
            assert cell[(a, b)] == dict(cell[(b, a)], a=a, b=b)
            assert 0.0 <= cell[(a, b)]["jaccard"] <= 1.0
    # the two CS294 offerings share papers (e.g. TensorFlow, TVM)
    assert cell[("cs294-sp22", "cs294-sp19")]["shared"] > 0
    counts = [r["courses"] for r in res["co_assigned"]]
    assert counts == sorted(counts, reverse=True)
    conn = sqlite3.connect(root / ".readinglist" / "readinglist.db")
    sp22 = {k for (k,) in conn.execute("SELECT paper_key FROM readings WHERE course_id = 'cs294-sp22'")}
    conn.close()
    assert sp22
    assert not sp22 & {r["paper"] for r in res["co_assigned"]}
    # sp19 had a prediction-serving week; sp22 has none
    serving = [r for r in res["missing_areas"] if r["area"] == "model-serving"]
    assert serving and "cs294-sp19" in serving[0]["covered_by"]
    found = json.loads(CliRunner().invoke(main, ["--root", str(root), "gaps", "--course", "cs294-sp22", "--against",
                                                 "cs294-sp19", "--against", "umich-598-w21", "--format", "json"]).output)
    assert any(f["kind"] == "area-uncovered" and f["area"] == "model-serving" for f in found)


def test_co_assigned_paper_suggests_the_matching_topic(tmp_path: Path) -> None:
    """A paper two other courses assign is suggested for the topic that shares its area,
    or flagged as needing a topic when none does; k defaults to 2 of the others."""
    from readinglist import open_project
    from readinglist.gaps import find_gaps

    from .helpers import mini_project

    topics = """\
version: 1
courses:
  - id: mine
    title: Mine
    term: Fall 2024
    topics:
      - id: train
        title: Distributed training
        readings:
          - paper: a2020alpha
            role: required
  - id: b
    title: B
    term: Fall 2023
    topics:
      - id: x
        title: X
        readings:
          - paper: p2019pipe
            role: required
          - paper: s2017serve
            role: required
          - paper: o2018once
            role: required
  - id: c
    title: C
    term: Fall 2023
    topics:
      - id: y
        title: Y
        readings:
          - paper: p2019pipe
            role: optional
          - paper: s2017serve
            role: required
areas:
  - id: distributed-training
    title: Distributed training
    keywords: [distributed training, pipeline parallel]
  - id: model-serving
    title: Serving
    keywords: [prediction serving]
"""
    bib = "".join(
        f"@inproceedings{{{k}, title={{{t}}}, author={{Doe, J.}}, booktitle={{OSDI}}, year={{{y}}}, url={{https://x.org/{k}}}}}\n"
        for k, t, y in [("a2020alpha", "Alpha for distributed training", 2020), ("p2019pipe", "Pipeline parallel training", 2019),
                        ("s2017serve", "A prediction serving system", 2017), ("o2018once", "Only once", 2018)])
    proj = open_project(mini_project(tmp_path / "p", topics=topics, bib=bib))
    proj.build()
    with proj.store() as db:
        found = {f.papers[0]: f for f in find_gaps(db, "mine", against=["b", "c"]) if f.kind == "co-assigned-missing"}
    assert set(found) == {"p2019pipe", "s2017serve"}  # o2018once: only 1 of 2 assign it
    assert "mine/train" in found["p2019pipe"].suggestion
    assert "no topic of mine covers its area(s) model-serving" in found["s2017serve"].suggestion
