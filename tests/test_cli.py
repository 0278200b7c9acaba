"""The core commands through click's CliRunner and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from readinglist.cli import main

from .helpers import copy_default, mini_project


def run(root: Path, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    return copy_default(tmp_path / "proj")


def test_build_summary(proj: Path) -> None:
    code, out, _ = run(proj, "build")
    assert code == 0
    assert "5 courses" in out
    assert "60 " in out.split("cs294-sp22", 1)[1].splitlines()[0]
    code, out, _ = run(proj, "build", "--format", "json")
    data = json.loads(out)
    cs = next(c for c in data["courses"] if c["id"] == "cs294-sp22")
    assert (cs["topics_with_readings"], cs["required"], cs["optional"]) == (11, 34, 26)


def test_db_option(proj: Path, tmp_path: Path) -> None:
    db = tmp_path / "elsewhere" / "x.db"
    code, _, _ = run(proj, "--db", str(db), "build", "-q")
    assert code == 0 and db.exists()
    assert not (proj / ".readinglist" / "readinglist.db").exists()


def test_courses_topics_show(proj: Path) -> None:
    code, out, _ = run(proj, "courses")
    assert code == 0 and "cs294-sp22" in out and "gatech-cs8803-smr" in out
    code, out, _ = run(proj, "topics", "--course", "cs294-sp22")
    assert code == 0 and "distributed-training-systems" in out and "umass" not in out
    code, out, _ = run(proj, "show", "arXiv:2104.04473v1")
    assert code == 0 and "Megatron-LM" in out and "Best Student Paper" in out
    code, out, _ = run(proj, "show", "kraska2018case", "--format", "json")
    assert json.loads(out)["venue"] == "SIGMOD"


@pytest.mark.parametrize("query", ["c++", "NOT", "2104.04473", '"x', "(", "title:", "-foo", "a AND", "*"])
def test_search_never_tracebacks(proj: Path, query: str) -> None:
    code, out, err = run(proj, "search", query)
    assert code == 0, err
    assert out.strip()
    assert "Traceback" not in out + err


def test_search_finds(proj: Path) -> None:
    code, out, _ = run(proj, "search", "pipeline", "parallelism")
    assert "huang2019gpipe" in out or "narayanan2019pipedream" in out
    code, out, _ = run(proj, "search", "no-such-word-anywhere")
    assert "no matches" in out


def test_unknown_ids(proj: Path) -> None:
    code, _, err = run(proj, "topics", "--course", "nope")
    assert code == 1 and "unknown course 'nope'" in err and "cs294-sp22" in err
    code, _, err = run(proj, "show", "nope2020x")
    assert code == 1 and "no paper 'nope2020x'" in err


def test_bad_source_exit_status(tmp_path: Path) -> None:
    root = mini_project(tmp_path / "p")
    (root / "topics.yaml").write_text((root / "topics.yaml").read_text().replace("role: required", "role: maybe"))
    code, _, err = run(root, "build")
    assert code == 1
    assert "topics.yaml:10" in err and "unknown role 'maybe'" in err and "Traceback" not in err


def test_init_then_build(tmp_path: Path) -> None:
    target = tmp_path / "new"
    code, out, _ = run(tmp_path, "init", str(target))
    assert code == 0
    assert (target / "topics.yaml").exists() and (target / "bib").is_dir()
    assert ".readinglist/" in (target / ".gitignore").read_text()
    code, out, _ = run(target, "build")
    assert code == 0 and "0 courses" in out
    code, _, err = run(tmp_path, "init", str(target))
    assert code == 1 and "already exists" in err


def test_init_example_is_valid_when_uncommented(tmp_path: Path) -> None:
    """The commented example in the new topics.yaml is itself a valid project once uncommented."""
    from readinglist.cli import INIT_TOPICS

    lines = []
    for line in INIT_TOPICS.splitlines():
        if line in ("courses: []", "areas: []"):
            continue
        if line.startswith("# ") and (line[2:].startswith(("courses:", "areas:", " "))):
            lines.append(line[2:])
        elif not line.startswith("#"):
            lines.append(line)
    root = mini_project(tmp_path / "p", topics="\n".join(lines) + "\n",
                        bib="@inproceedings{narayanan2021efficient, title={X}, author={N, D}, year={2021}}\n")
    code, out, err = run(root, "build")
    assert code == 0, err
    assert "1 courses" in out


def test_stale_db_rebuilds_on_query(proj: Path) -> None:
    run(proj, "build", "-q")
    topics = proj / "topics.yaml"
    topics.write_text(topics.read_text().replace('title: "Big Data Systems"', 'title: "Big Data Systems Renamed"'))
    code, out, _ = run(proj, "topics", "--course", "cs294-sp22")
    assert "Big Data Systems Renamed" in out


def test_subprocess_module_and_env_root(proj: Path) -> None:
    env = dict(os.environ, READINGLIST_ROOT=str(proj))
    res = subprocess.run([sys.executable, "-m", "readinglist", "build"], capture_output=True, text=True, env=env, check=False)
    assert res.returncode == 0, res.stderr
    assert "5 courses" in res.stdout
    res = subprocess.run([sys.executable, "-m", "readinglist", "--help"], capture_output=True, text=True, check=False)
    assert res.returncode == 0 and "build" in res.stdout


def test_subprocess_bad_input_no_traceback(tmp_path: Path) -> None:
    root = mini_project(tmp_path / "p")
    (root / "topics.yaml").write_text("version: 1\ncourses:\n  - id: x\n    id: y\n")
    res = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(root), "build"],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 1
    assert "topics.yaml:4" in res.stderr and "duplicate key 'id'" in res.stderr
    assert "Traceback" not in res.stderr


def test_unwritable_output_is_an_error_not_a_traceback(proj: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(proj, "export", "ris", "-o", str(blocker / "sub" / "x.ris"))
    assert code == 1 and str(blocker) in err and "Traceback" not in err


def test_invalid_arxiv_like_id_is_an_error(proj: Path) -> None:
    code, _, err = run(proj, "add", "--offline", "9999.99999", "-c", "cs294-sp22", "-t", "intro")
    assert code == 1 and "invalid arXiv id '9999.99999'" in err
