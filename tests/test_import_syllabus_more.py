"""`import syllabus` on layouts of real course pages outside shared/data (fixtures/syllabi: synthetic
pages that copy each real page's layout, the source named at the top of each)."""

from __future__ import annotations

from pathlib import Path

from readinglist.importers.syllabus import import_syllabus, parse_syllabus

FIXTURES = Path(__file__).parent / "fixtures" / "syllabi"
EMPTY = "version: 1\ncourses: []\nareas: []\n"


def _dry_run(tmp_path: Path, rel: str):  # type: ignore[no-untyped-def]
    root = tmp_path / "p"
    (root / "bib").mkdir(parents=True)
    (root / "topics.yaml").write_text(EMPTY)
    return import_syllabus(root, str(FIXTURES / rel), course_id="c", dry_run=True)


def _shape(report) -> list[tuple[str, list[tuple[str, str]]]]:  # type: ignore[no-untyped-def]
    return [(t["title"], [(r["paper"], r["role"]) for r in t["readings"]]) for t in report.topics]


def test_sessions_without_topic_column_and_required_marks(tmp_path: Path) -> None:
    """UIUC CS 598: a bold line opening a dated cell titles that session; a dated row without one
    is titled by its date until a bold-only row opens a section; after a one-row session the next
    dated rows go back to the section. "(Required)" after a link marks it, the rest are optional."""
    report = _dry_run(tmp_path, "uiuc-cs598-genai.md")
    assert _shape(report) == [
        ("Introduction", [("readpaper", "required"), ("shiftmodels", "optional")]),
        ("Aug 28", [("flashattention2022fast", "required"), ("attentionneed", "optional")]),
        ("Pre-Training", [("llama3", "required"), ("geminifamily", "optional"), ("alpa2022automating", "required"),
                          ("lightseqsequence", "optional"), ("efficientmemory", "required"),
                          ("sglangefficient", "optional")]),
        ("No Lectures / Prep for the Midterm", []),
    ]
    assert report.topics[0]["notes"] == "Date: Aug 26"
    llama = report.topics[2]["readings"][0]  # type: ignore[index]
    assert llama["note"] == "Sec 1-4"  # "(Sec 1-4, Required)"
    assert not report.unclassified  # the "(Required)" marks are not left over as text


def test_reading_header_spanning_columns_and_placeholders(tmp_path: Path) -> None:
    """CS692: "Papers to present" spans three columns (a second header row names them); "N/A" and
    "TBD" cells are placeholders; a "[VLDB'19]" tag glued before the link is the claim."""
    report = _dry_run(tmp_path, "umass-cs692-mlsys.md")
    got = {t["title"]: [(r["paper"], r.get("claim")) for r in t["readings"]] for t in report.topics}
    assert got["Efficient training - I (DNN Training)"] == [
        ("capuchintensorbased", None), ("drawingearlybird", None), ("deltagradrapid", None)]
    assert got["Efficient training - II (GNN Training)"][-1] == ("aligraph2019comprehensive", "VLDB'19")
    assert got["Efficient inference - I"] == [("willump2020statisticallyaware", "MLSys'20")]
    assert not report.unclassified
    assert all("column" not in s.message for s in report.skipped)


def test_per_link_marks_inline() -> None:
    page = """| Date | Readings | Presenter |
|---|---|---|
| Jan 9 | **Serving**<br>[Orca: A Distributed Serving System](https://www.usenix.org/conference/osdi22/presentation/yu) (Required)<br>[Clipper: A Low-Latency Online Prediction Serving System](https://www.usenix.org/conference/nsdi17/technical-sessions/presentation/crankshaw) (Required)<br>[Paper C](https://arxiv.org/abs/2309.06180) | Ann |
| Jan 11 | [Paper D](https://arxiv.org/abs/2211.17192) (Optional) | Bob |
"""
    p = parse_syllabus(page)
    assert [t.title for t in p.topics] == ["Serving", "Jan 11"]
    # "(Optional)" also appears on the page: unmarked links keep the default (required)
    assert [(r.title, r.role) for r in p.readings] == [
        ("Orca: A Distributed Serving System", "required"),
        ("Clipper: A Low-Latency Online Prediction Serving System", "required"),
        ("Paper C", "required"), ("Paper D", "optional")]


def test_week_folders_further_reading_subsections_and_descriptions(tmp_path: Path) -> None:
    """HSE Efficient DL Systems: each week folder's README is a topic (only the top README is the
    title page); "### Quantization" under "## Further reading" stays optional; "Name - description -
    [arxiv](..)" is titled by the name; "[API reference]" is documentation; a bare URL is reported."""
    report = _dry_run(tmp_path, "hse-efficient-dl")
    assert _shape(report) == [
        ("Week 4: Large Models", [("gpipe", "optional"), ("parameteroptimizer", "optional"),
                                  ("zerooffload", "optional")]),
        ("Week 9: Efficient model inference", [("mobileoneimproved", "optional"), ("llmint88bit", "optional")]),
    ]
    zero = report.topics[0]["readings"][2]  # type: ignore[index]
    assert zero["note"] == "moving gradients and statistics from GPU into RAM"
    assert [u.message for u in report.unclassified] == [
        "a bare URL, no title: https://arxiv.org/pdf/1704.04861.pdf",
        "a bare URL, no title: https://huggingface.co/blog/hf-bitsandbytes-integration"]
    assert any("API reference" in s.message for s in report.skipped)


def test_more_role_labels() -> None:
    page = """# Course
## Lecture 1: Serving
Pre-lecture reading: [Orca: A Distributed Serving System](https://www.usenix.org/conference/osdi22/presentation/yu)

Background: [Clipper: A Low-Latency Online Prediction Serving System](https://arxiv.org/abs/1612.03079)

### See also
* [Paper E](https://arxiv.org/abs/2309.06180)

## Reference Architectures for Serving
* [Paper F](https://arxiv.org/abs/2211.17192)
"""
    p = parse_syllabus(page)
    assert [t.title for t in p.topics] == ["Lecture 1: Serving", "Reference Architectures for Serving"]
    assert [(r.title, r.role) for r in p.readings] == [
        ("Orca: A Distributed Serving System", "required"),
        ("Clipper: A Low-Latency Online Prediction Serving System", "optional"),
        ("Paper E", "optional")]  # Paper F: an unlabelled link on a labelled page, skipped as before


def test_numbered_topics_and_link_columns(tmp_path: Path) -> None:
    """Brown CS 1380: "13. Distributed Processing" loses its lecture number; quiz forms and milestone
    documents in other columns are not readings; two links in one Papers cell are two readings."""
    report = _dry_run(tmp_path, "brown-cs1380-distsys.md")
    assert _shape(report) == [
        ("Intro to Distributed Systems & Architectures", [("distribution2009everywhere", "required")]),
        ("Distributed Programming", [("hintsdesigning", "required")]),
        ("Nodes and Servers", []), ("no class", []),
        ("Distributed Processing: MapReduce", [("mapreducesimplified", "required"), ("spark2012", "required")]),
    ]
    assert not report.unclassified and len(report.skipped) == 3
