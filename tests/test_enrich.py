"""`readinglist enrich` end to end against the local API stand-in of tests/test_add.py:
batching, the HTTP cache, resume after a failed batch, the merge policy, claims."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from readinglist.bibfile import read_bib
from readinglist.enrich import Found, merge, parse_fieldsource
from readinglist.sources.base import Record
from tests.helpers import copy_default
from tests.test_add import BIB, FakeApis, make_apis, project, run


@pytest.fixture
def apis(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> FakeApis:
    return make_apis(httpserver, monkeypatch)


PREPRINT = """\
@misc{kraska2017case,
  author = {Kraska, Tim and Beutel, Alex and Chi, Ed H. and Dean, Jeffrey and Polyzotis, Neoklis},
  title = {The Case for Learned Index Structures},
  year = {2017},
  venue = {arXiv},
  eprint = {1712.01208},
  archiveprefix = {arXiv},
  url = {https://arxiv.org/abs/1712.01208},
}
"""


def synthetic_bib(n: int) -> str:
    out = []
    for i in range(1, n + 1):
        aid = f"2104.{i:05d}"
        out.append(f"@misc{{p{i},\n  author = {{Lovelace, Ada}},\n  title = {{Synthetic paper "
                   f"{aid}}},\n  year = {{2021}},\n  eprint = {{{aid}}},\n"
                   f"  archiveprefix = {{arXiv}},\n}}\n")
    return "\n".join(out)


def papers(root: Path) -> dict[str, dict[str, str]]:
    out = {}
    for path in sorted((root / "bib").glob("*.bib")):
        res = read_bib(path)
        assert not res.problems, res.problems
        out.update({p.key: {"_type": p.entry_type, **p.fields} for p in res.papers})
    return out


@pytest.mark.parametrize("n", [150, 100])
def test_enrich_batches_arxiv_and_second_run_makes_no_request(apis: FakeApis, tmp_path: Path,
                                                              n: int) -> None:
    apis.synthetic = True
    root = project(tmp_path, bib=BIB + "\n" + synthetic_bib(n))
    r = run(root, "enrich")
    assert r.exit_code == 0, r.output
    assert apis.count("/api/query") == math.ceil(n / 100)
    assert apis.count("/s2/") == 1  # 500 ids a request
    got = papers(root)
    assert all(got[f"p{i}"]["abstract"].startswith("About 2104.") for i in range(1, n + 1))
    assert parse_fieldsource(got["p1"]["fieldsource"])["abstract"][0] == "arxiv"
    assert "title" not in parse_fieldsource(got["p1"]["fieldsource"])  # curated, same value
    total = len(apis.server.log)
    before = {p.name: p.read_bytes() for p in (root / "bib").glob("*.bib")}
    r = run(root, "enrich")
    assert r.exit_code == 0, r.output
    assert len(apis.server.log) == total  # everything from the cache
    assert "0 updated, 0 request(s) made" in r.output
    assert {p.name: p.read_bytes() for p in (root / "bib").glob("*.bib")} == before


def test_enrich_interrupted_on_second_batch_keeps_first_and_resumes(apis: FakeApis,
                                                                    tmp_path: Path) -> None:
    apis.synthetic = True
    root = project(tmp_path, bib=BIB + "\n" + synthetic_bib(250))

    def second_batch_fails(request: Request, call: int) -> Response | None:
        return Response("busy", status=503) if call == 2 else None

    apis.fail = second_batch_fails
    r = run(root, "enrich", "--source", "arxiv")
    assert r.exit_code == 1
    assert "run the command again to resume" in r.output
    got = papers(root)
    done = [k for k, f in got.items() if "abstract" in f]
    assert sorted(done, key=lambda k: int(k[1:])) == [f"p{i}" for i in range(1, 101)]
    assert apis.count("/api/query") == 2

    apis.fail = None
    r = run(root, "enrich", "--source", "arxiv")
    assert r.exit_code == 0, r.output
    # batch 1 from the cache; batches 2 and 3 fetched
    assert apis.count("/api/query") == 4
    got = papers(root)
    assert all("abstract" in got[f"p{i}"] for i in range(1, 251))


def test_preprint_gets_published_version_and_keeps_arxiv_fields(apis: FakeApis,
                                                                 tmp_path: Path) -> None:
    root = project(tmp_path, bib=BIB + "\n" + PREPRINT)
    r = run(root, "enrich")
    assert r.exit_code == 0, r.output
    assert ("published version: kraska2017case: arXiv:1712.01208 -> SIGMOD 2018 "
            "(doi 10.1145/3183713.3196909)") in r.output
    f = papers(root)["kraska2017case"]
    assert f["_type"] == "inproceedings"
    assert (f["venue"], f["year"], f["doi"]) == ("SIGMOD", "2018", "10.1145/3183713.3196909")
    assert (f["eprint"], f["archiveprefix"]) == ("1712.01208", "arXiv")
    assert f["url"] == "https://arxiv.org/abs/1712.01208"  # curated: never overwritten
    src = parse_fieldsource(f["fieldsource"])
    assert src["venue"][0] == "crossref" and src["doi"][0] == "crossref"
    assert "DBLP:conf/sigmod/KraskaBCDP18" in f["provenance"]
    refs = json.loads((root / ".readinglist" / "enrich" / "references.json").read_text())
    assert refs["papers"]["kraska2017case"]["references"] == ["doi:10.1145/2882903.2882919",
                                                               "arxiv:1603.04467"]


def test_curated_field_is_never_overwritten(apis: FakeApis, tmp_path: Path) -> None:
    bib = PREPRINT.replace("  title = {The Case for Learned Index Structures},\n",
                           "  title = {Learned Index Structures (course title)},\n"
                           "  curated = {title, venue},\n"
                           "  fieldsource = {title: arxiv 2020-01-01},\n")
    root = project(tmp_path, bib=BIB + "\n" + bib)
    r = run(root, "enrich")
    assert r.exit_code == 0, r.output
    f = papers(root)["kraska2017case"]
    assert f["title"] == "Learned Index Structures (course title)"
    assert f["venue"] == "arXiv"  # explicitly curated: no preprint upgrade either
    assert f["doi"] == "10.1145/3183713.3196909"  # missing fields are still filled
    assert "conflict: kraska2017case: title differs: curated: Learned Index" in r.output
    assert "conflict: kraska2017case: venue differs: curated: arXiv" in r.output


def test_title_match_below_threshold_is_a_candidate_not_applied(apis: FakeApis,
                                                                 tmp_path: Path) -> None:
    apis.dblp_hits = [
        {"title": "Alpha: A Distributed System for Everything.", "year": "2021",
         "venue": "SOSP", "key": "conf/sosp/Smith21", "doi": "10.1145/0000000.0000001",
         "authors": {"author": [{"text": "Jane Smith"}]}, "type": "Conference and Workshop Papers"},
        {"title": "Alpha: A System.", "year": "2020", "venue": "NSDI", "key": "conf/nsdi/Other20",
         "doi": "10.1145/0000000.0000002", "authors": {"author": [{"text": "Bob Other"}]},
         "type": "Conference and Workshop Papers"},
    ]
    root = project(tmp_path)
    before = (root / "bib" / "refs.bib").read_bytes()
    r = run(root, "enrich", "--source", "dblp")
    assert r.exit_code == 0, r.output
    assert "candidate: smith2020alpha: candidate dblp:conf/sosp/Smith21" in r.output
    assert "below the 0.90 title threshold" in r.output
    assert "candidate: smith2020alpha: candidate dblp:conf/nsdi/Other20" in r.output
    assert "no author in common" in r.output
    assert (root / "bib" / "refs.bib").read_bytes() == before


def test_title_match_with_author_overlap_is_applied(apis: FakeApis, tmp_path: Path) -> None:
    apis.dblp_hits = [
        {"title": "Alpha: A System.", "year": "2020", "venue": "OSDI", "key": "conf/osdi/SmithD20",
         "doi": "10.5555/alpha", "pages": "1-14",
         "authors": {"author": [{"text": "Jane Smith 0002"}, {"text": "John Doe"}]},
         "type": "Conference and Workshop Papers"},
    ]
    root = project(tmp_path)
    r = run(root, "enrich", "--source", "dblp")
    assert r.exit_code == 0, r.output
    f = papers(root)["smith2020alpha"]
    assert f["doi"] == "10.5555/alpha" and f["pages"] == "1--14"
    assert f["title"] == "Alpha: A System"  # curated title kept


def test_learned_index_claim_disagreement_is_listed_offline(apis: FakeApis,
                                                            tmp_path: Path) -> None:
    root = copy_default(tmp_path / "default")
    before = {p.name: p.read_bytes() for p in (root / "bib").glob("*.bib")}
    r = run(root, "enrich", "--course", "cs294-sp22", "--offline")
    assert r.exit_code == 0, r.output
    assert ("claim: cs294-sp22/ml-for-systems: kraska2018case: syllabus claim 'ICMD’18' "
            "names an unknown venue 'ICMD'; the metadata (bib) says SIGMOD 2018") in r.output
    assert "could not be resolved" in r.output and "not in the HTTP cache" in r.output
    assert len(apis.server.log) == 0
    assert {p.name: p.read_bytes() for p in (root / "bib").glob("*.bib")} == before


def test_enrich_json_report(apis: FakeApis, tmp_path: Path) -> None:
    root = project(tmp_path, bib=BIB + "\n" + PREPRINT)
    r = run(root, "enrich", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["updated"] == ["kraska2017case"]
    assert data["published"]["kraska2017case"].startswith("arXiv:1712.01208 -> SIGMOD 2018")


# -- the merge policy as a pure function --------------------------------------------------------


def rec(source: str, **fields: str) -> Record:
    return Record(source=source, source_id=f"{source}-id", fields=fields)


def test_merge_reports_conflicts_between_sources() -> None:
    res = merge({"eprint": "1712.01208", "archiveprefix": "arXiv"},
                [rec("crossref", title="A", doi="10.1/x", year="2018"),
                 rec("dblp", title="A", doi="10.1/y", year="2019",
                     booktitle="Proceedings of the 2018 International Conference on "
                               "Management of Data")],
                curated=set(), key="k")
    fields = {c.field for c in res.conflicts}
    assert fields == {"doi", "year"}
    assert res.fields["doi"] == "10.1/x"  # Crossref wins DOI and year
    assert parse_fieldsource(res.fields["fieldsource"])["doi"] == ("crossref",
                                                                   res.provenance["doi"][1])


def test_merge_source_may_replace_its_own_earlier_value_not_a_better_sources() -> None:
    start = {"title": "T", "year": "2017", "fieldsource": "year: arxiv 2020-01-01",
             "venue": "arXiv", "eprint": "1"}
    res = merge(start, [rec("crossref", year="2018", doi="10.1/x", title="T")], key="k")
    assert res.fields["year"] == "2018"
    again = merge(res.fields, [rec("semanticscholar", year="2016", doi="10.1/x",
                                   booktitle="X")], key="k")
    assert again.fields["year"] == "2018"
    assert [c.field for c in again.changes] == ["booktitle"]  # filled, year untouched


def test_merge_title_found_record_needs_similarity_and_authors() -> None:
    base = {"title": "Alpha: A System", "author": "Smith, Jane"}
    far = rec("dblp", title="Beta: Another Thing", author="Smith, Jane", doi="10.1/b")
    res = merge(base, [Found(far, "title")], key="k")
    assert "doi" not in res.fields and res.candidates[0].similarity < 0.9
    near = rec("dblp", title="Alpha: A System.", author="Smith, J. and Doe, John", doi="10.1/a")
    res = merge(base, [Found(near, "title")], key="k")
    assert res.fields["doi"] == "10.1/a" and not res.candidates
