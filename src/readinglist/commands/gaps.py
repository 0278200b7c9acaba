"""Commands `gaps`, `compare`, `report` and `why`: coverage gaps and cross-course comparison."""

from __future__ import annotations

from typing import Any

import click

from readinglist.cli import Obj, echo_json, echo_table, pass_obj


def _config(obj: Obj) -> dict[str, Any]:
    """The topics.yaml `config` mapping, as the last build stored it (the build runs first if stale)."""
    from readinglist.gaps import load_config

    with obj.project.store() as db:
        return load_config(db)


def _markdown(findings: list[dict[str, Any]]) -> str:
    def esc(s: Any) -> str:
        return "" if s is None else str(s).replace("|", "\\|").replace("\n", " ")

    lines = ["| severity | kind | course | topic | area | papers | message | suggestion |",
             "|---|---|---|---|---|---|---|---|"]
    for f in findings:
        lines.append("| " + " | ".join(esc(x) for x in (
            f["severity"], f["kind"], f["course"], f["topic"], f["area"], ", ".join(f["papers"]),
            f["message"], f["suggestion"])) + " |")
    return "\n".join(lines)


@click.command()
@click.option("--course", "-c", help="Only this course (default: every course).")
@click.option("--topic", "-t", help="Only findings about this topic of --course.")
@click.option("--against", "-a", multiple=True, help="Compare with these courses (repeatable): "
              "areas they cover, papers they co-assign.")
@click.option("--min-courses", "-k", type=click.IntRange(min=1), default=None,
              help="With --against: papers at least k of them assign (default config.gaps.co_assignment_min_courses).")
@click.option("--severity", type=click.Choice(["high", "medium", "low", "info"]), default="info", show_default=True,
              help="Show findings of this severity or worse.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@pass_obj
def gaps(obj: Obj, course: str | None, topic: str | None, against: tuple[str, ...], min_courses: int | None,
         severity: str, fmt: str) -> None:
    """Coverage gaps of a course: topics without (or with too many) readings, areas of the
    taxonomy no topic covers, stale topics, preprints, venue/year claims that disagree with the
    metadata, missing metadata, duplicates, concentration. Thresholds: `config: gaps:` in
    topics.yaml (docs/gaps.md).

    \b
    Example:
      readinglist gaps --course cs294-sp22
      readinglist gaps --course cs294-sp22 --against gatech-cs8803-smr --format json
    """
    from readinglist.gaps import SEVERITIES, find_gaps

    cfg = _config(obj)
    with obj.project.store() as db:
        findings = find_gaps(db, course, against=against, topic=topic, config=cfg, min_courses=min_courses)
    keep = SEVERITIES[: SEVERITIES.index(severity) + 1]
    rows = [f.to_dict() for f in findings if f.severity in keep]
    if fmt == "json":
        echo_json(rows)
        return
    if fmt == "markdown":
        click.echo(_markdown(rows))
        return
    if not rows:
        click.echo("No gaps found.")
        return
    for r in rows:
        r["where"] = "/".join(x for x in (r["course"], r["topic"]) if x) or "-"
        r["subject"] = r["area"] or ", ".join(r["papers"][:3]) + (" ..." if len(r["papers"]) > 3 else "")
    echo_table(rows, [("severity", "sev"), ("kind", "kind"), ("where", "where"), ("subject", "area/papers"),
                      ("message", "message")])
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["severity"]] = counts.get(r["severity"], 0) + 1
    click.echo("")
    click.echo(f"{len(rows)} finding(s): " + ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if s in counts)
               + ". `--format json` adds the suggestion for each.")


@click.command()
@click.argument("course")
@click.argument("others", nargs=-1)
@click.option("--min-courses", "-k", type=click.IntRange(min=1), default=1, show_default=True,
              help="Papers at least k of the other courses assign.")
@click.option("--limit", "-n", type=click.IntRange(min=1), default=30, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_obj
def compare(obj: Obj, course: str, others: tuple[str, ...], min_courses: int, limit: int, fmt: str) -> None:
    """Compare COURSE with OTHERS (default: every other course): papers they co-assign that COURSE
    does not (ranked by how many assign them, then how many as required), areas they cover that
    COURSE does not, and the overlap matrix (shared papers, Jaccard).

    \b
    Example:
      readinglist compare cs294-sp22 cs294-sp19 cmu-11868-s24 --min-courses 2
    """
    from readinglist.gaps import compare as run

    with obj.project.store() as db:
        res = run(db, course, others, min_courses=min_courses, limit=limit)
    if fmt == "json":
        echo_json(res)
        return
    n = len(res["others"])
    click.echo(f"Papers at least {min_courses} of {n} other course(s) assign and {course} does not:")
    echo_table(res["co_assigned"], [("courses", "courses"), ("required_in", "required"), ("paper", "paper"),
                                    ("year", "year"), ("title", "title")], empty="  (none)")
    click.echo("")
    click.echo(f"Areas other courses cover and {course} does not:")
    echo_table([dict(r, by=", ".join(r["covered_by"])) for r in res["missing_areas"]],
               [("area", "area"), ("courses", "courses"), ("by", "covered by")], empty="  (none)")
    click.echo("")
    click.echo("Overlap (shared papers / Jaccard):")
    ids = [course, *res["others"]]
    cell = {(r["a"], r["b"]): r for r in res["overlap"]}
    rows = []
    for a in ids:
        row: dict[str, Any] = {"course": a}
        for b in ids:
            c = cell[(a, b)]
            row[b] = f"{c['shared']}/{c['jaccard']:.2f}"
        rows.append(row)
    echo_table(rows, [("course", "")] + [(b, b) for b in ids])


@click.command()
@click.option("--course", "-c", help="The course to report on (default: every course).")
@click.option("--against", "-a", multiple=True, help="Compare with these courses (repeatable).")
@click.option("--min-courses", "-k", type=click.IntRange(min=1), default=None,
              help="With --against: papers at least k of them assign (default config.gaps.co_assignment_min_courses).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default="report.html", show_default=True)
@pass_obj
def report(obj: Obj, course: str | None, against: tuple[str, ...], min_courses: int | None, output: str) -> None:
    """Write one self-contained HTML page: findings, the coverage heatmap (topics x areas, and
    courses x areas) and the co-assignment table. No network needed to view it.

    \b
    Example:
      readinglist report --course cs294-sp22 --against gatech-cs8803-smr -o report.html
    """
    from pathlib import Path

    from readinglist.project import atomic_write
    from readinglist.report import build_report

    cfg = _config(obj)
    with obj.project.store() as db:
        html = build_report(db, course, against=against, config=cfg, min_courses=min_courses)
    out = Path(output)
    atomic_write(out, html)
    click.echo(f"Wrote {out} ({len(html.encode('utf-8')) // 1024} KiB)")


@click.command()
@click.argument("subject")
@click.argument("area")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_obj
def why(obj: Obj, subject: str, area: str, fmt: str) -> None:
    """Why SUBJECT maps to AREA (or why not). SUBJECT is a paper (key, arXiv id, DOI) or COURSE/TOPIC.

    \b
    Example:
      readinglist why huang2019gpipe distributed-training
      readinglist why cs294-sp22/hardware hardware-accelerators
    """
    from readinglist.gaps import why as run

    with obj.project.store() as db:
        res = run(db, subject, area)
    if fmt == "json":
        echo_json(res)
        return
    if res["mapped"]:
        click.echo(f"{res['subject']} -> {res['area']} ({res['source']}): {res['reason']}")
        return
    click.echo(f"{res['subject']} is not mapped to {res['area']}"
               + (f": {res['reason']}" if res["reason"] else "."))
    click.echo(f"  {res['area']} keywords: {', '.join(res['keywords']) or '(none)'}")
    if res["kind"] == "paper":
        click.echo("  To map it, add `areas = {" + res["area"] + "}` to its BibTeX entry.")
    else:
        click.echo(f"  To map it, add `areas: [{res['area']}]` to the topic in topics.yaml.")


COMMANDS = [gaps, compare, report, why]
