"""Hostile titles, notes and URLs stay data in every export (traps.md §5, cases 31-33)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readinglist.api import ReadingList
from readinglist.export import ExportData, export, write
from readinglist.export import bibtex as bx

HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "{{ site }}",
    "{% endraw %}",
    "{: onclick=x}",
    "Evil} , note={x",
    "<img src=x onerror=alert(1)>",
    "$$x$$ | a | b |",
    "`code` *em* _em_ \\",
]

BIB = """\
@misc{evil2020a,
  author = {Mallory, Eve and {{{ site.github }}}},
  title = {<script>alert(1)</script> [x](javascript:alert(1)) {{ site }}},
  year = {2020},
  url = {javascript:alert(1)},
}

@misc{evil2020b,
  author = {Mallory, Eve},
  title = {{% endraw %} {: onclick=x} <img src=x onerror=alert(1)>},
  year = {2020},
  url = {https://example.org/a b"onmouseover=x},
}

@misc{evil2020c,
  author = {Mallory, Eve},
  title = {Fine},
  year = {2020},
  url = {https://example.org/ok?a=1&b={{x}}},
}
"""

TOPICS = """\
version: 1
courses:
  - id: evil
    title: "<script>alert(1)</script> {{ site.title }}"
    url: "javascript:alert(1)"
    topics:
      - id: t1
        title: "{% endraw %}{{ site }} [x](javascript:alert(1))"
        notes: "{: onclick=x} Evil} , note={x"
        readings:
          - paper: evil2020a
            role: required
            note: "Evil} , note={x"
            claim: "<b onclick=x>SC</b>"
          - paper: evil2020b
            role: optional
            note: "{% raw %}{{ site }}"
          - paper: evil2020c
            role: optional
areas: []
"""


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory) -> ReadingList:
    root = tmp_path_factory.mktemp("evil")
    (root / "bib").mkdir()
    (root / "bib" / "evil.bib").write_text(BIB, encoding="utf-8")
    (root / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    proj = ReadingList(root)
    proj.build()
    return proj


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _render(md: str) -> _Collect:
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": True}).render(md)
    c = _Collect()
    c.feed(html)
    c.close()
    return c


def _assert_inert(md: str) -> str:
    # Liquid: the only tag is the fixed include of the cs294 layout; no {{ at all.
    assert "{{" not in md
    assert re.findall(r"\{%.*?%\}", md) == ["{% include syllabus_entry %}"] * md.count("{% include syllabus_entry")
    assert "{:" not in md  # no kramdown attribute list
    doc = _render(md)
    allowed = {"h1", "h2", "p", "ul", "li", "a", "em", "strong", "div"}
    for tag, attrs in doc.tags:
        assert tag in allowed, (tag, attrs)
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name == "href":
                assert value is not None and re.match(r"^https?://", value), value
                assert not re.search(r"[\s\"'<>{}]", value), value
            else:
                assert name in ("class", "markdown"), (tag, name)
    return "".join(doc.text)


@pytest.mark.parametrize("style", ["plain", "cs294"])
def test_markdown_hostile_titles_render_literally(evil: ReadingList, style: str) -> None:
    with evil.store() as db:
        md = export(db, "markdown", style=style)
    assert isinstance(md, str)
    text = _assert_inert(md)
    # The hostile strings are shown, not executed or dropped.
    assert "<script>alert(1)</script>" in text
    assert "{% endraw %}" in text and "{{ site }}" in text
    assert "[x](javascript:alert(1))" in text
    assert "javascript:" not in re.sub(r"\[x\]\(javascript:alert\(1\)\)", "", text)  # only as the title text


def test_markdown_hostile_via_export_data() -> None:
    """Every string field of the data at once, with every hostile value."""
    for bad in HOSTILE:
        data = ExportData(
            courses=[{"id": "c", "title": bad, "institution": bad, "term": bad, "url": "javascript:x"}],
            topics=[{"course_id": "c", "id": "t", "title": bad, "week": 1, "date": bad, "notes": bad, "position": 1}],
            readings=[{"course_id": "c", "topic_id": "t", "paper_key": "k", "role": r, "position": 1,
                       "note": bad, "claim": bad} for r in ("required",)],
            papers={"k": {"key": "k", "title": bad, "authors": [bad, bad], "venue": bad, "year": 2020,
                          "url": f"JaVaScRiPt:{bad}", "arxiv_id": None, "doi": None}},
        )
        for style in ("plain", "cs294"):
            md = export(data, "markdown", style=style)
            assert isinstance(md, str)
            text = _assert_inert(md)
            assert bad.strip() in text


def test_url_allow_list() -> None:
    from readinglist.export._safe import url

    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)", "java\x00script:x",
                "data:text/html,x", "vbscript:x", "//evil.org/x", "/relative", "https:", "http://a b"):
        assert url(bad) is None, bad
    assert url("https://example.org/a?b=1&c={{x}}") == "https://example.org/a?b=1&c=%7B%7Bx%7D%7D"
    assert url("https://example.org/(x)") == "https://example.org/%28x%29"


def test_jekyll_data_hostile_ids_stay_inside(tmp_path: Path) -> None:
    data = ExportData(courses=[{"id": "../x", "title": "t"}, {"id": "/etc/passwd", "title": "t"},
                               {"id": "courses", "title": "t"}])
    files = export(data, "jekyll-data")
    assert isinstance(files, dict)
    out = tmp_path / "site" / "_data"
    written = write(files, out)
    assert len(written) == 4
    for p in written:
        assert out.resolve() in p.resolve().parents
    assert not (tmp_path / "site" / "x.json").exists()
    assert len(set(files)) == 4  # `courses` did not overwrite courses.json


def test_jekyll_data_links_are_safe(evil: ReadingList) -> None:
    with evil.store() as db:
        files = export(db, "jekyll-data")
    assert isinstance(files, dict)
    doc = json.loads(files["evil.json"])
    links = [r["link"] for t in doc["topics"] for r in t["required"] + t["optional"]]
    assert links == [None, None, "https://example.org/ok?a=1&b={{x}}"]  # data; the template escapes
    assert json.loads(files["courses.json"])[0]["url"] is None


def test_bibtex_hostile_values_read_back(evil: ReadingList) -> None:
    import bibtexparser

    with evil.store() as db:
        text = export(db, "bibtex")
    assert isinstance(text, str)
    lib = bibtexparser.parse_string(text)
    assert lib.failed_blocks == [] and [e.key for e in lib.entries] == ["evil2020a", "evil2020b", "evil2020c"]
    a = {f.key: f.value for f in lib.entries[0].fields}
    assert a["title"] == "<script>alert(1)</script> [x](javascript:alert(1)) {{ site }}"


@pytest.mark.parametrize("value", [
    pytest.param("Evil} , note={x", id="close_field_open_note"),
    pytest.param("x}\n}\n@misc{pwn, title={y}", id="close_entry_new_entry"),
    pytest.param("trailing \\", id="trailing_backslash"),
    pytest.param("a {lone", id="lone_open_brace"),
    pytest.param("x\n  @misc{pwn,", id="at_line_start"),
    pytest.param("a\\\\{b}", id="double_backslash_brace"),
    pytest.param("@misc{pwn,", id="at_start"),
])
def test_bibtex_unsafe_values_are_escaped_not_written_raw(value: str) -> None:
    import bibtexparser

    safe = bx.safe_value(value)
    assert safe != value
    text = bx.entry_text("misc", "k", [("title", safe), ("year", "2020")])
    bx.verify(text, [("misc", "k", [("title", safe), ("year", "2020")])])
    lib = bibtexparser.parse_string(text)
    assert lib.failed_blocks == [] and len(lib.entries) == 1
    assert {f.key: f.value for f in lib.entries[0].fields} == {"title": safe, "year": "2020"}


def _balanced(v: str) -> bool:
    depth, prev = 0, ""
    for ch in v:
        if ch == "{" and prev != "\\":
            depth += 1
        elif ch == "}" and prev != "\\":
            depth -= 1
            if depth < 0:
                return False
        prev = ch
    return depth == 0


_ALPHABET = st.sampled_from(list("ab {}\\@,=\"%#\n\t~$&_^") + ["note=", "}\n@misc{", "Evil} , note={x", "é", "\x00"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join), st.lists(_ALPHABET, max_size=10).map("".join))
def test_bibtex_roundtrip_property(title: str, note: str) -> None:
    """Any value: the written entry re-parses to exactly the value written, one entry, same fields;
    and a value that was already well-formed is written unchanged."""
    import bibtexparser

    fields = [("title", bx.safe_value(title)), ("note", bx.safe_value(note)), ("year", "2020")]
    text = bx.entry_text("misc", "k", fields) + "\n" + bx.entry_text("misc", "k2", [("title", "ok")])
    bx.verify(text, [("misc", "k", fields), ("misc", "k2", [("title", "ok")])])
    lib = bibtexparser.parse_string(text)
    assert lib.failed_blocks == []
    assert [e.key for e in lib.entries] == ["k", "k2"]
    assert [(f.key, f.value) for f in lib.entries[0].fields] == fields
    for original, (_, written) in ((title, fields[0]), (note, fields[1])):
        well_formed = (_balanced(original) and not original.endswith("\\")
                       and not re.search(r"(^|\n)[ \t\r\f\v]*@", original))
        if well_formed:
            assert written == original


def test_verify_refuses_a_broken_file() -> None:
    raw = bx.entry_text("misc", "k", [("title", "Evil} , note={x")])
    with pytest.raises(bx.ExportError, match="nothing was written"):
        bx.verify(raw, [("misc", "k", [("title", "Evil} , note={x")])])
