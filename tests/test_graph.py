"""The graph: model, GraphML/GEXF/JSON/DOT exports re-read, stats, a deterministic drawing."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from readinglist.api import ReadingList
from readinglist.cli import main
from readinglist.graph import build_graph, export_graph, stats

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> ReadingList:
    root = tmp_path_factory.mktemp("graph")
    shutil.copy(REPO / "topics.yaml", root / "topics.yaml")
    shutil.copytree(REPO / "bib", root / "bib")
    proj = ReadingList(root)
    proj.build()
    return proj


@pytest.fixture(scope="module")
def graph(project: ReadingList) -> nx.DiGraph:
    with project.store() as db:
        return build_graph(db)


def test_model(graph: nx.DiGraph) -> None:
    kinds = {k for _, k in graph.nodes(data="kind")}
    assert kinds == {"course", "topic", "paper", "author", "venue", "area", "preprint"}
    e = graph.edges["topic:cs294-sp22/distributed-training-systems", "paper:narayanan2021efficient"]
    assert (e["kind"], e["role"], e["position"], e["note"]) == ("reading", "required", 2, "Best Student Paper")
    assert graph.edges["arXiv:2104.04473", "paper:narayanan2021efficient"]["kind"] == "preprint_of"
    assert "arXiv:2001.08361" not in graph  # arXiv-only paper: no separate preprint node
    assert graph.nodes["paper:kaplan2020scaling"]["is_preprint"] is True
    assert graph.edges["paper:narayanan2021efficient", "venue:SC"]["kind"] == "published_in"
    assert graph.edges["paper:narayanan2021efficient", "author:Matei Zaharia"]["position"] == 12
    assert graph.edges["topic:cs294-sp22/big-data-systems", "area:data-systems"]["source"] == "explicit"
    assert sum(1 for *_, k in graph.edges(data="kind") if k == "reading") == 62


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_exports_reread_with_control_characters(project: ReadingList, tmp_path: Path, fmt: str) -> None:
    # A title with control characters (as an import could store): the XML must stay well-formed.
    db_path = tmp_path / "ctrl.db"
    shutil.copy(project.db_path, db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE papers SET title = ? WHERE key = 'kaplan2020scaling'", ("Bad\x00title\x1b[31m\x07 & <x>",))
    conn.commit()
    conn.close()
    from readinglist.store import Store

    with Store(db_path) as db:
        g = build_graph(db)
    text = export_graph(g, fmt)
    path = tmp_path / f"g.{fmt}"
    path.write_text(text, encoding="utf-8")
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert back.number_of_nodes() == g.number_of_nodes()
    assert back.number_of_edges() == g.number_of_edges()
    title = back.nodes["paper:kaplan2020scaling"].get("title")
    assert title == "Badtitle[31m & <x>"
    assert export_graph(g, fmt) == text  # deterministic (no date in the GEXF header)


def test_json_and_dot(graph: nx.DiGraph) -> None:
    data = json.loads(export_graph(graph, "json"))
    back = nx.node_link_graph(data, edges="edges")
    assert back.number_of_edges() == graph.number_of_edges()
    dot = export_graph(graph, "dot")
    assert dot.startswith("digraph readinglist {") and dot.rstrip().endswith("}")
    assert '"topic:cs294-sp22/intro" -> "paper:keshav2007read" [' in dot and "style=dashed" in dot


def test_stats(graph: nx.DiGraph) -> None:
    s = stats(graph)
    assert s["counts"]["readings"] == 62
    assert s["bridging_papers"][0]["paper"] == "ratner2019mlsys"  # read in cs294 and umass-692s
    assert s["top_authors"][0] == {"author": "Matei Zaharia", "readings": 10, "share": round(10 / 62, 4)}
    assert s["top_venues"][0]["venue"] == "arXiv"
    assert s["course_overlap"][0] == {"course_a": "cs294-sp22", "course_b": "umass-692s", "shared_papers": 1,
                                      "jaccard": round(1 / 61, 4)}
    assert s["topic_similarity"][0]["shared_authors"] == 69


def test_sampled_betweenness_is_deterministic(graph: nx.DiGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    import readinglist.graph as rg

    monkeypatch.setattr(rg, "EXACT_BETWEENNESS_MAX_NODES", 10)
    a, b = stats(graph), stats(graph)
    assert a["betweenness_method"].startswith("sampled")
    assert a == b


def test_cli_stats_draw_and_export(project: ReadingList, tmp_path: Path) -> None:
    runner = CliRunner()
    root = ["--root", str(project.root)]
    r = runner.invoke(main, [*root, "graph", "stats"])
    assert r.exit_code == 0, r.output
    assert "Papers bridging most topics" in r.output and "ratner2019mlsys" in r.output
    r = runner.invoke(main, [*root, "graph", "stats", "--course", "cs294-sp22", "--format", "json"])
    assert json.loads(r.output)["counts"]["topics"] == 16
    svg = tmp_path / "c.svg"
    r = runner.invoke(main, [*root, "graph", "draw", "--course", "cs294-sp22", "-o", str(svg)])
    assert r.exit_code == 0, r.output
    first = svg.read_bytes()
    assert first.startswith(b"<?xml") and b"<dc:date>" not in first
    runner.invoke(main, [*root, "graph", "draw", "--course", "cs294-sp22", "-o", str(svg)])
    assert svg.read_bytes() == first
    r = runner.invoke(main, [*root, "graph", "draw", "-o", str(tmp_path / "c.pdf")])
    assert r.exit_code == 1 and ".svg or .png" in r.output


def test_subprocess_graph_export(project: ReadingList, tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    res = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(project.root), "graph", "export",
                          "--format", "graphml", "--course", "umass-692s", "-o", str(out)],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    g = nx.read_graphml(out)
    assert "paper:ratner2019mlsys" in g and sum(1 for n in g if n.startswith("paper:")) == 2
