"""Fuzzing the readers of user input: arbitrary text never escapes as an unhandled exception.

topics.yaml and .bib problems are reported as located errors (SourceFileError/ValidationError);
the syllabus parser classifies or reports, and never raises.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist import yamlsrc
from readinglist.bibfile import parse_bib_text
from readinglist.errors import SourceFileError
from readinglist.importers.syllabus import parse_syllabus
from readinglist.models import Catalog
from readinglist.project import parse_catalog

# FUZZ_EXAMPLES=3000 for a longer local run (3,000 per test passed when written).
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

YAML_BITS = st.sampled_from([
    "version: 1\n", "courses:\n", "  - id: c1\n", "    title: T\n", "    topics:\n", "      - id: t\n",
    "        readings:\n", "          - paper: k\n", "            role: required\n", "areas:\n",
    "  - &a x\n", "  - *a\n", "!!python/object:os.system x\n", "id: 2101.00010\n", "on: no\n",
    "  - [", "}", ": :\n", "\t- x\n", "config: {gaps: {a: 1}}\n", "- id: A\n- id: a\n",
])
BIB_BITS = st.sampled_from([
    "@article{a,", " title={Foo}", ", year=2020", "}", "}}", "@string{s={x}}", " author = s # {y}",
    "\n", "@misc{A, title={x}}", "@comment{", "title={Foo}\n year={2020}", "\\", "{", '"', "@", "%",
    "crossref={a}", "\ufeff", "\x00",
])
SYLLABUS_BITS = st.sampled_from([
    "# Week 1\n", "## Required\n", "## Optional readings\n", '<div class="required_reading" markdown="1">\n',
    "</div>\n", "* [Paper [SC’21, Best Paper]](https://arxiv.org/abs/2104.04473)\n", "* [Slides](x.pdf)\n",
    "| Week | Topic | Readings |\n", "|---|---|---|\n", "| 1 | Intro | [A](https://doi.org/10.1/x) |\n",
    "<table><tr><td>1</td><td><a href='https://arxiv.org/pdf/1712.01208'>L</a></td></tr></table>\n",
    "{% include syllabus_entry %}\n", "<!-- * [Hidden](https://x.org) -->\n", "* [", "](", ")\n",
    "Read Chapter 1 of [_Book_](https://example.org/b).\n", "- **[OSDI'18]** [T](https://usenix.org/x)\n",
])


@FUZZ
@given(st.lists(st.one_of(YAML_BITS, st.text(max_size=20)), max_size=25))
def test_topics_yaml_problems_are_located_errors(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        root = yamlsrc.load(text, "topics.yaml")
        problems: list[SourceFileError] = []
        parse_catalog(root, "topics.yaml", Catalog(), problems)
    except SourceFileError as exc:
        assert exc.path == "topics.yaml"


@FUZZ
@given(st.lists(st.one_of(BIB_BITS, st.text(max_size=15)), max_size=30))
def test_bib_reader_never_raises(parts: list[str]) -> None:
    result = parse_bib_text("".join(parts), "x.bib")
    assert all(p.path == "x.bib" for p in result.problems)


@FUZZ
@given(st.lists(st.one_of(SYLLABUS_BITS, st.text(max_size=20)), max_size=25))
def test_syllabus_parser_never_raises(parts: list[str]) -> None:
    parsed = parse_syllabus("".join(parts))
    assert parsed is not None
