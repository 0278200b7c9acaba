"""`readinglist gaps`: findings on the embedded default and on small hand-made projects."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from readinglist.cli import main
from readinglist.gaps import check_claim, gap_config

REPO = Path(__file__).resolve().parents[1]
FIELDS = {"kind", "severity", "course", "topic", "area", "papers", "message", "suggestion", "data"}


def run(root: Path, *args: str) -> Any:
    r = CliRunner().invoke(main, ["--root", str(root), *args])
    return r


def gaps_json(root: Path, *args: str) -> list[dict[str, Any]]:
    r = run(root, "gaps", "--format", "json", *args)
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    for f in data:
        assert set(f) == FIELDS
    return data


@pytest.fixture
def default(tmp_path: Path) -> Path:
    root = tmp_path / "default"
    root.mkdir()
    shutil.copy(REPO / "topics.yaml", root / "topics.yaml")
    shutil.copytree(REPO / "bib", root / "bib")
    return root


def test_cs294_findings(default: Path) -> None:
    found = gaps_json(default, "--course", "cs294-sp22")
    by = {(f["kind"], f["area"] or ",".join(f["papers"]) or f["topic"]): f for f in found}
    serving = by[("area-uncovered", "model-serving")]
    assert serving["severity"] == "high"
    assert {"gatech-cs8803-smr", "lecture-schedule-004"} <= set(serving["data"]["covered_by"])
    assert ("area-uncovered", "distributed-training") not in by
    for key, text in (("kraska2018case", "ICMD"), ("chen2016eyeriss", "ISCA"), ("keskar2017largebatch", "2016 vs 2017")):
        assert text in by[("claim-mismatch", key)]["message"]
    assert ("claim-mismatch", "narayanan2021efficient") not in by  # "SC’21" agrees
    assert ("claim-mismatch", "micikevicius2018mixed") not in by   # "ICLR’18" agrees
    sessions = {f["topic"] for f in found if f["kind"] == "session-no-readings"}
    assert sessions == {"holiday", "spring-break", "project-proposals", "project-presentations", "rrr-week"}
    assert all(f["severity"] == "info" for f in found if f["kind"] == "session-no-readings")
    assert not [f for f in found if f["kind"] == "topic-no-readings"]
    assert ("preprint-only", "kaplan2020scaling") in by


def test_table_markdown_and_subprocess(default: Path) -> None:
    r = run(default, "gaps", "--course", "cs294-sp22", "--severity", "high")
    assert r.exit_code == 0 and "model-serving" in r.output and "session-no-readings" not in r.output
    r = run(default, "gaps", "--course", "cs294-sp22", "--format", "markdown")
    assert r.output.startswith("| severity | kind |") and "| high | area-uncovered | cs294-sp22 |" in r.output
    p = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(default), "gaps", "--course",
                        "umass-692f", "--format", "json"], capture_output=True, text=True, check=True)
    kinds = {f["kind"] for f in json.loads(p.stdout)}
    assert "course-no-readings" in kinds and "topic-no-readings" not in kinds


def test_course_without_year_and_topic_filter(default: Path) -> None:
    found = gaps_json(default, "--course", "lecture-schedule-004")
    assert [f for f in found if f["kind"] == "course-no-year"]
    found = gaps_json(default, "--course", "cs294-sp22", "--topic", "hardware")
    assert found and all(f["topic"] == "hardware" for f in found)


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["--course", "nosuch"], "unknown course 'nosuch'", id="unknown_course"),
    pytest.param(["--course", "CS294-SP22"], "did you mean 'cs294-sp22'", id="course_case_hint"),
    pytest.param(["--course", "cs294-sp22", "--topic", "nosuch"], "unknown topic 'nosuch' in course cs294-sp22",
                 id="unknown_topic"),
    pytest.param(["--topic", "hardware"], "--topic needs --course", id="topic_without_course"),
    pytest.param(["--against", "umass-692s"], "--against needs --course", id="against_without_course"),
    pytest.param(["--course", "cs294-sp22", "--against", "cs294-sp22"], "names the course itself", id="against_self"),
    pytest.param(["--course", "cs294-sp22", "--against", "nope"], "unknown course 'nope'", id="unknown_against"),
])
def test_bad_input(default: Path, args: list[str], message: str) -> None:
    r = run(default, "gaps", *args)
    assert r.exit_code == 1
    assert message in r.output
    assert "Traceback" not in r.output


BIB = """
@inproceedings{old1999a, author = {Smith, Ann}, title = {Old systems A}, booktitle = {OSDI}, venue = {OSDI},
  year = {1999}, pages = {1--40}, url = {https://example.org/a}}
@inproceedings{old2000b, author = {Smith, Ann}, title = {Old systems B}, booktitle = {OSDI}, venue = {OSDI},
  year = {2000}, pages = {1--90}, url = {https://example.org/b}}
@misc{pre2020x, author = {Lee, Bo}, title = {A Serving System}, year = {2020}, eprint = {2001.00001},
  archiveprefix = {arXiv}, venue = {arXiv}, url = {https://arxiv.org/abs/2001.00001}}
@inproceedings{pub2021x, author = {Lee, Bo}, title = {A Serving System}, booktitle = {NSDI}, venue = {NSDI},
  year = {2021}, url = {https://example.org/x}}
@misc{bare2020, title = {No metadata at all}}
@inproceedings{c1, author = {Smith, Ann}, title = {Paper c1}, venue = {OSDI}, year = {2020}, url = {https://e.org/1}}
@inproceedings{c2, author = {Smith, Ann}, title = {Paper c2}, venue = {OSDI}, year = {2020}, url = {https://e.org/2}}
@inproceedings{c3, author = {Smith, Ann}, title = {Paper c3}, venue = {OSDI}, year = {2020}, url = {https://e.org/3}}
@inproceedings{c4, author = {Smith, Ann}, title = {Paper c4}, venue = {OSDI}, year = {2020}, url = {https://e.org/4}}
"""

TOPICS = """
version: 1
config:
  gaps:
    max_readings_per_topic: 3
    max_pages_per_topic: 100
    stale_years: 10
    concentration_min_papers: 5
    concentration_share: 0.5
areas:
  - {id: serving, title: Serving, keywords: [serving]}
  - {id: storage, title: Storage, keywords: [storage]}
  - {id: nothing, title: Unreachable, keywords: []}
courses:
  - id: mine
    title: Mine
    term: Fall 2024
    topics:
      - id: history
        title: History
        readings:
          - {paper: old1999a, role: required}
          - {paper: old2000b, role: required}
      - id: serving
        title: Serving week
        readings:
          - {paper: pre2020x, role: optional}
          - {paper: bare2020, role: optional}
      - id: load
        title: Heavy week
        readings:
          - {paper: c1, role: required}
          - {paper: c2, role: required}
          - {paper: c3, role: required}
          - {paper: c4, role: required}
          - {paper: old1999a, role: optional}
      - id: lab
        title: Lab session on tools
  - id: empty
    title: Empty
    term: Fall 2024
    topics: []
  - id: other
    title: Other
    term: Spring 2023
    topics:
      - id: storage
        title: Storage systems
        readings:
          - {paper: c1, role: required}
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    root = tmp_path / "small"
    (root / "bib").mkdir(parents=True)
    (root / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    (root / "bib" / "x.bib").write_text(BIB, encoding="utf-8")
    return root


def test_small_project_kinds(small: Path) -> None:
    found = gaps_json(small, "--course", "mine")
    kinds: dict[str, list[dict[str, Any]]] = {}
    for f in found:
        kinds.setdefault(f["kind"], []).append(f)
    assert kinds["topic-stale"][0]["topic"] == "history"
    assert kinds["topic-stale"][0]["data"] == {"newest_year": 2000, "course_year": 2024}
    over = {f["topic"]: f for f in kinds["topic-overloaded"]}
    assert over["load"]["data"]["required"] == 4
    assert over["history"]["data"]["pages"] == 130  # 2 readings but 40 + 90 pages > 100
    assert kinds["topic-no-required"][0]["topic"] == "serving"
    assert kinds["topic-no-readings"][0]["topic"] == "lab"
    assert kinds["area-optional-only"][0]["area"] == "serving"
    unc = {f["area"]: f for f in kinds["area-uncovered"]}
    assert unc["storage"]["data"]["covered_by"] == ["other"] and unc["storage"]["severity"] == "medium"
    assert kinds["preprint-published"][0]["papers"] == ["pre2020x", "pub2021x"]
    assert kinds["missing-metadata"][0]["data"]["missing"] == ["authors", "year", "venue", "link"]
    assert kinds["duplicate-reading"][0]["papers"] == ["old1999a"]
    assert kinds["concentration-author"][0]["data"]["author"] == "Ann Smith"
    assert kinds["concentration-venue"][0]["data"]["venue"] == "OSDI"
    assert kinds["area-unmatchable"][0]["area"] == "nothing"


def test_empty_course_and_ignore(small: Path) -> None:
    found = gaps_json(small, "--course", "empty")
    assert [f["kind"] for f in found if f["course"] == "empty"] == ["course-empty"]
    text = (small / "topics.yaml").read_text().replace("concentration_share: 0.5",
                                                       "concentration_share: 0.5\n    ignore: [topic-stale]")
    (small / "topics.yaml").write_text(text)
    assert not [f for f in gaps_json(small, "--course", "mine") if f["kind"] == "topic-stale"]


def test_against_gives_co_assignment(small: Path) -> None:
    found = gaps_json(small, "--course", "other", "--against", "mine", "--min-courses", "1")
    co = [f for f in found if f["kind"] == "co-assigned-missing"]
    assert {f["papers"][0] for f in co} == {"old1999a", "old2000b", "pre2020x", "bare2020", "c2", "c3", "c4"}
    assert co[0]["severity"] == "medium"


@pytest.mark.parametrize(("cfg", "message"), [
    pytest.param({"gaps": {"stale_yrs": 3}}, "unknown threshold config.gaps.stale_yrs", id="unknown_key"),
    pytest.param({"gaps": {"stale_years": "ten"}}, "must be a non-negative number", id="not_a_number"),
    pytest.param({"gaps": {"ignore": ["nope"]}}, "must be a list of finding kinds", id="unknown_kind"),
    pytest.param({"gaps": {"session_pattern": "("}}, "not a valid regular expression", id="bad_regex"),
    pytest.param({"gaps": [1]}, "must be a mapping", id="not_a_mapping"),
])
def test_bad_config(cfg: dict[str, Any], message: str) -> None:
    from readinglist.errors import ReadingListError

    with pytest.raises(ReadingListError, match=message):
        gap_config(cfg)


def test_bad_config_via_cli(small: Path) -> None:
    text = (small / "topics.yaml").read_text().replace("stale_years: 10", "stale_years: -1")
    (small / "topics.yaml").write_text(text)
    r = run(small, "gaps", "--course", "mine")
    assert r.exit_code == 1 and "config.gaps.stale_years must be a non-negative number" in r.output


@pytest.mark.parametrize(("claim", "venue", "year", "expect"), [
    pytest.param("SC’21", "SC", 2021, None, id="agrees"),
    pytest.param("NeurIPS’19", "NeurIPS", 2019, None, id="agrees_neurips"),
    pytest.param("ICLR’16", "ICLR", 2017, "medium", id="year_differs"),
    pytest.param("ICMD’18", "SIGMOD", 2018, "low", id="unknown_venue_word"),
    pytest.param("SIGRAPH, 2016", "ISCA", 2016, "", id="other_venue"),
])
def test_check_claim(claim: str, venue: str, year: int, expect: str | None) -> None:
    res = check_claim(claim, venue, None, year)
    if expect is None:
        assert res is None
    else:
        assert res is not None and (not expect or res[0] == expect)
