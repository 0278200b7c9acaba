"""The foundation: the embedded default builds to the documented counts; builds are atomic,
deterministic and enforce foreign keys; bad sources are errors naming file, line and id."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from readinglist import ReadingList, ValidationError, open_project
from readinglist.project import Project

from .helpers import MINI_BIB, MINI_TOPICS, copy_default, mini_project


@pytest.fixture
def default(tmp_path: Path) -> ReadingList:
    return open_project(copy_default(tmp_path / "proj"))


def test_default_counts(default: ReadingList) -> None:
    summary = default.build()
    courses = {c["id"]: c for c in summary["courses"]}
    assert len(courses) == 5
    cs = courses["cs294-sp22"]
    assert cs["topics_with_readings"] == 11
    assert (cs["required"], cs["optional"]) == (34, 26)
    assert summary["missing"] == {}


def test_default_readings_order_and_roles(default: ReadingList) -> None:
    with default.store() as db:
        rows = db.readings("cs294-sp22", "distributed-training-systems")
    assert [r["paper_key"] for r in rows][:3] == ["li2021chimera", "narayanan2021efficient", "rajbhandari2021zeroinfinity"]
    assert [r["role"] for r in rows] == ["required"] * 3 + ["optional"] * 4
    notes = {r["paper_key"]: r["note"] for r in rows}
    assert notes["narayanan2021efficient"] == "Best Student Paper"


def test_default_corrected_venues(default: ReadingList) -> None:
    """Where the syllabus tag is wrong the entry holds the true value and the claim keeps the tag."""
    with default.store() as db:
        learned = db.paper("kraska2018case")
        eyeriss = db.paper("chen2016eyeriss")
    assert (learned["venue"], learned["year"]) == ("SIGMOD", 2018)
    assert learned["readings"][0]["claim"] == "ICMD’18"
    assert eyeriss["venue"] == "ISCA"


def test_every_default_paper_has_provenance(default: ReadingList) -> None:
    cat = default.load()
    assert all(p.get("provenance") for p in cat.papers.values())


def test_build_is_deterministic(tmp_path: Path) -> None:
    a = open_project(copy_default(tmp_path / "a"))
    b = open_project(copy_default(tmp_path / "b"))
    a.build()
    b.build()
    assert a.db_path.read_bytes() == b.db_path.read_bytes()


def test_foreign_keys_enforced(default: ReadingList) -> None:
    default.build()
    conn = sqlite3.connect(default.db_path)
    conn.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO readings VALUES ('cs294-sp22', 'no-such-topic', 'kraska2018case', 'required', 1, NULL, NULL)")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO readings VALUES ('cs294-sp22', 'intro', 'kraska2018case', 'mandatory', 9, NULL, NULL)")


def test_fts_search(default: ReadingList) -> None:
    with default.store() as db:
        assert db.search("pipeline")[0]["key"] in {"huang2019gpipe", "narayanan2019pipedream", "li2021chimera"}
        assert db.search("2104.04473")[0]["key"] == "narayanan2021efficient"
        assert db.search("https://arxiv.org/pdf/2104.04473v2.pdf")[0]["key"] == "narayanan2021efficient"
        assert db.search("10.1145/3458817.3476209")[0]["key"] == "narayanan2021efficient"
        assert db.search("zahar*")  # prefix search on authors
        for q in ["NOT", "c++", '"x', "(", "title:", "-foo", "AND OR", "*", "", "NEAR(a b)"]:
            assert isinstance(db.search(q), list)


BAD_CASES = [
    pytest.param(MINI_TOPICS.replace("paper: smith2020alpha", "paper: nobody2020"), MINI_BIB,
                 "topics.yaml:10", "unknown paper 'nobody2020'", id="unknown-paper-key"),
    pytest.param(MINI_TOPICS.replace("paper: smith2020alpha", "paper: Smith2020Alpha"), MINI_BIB,
                 "topics.yaml:10", "did you mean 'smith2020alpha'", id="paper-key-wrong-case"),
    pytest.param(MINI_TOPICS.replace("            role: required\n", "            role: required\n          - paper: smith2020alpha\n            role: optional\n"),
                 MINI_BIB, "topics.yaml:12", "twice", id="paper-on-topic-twice"),
    pytest.param(MINI_TOPICS.replace("role: required", "role: mandatory"), MINI_BIB,
                 "topics.yaml:10", "unknown role 'mandatory'", id="unknown-role"),
    pytest.param(MINI_TOPICS.replace("    term: Fall 2024\n", "    term: Fall 2024\n    title: Again\n"), MINI_BIB,
                 "topics.yaml:6", "duplicate key 'title'", id="yaml-duplicate-key"),
    pytest.param(MINI_TOPICS.replace("paper: smith2020alpha", "paper: 2101.00010"), MINI_BIB,
                 "topics.yaml:10", 'quote it: "2101.00010"', id="unquoted-arxiv-id"),
    pytest.param(MINI_TOPICS.replace("title: Course One", "title: !!python/object/apply:os.system ['echo hi']"), MINI_BIB,
                 "topics.yaml:4", "tag", id="yaml-python-tag"),
    pytest.param("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
                 MINI_BIB, "topics.yaml:2", "aliases", id="yaml-alias-bomb"),
    pytest.param(MINI_TOPICS + "  - id: A1\n    title: Again\n", MINI_BIB,
                 "topics.yaml:16", "duplicate area id", id="duplicate-area-case-only"),
    pytest.param(MINI_TOPICS.replace("courses:\n", "courses:\n  - id: C1\n    title: Dup\n"), MINI_BIB,
                 "topics.yaml:5", "duplicate course id", id="duplicate-course-case-only"),
    pytest.param(MINI_TOPICS.replace("    topics:\n", "    topics:\n      - id: T1\n        title: x\n"), MINI_BIB,
                 "topics.yaml:9", "duplicate topic id", id="duplicate-topic-case-only"),
    pytest.param(MINI_TOPICS, MINI_BIB + "@misc{Smith2020alpha, title={Other}}\n",
                 "bib/refs.bib:8", "differs only in case", id="duplicate-bib-key-case-only"),
    pytest.param(MINI_TOPICS, MINI_BIB + "@misc{smith2020alpha, title={Other}}\n",
                 "bib/refs.bib:8", "duplicate citation key", id="duplicate-bib-key"),
    pytest.param(MINI_TOPICS, MINI_BIB + "@misc{broken, title={Unclosed\n",
                 "bib/refs.bib:8", "unparseable BibTeX block", id="bib-failed-block"),
    pytest.param(MINI_TOPICS, MINI_BIB + "@misc{extra, title={Foo}}, year={2020}}\n",
                 "bib/refs.bib:8", "extra '}'", id="bib-extra-brace"),
    pytest.param(MINI_TOPICS, MINI_BIB + "@misc{nocomma, title={Foo}\n  year={2020}}\n",
                 "bib/refs.bib:8", "missing comma", id="bib-missing-comma"),
    pytest.param(MINI_TOPICS, MINI_BIB + "@misc{dupfield, title={Foo}, Title={Bar}}\n",
                 "bib/refs.bib:8", "given twice", id="bib-duplicate-field-case-only"),
]


@pytest.mark.parametrize(("topics", "bib", "where", "what"), BAD_CASES)
def test_bad_sources_leave_previous_db(tmp_path: Path, topics: str, bib: str, where: str, what: str) -> None:
    proj = open_project(mini_project(tmp_path / "p"))
    proj.build()
    before = proj.db_path.read_bytes()
    (proj.root / "topics.yaml").write_text(topics, encoding="utf-8")
    (proj.root / "bib" / "refs.bib").write_text(bib, encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        proj.build()
    text = str(err.value)
    assert where in text, text
    assert what in text, text
    assert proj.db_path.read_bytes() == before
    assert not list(proj.db_path.parent.glob("*.building"))


def test_latin1_bib_names_byte_offset(tmp_path: Path) -> None:
    proj = open_project(mini_project(tmp_path / "p"))
    (proj.root / "bib" / "refs.bib").write_bytes(MINI_BIB.replace("Jane", "Jos\u00e9").encode("latin-1"))
    with pytest.raises(ValidationError, match=r"not UTF-8 at byte \d+"):
        proj.build()


def test_bom_is_accepted(tmp_path: Path) -> None:
    proj = open_project(mini_project(tmp_path / "p"))
    (proj.root / "bib" / "refs.bib").write_bytes(b"\xef\xbb\xbf" + MINI_BIB.encode())
    (proj.root / "topics.yaml").write_bytes(b"\xef\xbb\xbf" + MINI_TOPICS.encode())
    assert proj.build()["papers"] == 1


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    topics = MINI_TOPICS.replace("role: required", "role: mandatory").replace("id: a1", "id: a1\n    bogus: 1")
    proj = open_project(mini_project(tmp_path / "p", topics=topics))
    with pytest.raises(ValidationError) as err:
        proj.build()
    assert len(err.value.problems) == 2


def test_missing_fields_summary(tmp_path: Path) -> None:
    bib = MINI_BIB + "@misc{bare2021, title={Bare}}\n"
    proj = open_project(mini_project(tmp_path / "p", bib=bib))
    assert proj.build()["missing"] == {"bare2021": ["authors", "year", "venue", "link"]}


def test_no_project_is_a_clear_error(tmp_path: Path) -> None:
    from readinglist.errors import ReadingListError

    with pytest.raises(ReadingListError, match="readinglist init"):
        Project(tmp_path).load()


def test_crash_mid_build_keeps_old_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proj = open_project(mini_project(tmp_path / "p"))
    proj.build()
    before = proj.db_path.read_bytes()
    import readinglist.store as store

    def boom(*a: object, **k: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store, "_fill", boom)
    with pytest.raises(OSError):
        proj.build()
    assert proj.db_path.read_bytes() == before
    assert not list(proj.db_path.parent.glob("*.building"))


def test_topic_not_areas_removes_inferred_mapping(tmp_path: Path) -> None:
    """`not_areas` on a topic overrides an inferred topic->area mapping; unknown ids are errors."""
    topics = MINI_TOPICS.replace("        title: Topic One\n", "        title: Topic One alpha\n")
    proj = open_project(mini_project(tmp_path / "p", topics=topics))
    proj.build()
    with proj.store() as db:
        assert db.rows("SELECT area_id FROM topic_areas WHERE topic_id = 't1'") == [{"area_id": "a1"}]
    topics = topics.replace("        title: Topic One alpha\n", "        title: Topic One alpha\n        not_areas: [a1]\n")
    (proj.root / "topics.yaml").write_text(topics)
    proj.build()
    with proj.store() as db:
        assert db.rows("SELECT area_id FROM topic_areas WHERE topic_id = 't1'") == []
    (proj.root / "topics.yaml").write_text(topics.replace("not_areas: [a1]", "not_areas: [zz]"))
    with pytest.raises(ValidationError, match="unknown area 'zz' in `not_areas`"):
        proj.build()


def test_citations_from_enrichment_cache(default: ReadingList) -> None:
    """References recorded by `enrich` become citation rows between papers of the project."""
    import json

    refs = default.state_dir / "enrich" / "references.json"
    refs.parent.mkdir(parents=True)
    refs.write_text(json.dumps({"version": 1, "papers": {
        "narayanan2021efficient": {"references": ["arxiv:1806.03377v3", "doi:10.1145/3458817.3476209",
                                                  "doi:10.9999/not-in-project", "s2:abc"]},
        "unknown2020key": {"references": ["arxiv:1806.03377"]},
    }}))
    default.build()
    with default.store() as db:
        assert db.rows("SELECT citing, cited FROM citations") == [
            {"citing": "narayanan2021efficient", "cited": "narayanan2019pipedream"}]
    assert not default.is_stale()
    refs.write_text(json.dumps({"version": 1, "papers": {}}))
    assert default.is_stale()
