"""topics.yaml edits keep comments and formatting, and are checked before they are written."""

from __future__ import annotations

from pathlib import Path

import pytest

from readinglist import open_project
from readinglist.errors import NotFoundError, ReadingListError
from readinglist.yamledit import TopicsEditor

from .helpers import copy_default, mini_project


def test_edit_keeps_everything_else(tmp_path: Path) -> None:
    root = copy_default(tmp_path / "p")
    path = root / "topics.yaml"
    before = path.read_text()
    with TopicsEditor(path) as ed:
        assert ed.add_reading("cs294-sp22", "big-data-systems", {"paper": "kraska2018case", "role": "optional", "note": "no"})
    after = path.read_text()
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["          - paper: kraska2018case", '            note: "no"'] or len(after.splitlines()) == len(before.splitlines()) + 3
    assert after.startswith(before.split("courses:")[0])  # header comments kept
    cat = open_project(root).load()
    t = cat.course("cs294-sp22").topic("big-data-systems")
    assert t is not None and t.readings[-1].paper == "kraska2018case" and t.readings[-1].note == "no"


def test_numeric_looking_values_are_quoted(tmp_path: Path) -> None:
    root = mini_project(tmp_path / "p")
    path = root / "topics.yaml"
    with TopicsEditor(path) as ed:
        ed.add_topic("c1", {"id": "t2", "title": "Yes", "week": 2})
        ed.add_reading("c1", "t2", {"paper": "2101.00010", "role": "required"})
    assert 'paper: "2101.00010"' in path.read_text()


def test_duplicate_reading_is_no_change(tmp_path: Path) -> None:
    root = mini_project(tmp_path / "p")
    path = root / "topics.yaml"
    before = path.read_bytes()
    with TopicsEditor(path) as ed:
        assert not ed.add_reading("c1", "t1", {"paper": "smith2020alpha", "role": "optional"})
    assert path.read_bytes() == before


def test_unknown_topic_and_course(tmp_path: Path) -> None:
    root = mini_project(tmp_path / "p")
    with pytest.raises(NotFoundError, match="--create-topic"), TopicsEditor(root / "topics.yaml") as ed:
        ed.add_reading("c1", "nope", {"paper": "x", "role": "required"})
    with pytest.raises(NotFoundError, match="unknown course"), TopicsEditor(root / "topics.yaml") as ed:
        ed.add_topic("zz", {"id": "t", "title": "t"})


def test_exception_writes_nothing(tmp_path: Path) -> None:
    root = mini_project(tmp_path / "p")
    path = root / "topics.yaml"
    before = path.read_bytes()
    with pytest.raises(RuntimeError), TopicsEditor(path) as ed:
        ed.add_topic("c1", {"id": "t9", "title": "x"})
        raise RuntimeError("interrupted")
    assert path.read_bytes() == before


def test_refuses_to_edit_invalid_yaml(tmp_path: Path) -> None:
    root = mini_project(tmp_path / "p")
    path = root / "topics.yaml"
    path.write_text("version: 1\nversion: 2\n")
    with pytest.raises(ReadingListError, match="duplicate key"), TopicsEditor(path):
        pass
