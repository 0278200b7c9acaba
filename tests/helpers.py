"""Test helpers shared across test modules."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def copy_default(dest: Path) -> Path:
    """A copy of the embedded default project (topics.yaml + bib/) in `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "topics.yaml", dest / "topics.yaml")
    shutil.copytree(REPO / "bib", dest / "bib")
    return dest


MINI_TOPICS = """\
version: 1
courses:
  - id: c1
    title: Course One
    term: Fall 2024
    topics:
      - id: t1
        title: Topic One
        readings:
          - paper: smith2020alpha
            role: required
areas:
  - id: a1
    title: Area One
    keywords: [alpha]
"""

MINI_BIB = """\
@inproceedings{smith2020alpha,
  title = {Alpha: A System},
  author = {Smith, Jane and Doe, John},
  booktitle = {OSDI},
  year = {2020},
  url = {https://example.org/alpha}
}
"""


def mini_project(dest: Path, topics: str = MINI_TOPICS, bib: str = MINI_BIB) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "topics.yaml").write_text(topics, encoding="utf-8")
    (dest / "bib").mkdir(exist_ok=True)
    (dest / "bib" / "refs.bib").write_text(bib, encoding="utf-8")
    return dest
