"""LocalBibSource (offline .bib matching) and make_sources configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from readinglist.sources import Source, make_sources
from readinglist.sources.arxiv_source import ArxivSource
from readinglist.sources.base import format_authors, normalize_title
from readinglist.sources.localbib import LocalBibSource

BIB = r"""
@inproceedings{narayanan2021efficient,
  title = {Efficient Large-Scale Language Model Training on {GPU} Clusters Using Megatron-LM},
  author = {Narayanan, Deepak and Shoeybi, Mohammad},
  year = {2021},
  doi = {10.1145/3458817.3476209},
  eprint = {2104.04473},
  archiveprefix = {arXiv},
}
@misc{huang2019gpipe,
  title = {{GPipe}: Efficient Training of Giant Neural Networks using Pipeline Parallelism},
  author = {Huang, Yanping},
  year = {2019},
  doi = {10.48550/arXiv.1811.06965},
}
@article{broken,
  title = {Unclosed
"""


@pytest.fixture
def local(tmp_path: Path) -> LocalBibSource:
    path = tmp_path / "lib.bib"
    path.write_text(BIB, encoding="utf-8")
    return LocalBibSource([path])


def test_local_lookup_by_doi_and_arxiv(local: LocalBibSource) -> None:
    got = local.lookup(["10.1145/3458817.3476209", "arXiv:2104.04473v2", "1811.06965",
                        "https://doi.org/10.48550/ARXIV.1811.06965", "10.1/none"])
    assert got["10.1145/3458817.3476209"] is got["arXiv:2104.04473v2"]
    assert got["1811.06965"] is not None and got["1811.06965"].source_id == "huang2019gpipe"
    assert got["https://doi.org/10.48550/ARXIV.1811.06965"] is got["1811.06965"]
    assert got["10.1/none"] is None
    assert local.failed_blocks == 1 and len(local.records) == 2


def test_local_title_search(local: LocalBibSource) -> None:
    [exact] = local.search_title("GPipe: efficient training of giant neural networks using "
                                 "pipeline parallelism.")
    assert exact.source_id == "huang2019gpipe"
    [fuzzy] = local.search_title("Efficient Large Scale Language Model Training on GPU "
                                 "Clusters using Megatron")
    assert fuzzy.source_id == "narayanan2021efficient"
    assert local.search_title("Something else entirely") == []


def test_local_reads_shared_dblp_bib(shared_data: Path) -> None:
    src = LocalBibSource(sorted((shared_data / "api" / "dblp").glob("*.bib")))
    assert src.records and isinstance(src, Source)
    assert src.lookup(["10.1007/11880561_13"])["10.1007/11880561_13"] is not None


def test_make_sources_env_over_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bib = tmp_path / "lib.bib"
    bib.write_text(BIB, encoding="utf-8")
    monkeypatch.setenv("READINGLIST_ARXIV_URL", "http://127.0.0.1:9/api/query?{}")
    monkeypatch.setenv("READINGLIST_MAILTO", "env@example.org")
    config = {"sources": {"arxiv_url": "http://config/api?{}", "s2_url": "http://s2.test/v1",
                          "crossref_url": "http://cr.test", "dblp_url": "http://dblp.test",
                          "mailto": "config@example.org", "local_bib": [str(bib)],
                          "intervals": {"127.0.0.1": 0.5}}}
    sources = make_sources(config, tmp_path / ".readinglist", offline=False)
    assert set(sources) == {"arxiv", "semanticscholar", "dblp", "crossref", "localbib"}
    arxiv = sources["arxiv"]
    assert isinstance(arxiv, ArxivSource)
    assert arxiv.url == "http://127.0.0.1:9/api/query?{}"
    assert sources["semanticscholar"].url == "http://s2.test/v1"  # type: ignore[attr-defined]
    assert sources["crossref"].url == "http://cr.test"  # type: ignore[attr-defined]
    http = arxiv.http
    assert http.mailto == "env@example.org" and http.interval_for("127.0.0.1") == 0.5
    assert http.cache_path == tmp_path / ".readinglist" / "http-cache.sqlite"
    assert http.lock_dir == tmp_path / ".readinglist" / "locks"
    for src in sources.values():
        assert isinstance(src, Source)


def test_make_sources_defaults_and_offline(tmp_path: Path) -> None:
    sources = make_sources({}, tmp_path, offline=True)
    arxiv = sources["arxiv"]
    assert isinstance(arxiv, ArxivSource)
    assert arxiv.url == "https://export.arxiv.org/api/query?{}" and arxiv.http.offline
    assert arxiv.http.interval_for("export.arxiv.org") == 3.0
    assert arxiv.http.interval_for("dblp.org") == 2.0


@pytest.mark.parametrize(("names", "bibtex"), [
    pytest.param(["Deepak Narayanan"], "Narayanan, Deepak", id="simple"),
    pytest.param(["Peter H. N. de With"], "de With, Peter H. N.", id="particle"),
    pytest.param(["Wei Wang 0001"], "Wang, Wei", id="dblp_homonym"),
    pytest.param(["Plato", "Doe, Jane"], "Plato and Doe, Jane", id="mononym_and_comma"),
])
def test_format_authors(names: list[str], bibtex: str) -> None:
    assert format_authors(names) == bibtex


def test_normalize_title() -> None:
    assert normalize_title("{GPipe}: Efficient  Training\nof Gi\u00e4nt Nets.") == (
        "gpipe efficient training of giant nets")
