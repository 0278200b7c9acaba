"""`readinglist graph export|stats|draw`: the reading-list graph (networkx)."""

from __future__ import annotations

from typing import Any

import click

from readinglist.cli import Obj, echo_json, echo_table, pass_obj


@click.group("graph")
def graph_group() -> None:
    """The graph of courses, topics, papers, authors, venues and areas.

    \b
    Example:
      readinglist graph export --format graphml -o readinglist.graphml
      readinglist graph stats --course cs294-sp22
      readinglist graph draw --course cs294-sp22 -o cs294.svg
    """


@graph_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "json", "dot"]), default="graphml",
              show_default=True, help="graphml (Cytoscape, Gephi), gexf (Gephi), json (node-link), dot (Graphviz).")
@click.option("--course", "-c", help="Only this course's topics and papers.")
@click.option("-o", "--output", "out", default="-", show_default=True, help="File to write (atomically), - for stdout.")
@pass_obj
def graph_export(obj: Obj, fmt: str, course: str | None, out: str) -> None:
    """Write the graph as GraphML, GEXF, node-link JSON or DOT (see docs/exports.md for the model).

    \b
    Example:
      readinglist graph export --format gexf -o readinglist.gexf
    """
    from readinglist.export import write
    from readinglist.graph import build_graph, export_graph

    with obj.project.store() as db:
        g = build_graph(db, course)
    written = write(export_graph(g, fmt), out)
    if written:
        click.echo(f"Wrote {written[0]} ({g.number_of_nodes()} nodes, {g.number_of_edges()} edges)", err=True)


@graph_group.command("stats")
@click.option("--course", "-c", help="Only this course.")
@click.option("--top", "-n", default=10, show_default=True, help="Rows per table.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_obj
def graph_stats(obj: Obj, course: str | None, top: int, fmt: str) -> None:
    """Bridging papers, most-read authors and venues, similar topics, course overlap.

    \b
    Example:
      readinglist graph stats --course cs294-sp22
    """
    from readinglist.graph import build_graph, stats

    with obj.project.store() as db:
        g = build_graph(db, course)
    s = stats(g, top=top)
    if fmt == "json":
        echo_json(s)
        return
    c = s["counts"]
    click.echo(f"{c['courses']} course(s), {c['topics']} topics, {c['papers']} papers, {c['readings']} readings, "
               f"{c['authors']} authors, {c['venues']} venues")

    def section(title: str, rows: list[dict[str, Any]], cols: list[tuple[str, str]], empty: str = "(none)") -> None:
        click.echo("")
        click.echo(title)
        echo_table(rows, cols, empty=empty)

    def pct(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [dict(r, pct=f"{100 * r['share']:.1f}%") for r in rows]

    section(f"Papers bridging most topics (betweenness, {s['betweenness_method']})", s["bridging_papers"],
            [("paper", "paper"), ("topics", "topics"), ("betweenness", "betweenness"), ("title", "title")],
            empty="(none: no paper is read under more than one topic)")
    section("Most read authors (share of readings)", pct(s["top_authors"]),
            [("author", "author"), ("readings", "readings"), ("pct", "share")])
    section("Most read venues (share of readings)", pct(s["top_venues"]),
            [("venue", "venue"), ("readings", "readings"), ("pct", "share")])
    section("Most similar topics (shared authors and citations; venues)", s["topic_similarity"],
            [("topic_a", "topic"), ("topic_b", "topic"), ("shared_authors", "authors"),
             ("shared_citations", "citations"), ("shared_venues", "venues"), ("venue_jaccard", "venue J")])
    if course is None:
        section("Course overlap (shared papers, Jaccard)", s["course_overlap"],
                [("course_a", "course"), ("course_b", "course"), ("shared_papers", "shared"), ("jaccard", "Jaccard")])


@graph_group.command("draw")
@click.option("--course", "-c", help="The course to draw (default: the first course).")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              help="FILE.svg or FILE.png.")
@pass_obj
def graph_draw(obj: Obj, course: str | None, out: str) -> None:
    """Draw a course's topics and papers (required/optional and shared papers distinguished).

    Deterministic: the same data gives the same SVG bytes.

    \b
    Example:
      readinglist graph draw --course cs294-sp22 -o cs294.svg
    """
    from readinglist.graph import build_graph, draw

    with obj.project.store() as db:
        if course is None:
            rows = db.courses()
            if not rows:
                raise click.ClickException("no courses to draw")
            course = str(rows[0]["id"])
        g = build_graph(db, course)
    draw(g, out, course)
    click.echo(f"Wrote {out}", err=True)


COMMANDS = [graph_group]
