"""The reading-list graph (networkx): build, export, statistics, drawing.

Model (docs/exports.md): a directed graph; node ids are prefixed by kind.

| node | id | attributes |
|---|---|---|
| course | `course:<id>` | title, institution, term, year |
| topic | `topic:<course>/<id>` | course, title, week, position |
| paper | `paper:<key>` | title, year, venue, doi, arxiv, is_preprint |
| author | `author:<name>` | name |
| venue | `venue:<short>` | name |
| area | `area:<id>` | title |
| preprint | `arXiv:<id>` | arxiv (only for papers that have a published version too) |

| edge | kind | attributes |
|---|---|---|
| course -> topic | `has_topic` | position |
| topic -> paper | `reading` | role, position, note |
| paper -> author | `authored_by` | position |
| paper -> venue | `published_in` | |
| topic -> area, paper -> area | `in_area` | source (explicit/inferred) |
| paper -> paper | `cites` | |
| preprint -> paper | `preprint_of` | |

A paper that exists only as an arXiv preprint is not split: its venue is `arXiv` and its `arxiv`
attribute holds the id. Every string value has C0 control characters removed, so GraphML and
GEXF stay well-formed XML; missing values are omitted (GraphML has no null).
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ReadingListError
from .store import Store

if TYPE_CHECKING:
    import networkx as nx

GRAPH_FORMATS = ("graphml", "gexf", "json", "dot")
# Above this many nodes in the topic-paper graph, betweenness is estimated from K_SAMPLES sources
# (networkx `k`, fixed seed): exact Brandes is O(V·E) and takes minutes on 10,000 papers.
EXACT_BETWEENNESS_MAX_NODES = 1500
K_SAMPLES = 64
SEED = 42

_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(value: Any) -> Any:
    """Strings without XML-illegal control characters; other values as they are."""
    if isinstance(value, str):
        return _CTRL.sub("", value)
    return value


def _attrs(**kw: Any) -> dict[str, Any]:
    return {k: clean(v) for k, v in kw.items() if v is not None}


def build_graph(store: Store, course: str | None = None) -> nx.DiGraph:
    """The graph of one course (or all): its topics, their papers and everything around them."""
    import networkx as nx

    from .export._data import load

    data = load(store, course, all_papers=course is None)
    g = nx.DiGraph()
    for c in data.courses:
        g.add_node(f"course:{c['id']}", **_attrs(kind="course", label=c["title"], title=c["title"],
                                                  institution=c.get("institution"), term=c.get("term"),
                                                  year=c.get("year")))
    for t in data.topics:
        tid = f"topic:{t['course_id']}/{t['id']}"
        g.add_node(tid, **_attrs(kind="topic", label=t["title"], title=t["title"], course=t["course_id"],
                                 week=t.get("week"), position=t["position"]))
        g.add_edge(f"course:{t['course_id']}", tid, **_attrs(kind="has_topic", position=t["position"]))
    papers = data.papers
    for key in sorted(papers):
        p = papers[key]
        pid = f"paper:{key}"
        g.add_node(pid, **_attrs(kind="paper", label=key, title=p.get("title"), year=p.get("year"),
                                 venue=p.get("venue"), doi=p.get("doi"), arxiv=p.get("arxiv_id"),
                                 is_preprint=bool(p.get("is_preprint"))))
        for pos, name in enumerate(p.get("authors") or [], 1):
            aid = f"author:{name}"
            if aid not in g:
                g.add_node(aid, **_attrs(kind="author", label=name, name=name))
            g.add_edge(pid, aid, kind="authored_by", position=pos)
        if p.get("venue"):
            vid = f"venue:{p['venue']}"
            if vid not in g:
                g.add_node(vid, **_attrs(kind="venue", label=p["venue"], name=p["venue"]))
            g.add_edge(pid, vid, kind="published_in")
        if p.get("arxiv_id") and not p.get("is_preprint"):
            xid = f"arXiv:{p['arxiv_id']}"
            g.add_node(xid, **_attrs(kind="preprint", label=xid, arxiv=p["arxiv_id"]))
            g.add_edge(xid, pid, kind="preprint_of")
    for r in data.readings:
        g.add_edge(f"topic:{r['course_id']}/{r['topic_id']}", f"paper:{r['paper_key']}",
                   **_attrs(kind="reading", role=r["role"], position=r["position"], note=r.get("note")))
    areas = {a["id"]: a for a in data.areas}

    def area_node(area_id: str) -> str:
        nid = f"area:{area_id}"
        if nid not in g:
            title = areas.get(area_id, {}).get("title", area_id)
            g.add_node(nid, **_attrs(kind="area", label=title, title=title))
        return nid

    for ta in data.topic_areas:
        g.add_edge(f"topic:{ta['course_id']}/{ta['topic_id']}", area_node(ta["area_id"]),
                   kind="in_area", source=ta["source"])
    for pa in data.paper_areas:
        g.add_edge(f"paper:{pa['paper_key']}", area_node(pa["area_id"]), kind="in_area", source=pa["source"])
    for c in data.citations:
        g.add_edge(f"paper:{c['citing']}", f"paper:{c['cited']}", kind="cites")
    return g


# ---------------------------------------------------------------- export


def _dot_str(value: Any) -> str:
    s = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{s}"'


def to_dot(g: nx.DiGraph) -> str:
    shapes = {"course": "house", "topic": "box", "paper": "ellipse", "author": "plaintext",
              "venue": "diamond", "area": "hexagon", "preprint": "note"}
    lines = ["digraph readinglist {", "  graph [rankdir=LR];"]
    for n, a in g.nodes(data=True):
        attrs = {k: v for k, v in a.items() if k not in ("label",)}
        parts = [f"label={_dot_str(a.get('label', n))}", f"shape={shapes.get(a.get('kind', ''), 'ellipse')}"]
        parts += [f"{k}={_dot_str(v)}" for k, v in sorted(attrs.items())]
        lines.append(f"  {_dot_str(n)} [{', '.join(parts)}];")
    for u, v, a in g.edges(data=True):
        parts = [f"{k}={_dot_str(val)}" for k, val in sorted(a.items())]
        if a.get("role") == "optional":
            parts.append("style=dashed")
        lines.append(f"  {_dot_str(u)} -> {_dot_str(v)} [{', '.join(parts)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _graphml_type(values: list[Any]) -> str:
    kinds = {type(v) for v in values}
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "long"
    if kinds <= {int, float}:
        return "double"
    return "string"


def _graphml_value(v: Any) -> str:
    from xml.sax.saxutils import escape

    if isinstance(v, bool):
        return "true" if v else "false"
    return escape(str(clean(v)))


def to_graphml(g: nx.DiGraph) -> str:
    """GraphML, streamed (networkx's ElementTree writer takes 5 s on 40,000 nodes)."""
    from xml.sax.saxutils import quoteattr

    node_vals: dict[str, list[Any]] = defaultdict(list)
    edge_vals: dict[str, list[Any]] = defaultdict(list)
    for _, a in g.nodes(data=True):
        for k, v in a.items():
            node_vals[k].append(v)
    for _, _, a in g.edges(data=True):
        for k, v in a.items():
            edge_vals[k].append(v)
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">']
    nkey = {k: f"n_{k}" for k in sorted(node_vals)}
    ekey = {k: f"e_{k}" for k in sorted(edge_vals)}
    for k, kid in nkey.items():
        out.append(f'  <key id={quoteattr(kid)} for="node" attr.name={quoteattr(k)} '
                   f'attr.type="{_graphml_type(node_vals[k])}"/>')
    for k, kid in ekey.items():
        out.append(f'  <key id={quoteattr(kid)} for="edge" attr.name={quoteattr(k)} '
                   f'attr.type="{_graphml_type(edge_vals[k])}"/>')
    out.append('  <graph edgedefault="directed">')
    for n, a in g.nodes(data=True):
        data = "".join(f'<data key="{nkey[k]}">{_graphml_value(v)}</data>' for k, v in a.items())
        out.append(f"    <node id={quoteattr(clean(n))}>{data}</node>")
    for u, v, a in g.edges(data=True):
        data = "".join(f'<data key="{ekey[k]}">{_graphml_value(x)}</data>' for k, x in a.items())
        out.append(f"    <edge source={quoteattr(clean(u))} target={quoteattr(clean(v))}>{data}</edge>")
    out += ["  </graph>", "</graphml>"]
    return "\n".join(out) + "\n"


def export_graph(g: nx.DiGraph, fmt: str) -> str:
    """The graph as GraphML, GEXF, node-link JSON or Graphviz DOT text (deterministic)."""
    import networkx as nx

    if fmt == "graphml":
        return to_graphml(g)
    if fmt == "gexf":
        text = "\n".join(nx.generate_gexf(g)) + "\n"
        return re.sub(r' lastmodifieddate="[^"]*"', "", text, count=1)  # today's date: not reproducible
    if fmt == "json":
        return json.dumps(nx.node_link_data(g, edges="edges"), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if fmt == "dot":
        return to_dot(g)
    raise ReadingListError(f"unknown graph format {fmt!r}; choose one of {', '.join(GRAPH_FORMATS)}")


# ---------------------------------------------------------------- statistics


def _by_kind(g: nx.DiGraph, kind: str) -> list[str]:
    return [n for n, k in g.nodes(data="kind") if k == kind]


def stats(g: nx.DiGraph, top: int = 10) -> dict[str, Any]:
    """Bridging papers, most-read authors and venues, topic similarity, course overlap."""
    import networkx as nx

    topics = _by_kind(g, "topic")
    readings = [(u, v, a) for u, v, a in g.edges(data=True) if a.get("kind") == "reading"]
    paper_topics: dict[str, set[str]] = defaultdict(set)
    for u, v, _ in readings:
        paper_topics[v].add(u)

    # Bridging: betweenness on the undirected topic-paper graph (readings only).
    tp = nx.Graph()
    tp.add_nodes_from(sorted(topics))
    tp.add_edges_from(sorted((u, v) for u, v, _ in readings))
    n = tp.number_of_nodes()
    if n > EXACT_BETWEENNESS_MAX_NODES:
        bc = nx.betweenness_centrality(tp, k=min(K_SAMPLES, n), seed=SEED, normalized=True)
        method = f"sampled (k={min(K_SAMPLES, n)}, seed={SEED}) on the topic-paper graph"
    else:
        bc = nx.betweenness_centrality(tp, normalized=True)
        method = "exact on the topic-paper graph"
    multi = sorted((p for p, ts in paper_topics.items() if len(ts) > 1),
                   key=lambda p: (-bc.get(p, 0.0), -len(paper_topics[p]), p))[:top]
    bridging = [{"paper": p.split(":", 1)[1], "title": g.nodes[p].get("title"), "topics": len(paper_topics[p]),
                 "betweenness": round(bc.get(p, 0.0), 6)} for p in multi]

    # Most read authors and venues: a paper read in k topics counts k times.
    n_readings = len(readings)
    author_reads: Counter[str] = Counter()
    venue_reads: Counter[str] = Counter()
    authors_of: dict[str, set[str]] = {}
    venue_of: dict[str, str] = {}
    for p in paper_topics:
        authors_of[p] = {v for v in g.successors(p) if g.nodes[v].get("kind") == "author"}
        venue_of[p] = next((g.nodes[v]["name"] for v in g.successors(p) if g.nodes[v].get("kind") == "venue"), "")
    for _, p, _ in readings:
        for a in authors_of[p]:
            author_reads[g.nodes[a]["name"]] += 1
        if venue_of[p]:
            venue_reads[venue_of[p]] += 1

    def ranked(counter: Counter[str], label: str) -> list[dict[str, Any]]:
        rows = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return [{label: k, "readings": c, "share": round(c / n_readings, 4) if n_readings else 0.0} for k, c in rows]

    # Topic similarity: shared authors, venues and citations between the papers of two topics.
    topic_authors: dict[str, set[str]] = defaultdict(set)
    topic_venues: dict[str, set[str]] = defaultdict(set)
    topic_cites: dict[str, set[str]] = defaultdict(set)
    for u, p, _ in readings:
        topic_authors[u] |= authors_of[p]
        if venue_of[p]:
            topic_venues[u].add(venue_of[p])
        topic_cites[u] |= {v for v in g.successors(p) if g.edges[p, v].get("kind") == "cites"}
    shared: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for what, sets in (("authors", topic_authors), ("citations", topic_cites)):
        inverted: dict[str, list[str]] = defaultdict(list)
        for t in sorted(sets):
            for x in sets[t]:
                inverted[x].append(t)
        for ts in inverted.values():
            if len(ts) > 200:  # an item in hundreds of topics says nothing about any pair
                continue
            for a, b in combinations(ts, 2):
                shared[(a, b)][what] += 1
    pairs = sorted(shared.items(), key=lambda kv: (-(kv[1]["authors"] + kv[1]["citations"]), kv[0]))[:top]
    similarity = []
    for (a, b), cnt in pairs:
        va, vb = topic_venues[a], topic_venues[b]
        similarity.append({
            "topic_a": a.split(":", 1)[1], "topic_b": b.split(":", 1)[1],
            "shared_authors": cnt["authors"], "shared_citations": cnt["citations"],
            "shared_venues": len(va & vb),
            "venue_jaccard": round(len(va & vb) / len(va | vb), 4) if va | vb else 0.0,
        })

    # Course overlap: shared papers and Jaccard of their paper sets.
    course_papers: dict[str, set[str]] = defaultdict(set)
    for t, p, _ in readings:
        course_papers[str(g.nodes[t].get("course"))].add(p)
    overlap: list[dict[str, Any]] = []
    for a, b in combinations(sorted(course_papers), 2):
        inter = course_papers[a] & course_papers[b]
        union = course_papers[a] | course_papers[b]
        overlap.append({"course_a": a, "course_b": b, "shared_papers": len(inter),
                        "jaccard": round(len(inter) / len(union), 4) if union else 0.0})
    overlap.sort(key=lambda r: (-r["shared_papers"], r["course_a"], r["course_b"]))

    return {
        "counts": {"courses": len(_by_kind(g, "course")), "topics": len(topics), "papers": len(_by_kind(g, "paper")),
                   "readings": n_readings, "authors": len(_by_kind(g, "author")), "venues": len(_by_kind(g, "venue"))},
        "betweenness_method": method,
        "bridging_papers": bridging,
        "top_authors": ranked(author_reads, "author"),
        "top_venues": ranked(venue_reads, "venue"),
        "topic_similarity": similarity,
        "course_overlap": overlap[:top],
    }


# ---------------------------------------------------------------- drawing


def draw(g: nx.DiGraph, path: Path | str, course: str | None = None) -> None:
    """Draw a course's topics (left column, in week order) and papers (right), as SVG or PNG.

    Papers read in one topic sit in the middle column next to it; papers read in several topics
    sit in a right-hand column, so shared papers stand out. Solid edges: required; dashed: optional.
    The layout is computed, not simulated, so the same data gives the same picture; SVG output
    uses a fixed hash salt and no date, so it is byte-identical too.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise ReadingListError(f"cannot draw {path.name}: give a .svg or .png file name")
    topics = sorted(_by_kind(g, "topic"), key=lambda t: (str(g.nodes[t].get("course")), g.nodes[t].get("position", 0)))
    if course is not None:
        topics = [t for t in topics if g.nodes[t].get("course") == course]
    if not topics:
        raise ReadingListError("nothing to draw: no topics in the selection")
    reads = [(u, v, a) for u, v, a in g.edges(data=True) if a.get("kind") == "reading" and u in set(topics)]
    tpos = {t: i for i, t in enumerate(topics)}
    paper_topics: dict[str, list[str]] = defaultdict(list)
    for u, v, _ in reads:
        paper_topics[v].append(u)
    single = sorted((p for p, ts in paper_topics.items() if len(ts) == 1), key=lambda p: (tpos[paper_topics[p][0]], p))
    shared = sorted((p for p, ts in paper_topics.items() if len(ts) > 1),
                    key=lambda p: (sum(tpos[t] for t in paper_topics[p]) / len(paper_topics[p]), p))
    rows = max(len(topics), len(single), len(shared) * 2, 1)
    height = max(6.0, 0.16 * rows + 1.5)
    fig, ax = plt.subplots(figsize=(14, height))

    def ys(n: int) -> list[float]:
        return [rows - (i + 0.5) * rows / n for i in range(n)] if n else []

    pos: dict[str, tuple[float, float]] = {}
    for t, y in zip(topics, ys(len(topics)), strict=True):
        pos[t] = (0.0, y)
    for p, y in zip(single, ys(len(single)), strict=True):
        pos[p] = (1.0, y)
    for p, y in zip(shared, ys(len(shared)), strict=True):
        pos[p] = (1.8, y)
    for u, v, a in sorted(reads, key=lambda e: (e[0], e[1])):
        (x0, y0), (x1, y1) = pos[u], pos[v]
        req = a.get("role") == "required"
        ax.plot([x0 + 0.02, x1 - 0.02], [y0, y1], color="#1f4e79" if req else "#b0b0b0",
                linestyle="-" if req else (0, (3, 2)), linewidth=0.9 if req else 0.6, zorder=1)
    fs = 7 if rows <= 60 else 5
    for t in topics:
        x, y = pos[t]
        label = str(g.nodes[t].get("title", t))
        week = g.nodes[t].get("week")
        label = (f"{week}. " if week is not None else "") + (label[:42] + "…" if len(label) > 43 else label)
        ax.text(x - 0.02, y, label, ha="right", va="center", fontsize=fs + 1,
                bbox={"boxstyle": "round,pad=0.2", "fc": "#fff2cc", "ec": "#bf9000", "lw": 0.6}, zorder=3)
    required = {v for _, v, a in reads if a.get("role") == "required"}
    for p in single + shared:
        x, y = pos[p]
        is_req = p in required
        ax.scatter([x], [y], s=18, color="#1f4e79" if is_req else "white", edgecolors="#1f4e79",
                   linewidths=0.7, zorder=2)
        label = p.split(":", 1)[1]
        if p in shared:
            label += f" ({len(paper_topics[p])})"
        ax.text(x + 0.03, y, label, ha="left", va="center", fontsize=fs,
                color="#7f0000" if p in shared else "#222222", zorder=3)
    ax.set_xlim(-1.3, 2.6)
    ax.set_ylim(0, rows)
    ax.axis("off")
    title = str(g.nodes[f"course:{course}"].get("title", course)) if course and f"course:{course}" in g else "Reading list"
    ax.set_title(f"{title}: topics (left), papers in one topic (middle), shared papers (right); "
                 "filled/solid = required, open/dashed = optional", fontsize=9)
    fig.tight_layout()
    with matplotlib.rc_context({"svg.hashsalt": "readinglist", "svg.fonttype": "path"}):
        buf = io.BytesIO()
        meta: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buf, format=fmt, metadata=meta, dpi=150)
    plt.close(fig)
    from .project import atomic_write

    atomic_write(path, buf.getvalue())
