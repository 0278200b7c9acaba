"""Commands `add` (a paper by id, URL or title onto a topic) and `enrich` (metadata from sources)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from readinglist.cli import Obj, echo_json, pass_obj

if TYPE_CHECKING:
    from readinglist.enrich import MergeResult, Resolution

SOURCE_NAMES = ("arxiv", "semanticscholar", "s2", "dblp", "crossref", "localbib")


@dataclass
class _Planned:
    ident: str
    key: str
    new: bool
    reason: str = ""
    entry_type: str = "misc"
    fields: dict[str, str] = field(default_factory=dict)
    merge: MergeResult | None = None
    resolution: Resolution | None = None
    reading_added: bool = False


def _line_of(text: str, needle: str, after: int = 0) -> int | None:
    """1-based line of the first `needle` at or after line `after + 1` (None if absent)."""
    lines = text.splitlines(keepends=True)
    for i in range(after, len(lines)):
        if needle.rstrip("\n") in lines[i]:
            return i + 1
    return None


def _fingerprint_of_ident(kind: str, value: str) -> Any:
    from readinglist.importers.dedup import fingerprint
    from readinglist.normalize import parse_arxiv_id

    if kind == "arxiv":
        a = parse_arxiv_id(value)
        return fingerprint({"eprint": a.canonical, "archiveprefix": "arXiv"} if a else {})
    if kind == "doi":
        return fingerprint({"doi": value})
    if kind == "url":
        return fingerprint({}, [value])
    return fingerprint({"title": value})


@click.command("add")
@click.argument("ids", nargs=-1, required=True)
@click.option("--course", "-c", required=True, help="Course id (must exist).")
@click.option("--topic", "-t", required=True, help="Topic id within the course.")
@click.option("--required/--optional", "required", default=True, show_default=True,
              help="Role of the reading.")
@click.option("--note", help="A note shown with the reading.")
@click.option("--claim", help="The syllabus's own venue tag, verbatim (e.g. \"SIGMOD’18\").")
@click.option("--create-topic", is_flag=True, help="Create the topic if it does not exist.")
@click.option("--topic-title", help="Title of a topic created with --create-topic.")
@click.option("--bib", "bib_file", type=click.Path(dir_okay=False),
              help="The .bib file new entries go to (default: bib/COURSE.bib).")
@click.option("--dry-run", is_flag=True, help="Print the BibTeX and the topics.yaml change; "
                                              "write nothing.")
@click.option("--offline", is_flag=True, help="Answer from the HTTP cache and local .bib files "
                                             "only; never touch the network.")
@pass_obj
def add(obj: Obj, ids: tuple[str, ...], course: str, topic: str, required: bool,
        note: str | None, claim: str | None, create_topic: bool, topic_title: str | None,
        bib_file: str | None, dry_run: bool, offline: bool) -> None:
    """Add papers to a topic: look them up, write the BibTeX entry and the reading.

    ID is an arXiv id in any form (2104.04473, arXiv:2104.04473v2, an abs/pdf URL), a DOI or
    DOI URL (doi.org, dl.acm.org/doi/...), a proceedings page URL (USENIX, OpenReview, PMLR,
    NeurIPS; read through its citation meta tags) or a quoted title. The entry is appended to
    bib/ (normalized), the reading to topics.yaml (comments and layout kept), and the database
    rebuilt. A paper already in bib/ (in any id form) is not added again; if the topic already
    has it, nothing changes.

    \b
    Example:
      readinglist add 1712.01208 --course cs294-sp22 --topic ml-for-systems --optional
      readinglist add "The Case for Learned Index Structures" -c cs294-sp22 -t ml-for-systems --dry-run
    """
    import difflib

    from readinglist.bibwrite import BibEntry, append_entries, format_entry, safe_value
    from readinglist.enrich import (
        load_resolution,
        new_entry,
        parse_ident,
        resolve,
        save_resolution,
    )
    from readinglist.errors import NotFoundError, ReadingListError
    from readinglist.importers.dedup import DedupIndex, fingerprint
    from readinglist.models import Paper, Reading
    from readinglist.normalize import make_key, unique_key
    from readinglist.project import atomic_write
    from readinglist.yamledit import TopicsEditor, fast_append_reading, project_lock

    proj = obj.project
    catalog = proj.load()
    c = next((x for x in catalog.courses if x.id.lower() == course.lower()), None)
    if c is None:
        raise NotFoundError(f"unknown course {course!r}; `readinglist courses` lists them")
    t = next((x for x in c.topics if x.id.lower() == topic.lower()), None)
    if t is None and not create_topic:
        raise NotFoundError(f"unknown topic {topic!r} in course {c.id!r}; pass --create-topic "
                            "(and --topic-title) to create it")
    course_id, topic_id = c.id, (t.id if t else topic)

    index = DedupIndex()
    for paper in catalog.papers.values():
        index.add(paper.key, fingerprint(paper.fields))
    taken = {k.lower() for k in catalog.papers}

    sources: dict[str, Any] | None = None
    http: Any = None
    plans: list[_Planned] = []
    resolved: list[Resolution] = []
    for ident in ids:
        kind, value = parse_ident(ident)
        hit = index.match(_fingerprint_of_ident(kind, value)) if kind != "title" else None
        if hit is not None:
            plans.append(_Planned(ident, hit[0], False, hit[1]))
            continue
        res = load_resolution(proj.state_dir, ident, offline)
        if res is None:
            if sources is None:
                from readinglist.sources import make_http, make_sources

                http = make_http(catalog.config, proj.state_dir, offline)
                sources = make_sources(catalog.config, proj.state_dir, offline, http=http)
            res = resolve(ident, sources, http)
            resolved.append(res)
        merged = new_entry(res)
        fields = merged.fields
        if not fields.get("title"):
            raise ReadingListError(f"{ident}: the sources gave no title; nothing was written")
        hit = index.match(fingerprint(fields))
        if hit is not None:
            plans.append(_Planned(ident, hit[0], False, hit[1], resolution=res))
            continue
        key = unique_key(make_key(fields.get("author", ""), fields.get("year"),
                                  fields["title"]), taken)
        taken.add(key.lower())
        index.add(key, fingerprint(fields))
        plans.append(_Planned(ident, key, True, "", merged.entry_type, fields, merged, res))

    bib_path = Path(bib_file) if bib_file else proj.bib_dir / f"{course_id}.bib"
    if not bib_path.is_absolute():
        bib_path = (Path.cwd() / bib_path) if bib_file else bib_path
    new_entries = [BibEntry(p.key, p.entry_type, p.fields) for p in plans if p.new]

    with project_lock(proj.state_dir):
        for res in resolved:
            save_resolution(proj.state_dir, res)
        old_topics = proj.topics_path.read_bytes()
        old_bib = bib_path.read_bytes() if bib_path.exists() else None
        role = "required" if required else "optional"
        new_yaml = None
        fast_reading: Reading | None = None
        on_topic = {r.paper for r in t.readings} if t is not None else set()
        todo = [p for p in plans if p.key not in on_topic]
        if t is not None and len(todo) == 1:  # the common case, without the round trip
            new_yaml = fast_append_reading(
                old_topics.decode("utf-8-sig"), course_id, t,
                {"paper": todo[0].key, "role": role, "note": note, "claim": claim})
            if new_yaml is not None:
                todo[0].reading_added = True
                fast_reading = Reading(todo[0].key, role, note or None, claim or None,  # type: ignore[arg-type]  # role is one of ROLES
                                       line=_line_of(new_yaml, f"- paper: {todo[0].key}\n",
                                                     after=t.readings[-1].line or 0))
        if new_yaml is None and (todo or t is None):
            with TopicsEditor(proj.topics_path) as ed:
                if not ed.has_topic(course_id, topic_id):
                    ed.add_topic(course_id, {"id": topic_id, "title": topic_title or topic_id})
                for p in plans:
                    reading = {"paper": p.key, "role": role, "note": note, "claim": claim}
                    p.reading_added = ed.add_reading(course_id, topic_id, reading)
                new_yaml = ed.dumps() if ed.changed else None
                ed.changed = False  # written below, together with the .bib file
        if dry_run:
            for e in new_entries:
                click.echo(format_entry(e.key, e.entry_type, e.fields))
            if new_yaml is not None:
                diff = difflib.unified_diff(
                    old_topics.decode("utf-8-sig").splitlines(keepends=True),
                    new_yaml.splitlines(keepends=True), fromfile=f"a/{proj.rel(proj.topics_path)}",
                    tofile=f"b/{proj.rel(proj.topics_path)}")
                click.echo("".join(diff), nl=False)
            _report_plans(plans, course_id, topic_id, proj.rel(bib_path), dry_run=True)
            return
        if new_entries or new_yaml is not None:
            try:
                bib_text = append_entries(bib_path, new_entries) if new_entries else None
                if new_yaml is not None:
                    atomic_write(proj.topics_path, new_yaml)
                if fast_reading is not None and t is not None:
                    # the catalog as a reload would give it, without parsing everything again
                    for e in new_entries:
                        catalog.papers[e.key] = Paper(
                            e.key, e.entry_type, {k.lower(): safe_value(v) for k, v in
                                                  e.fields.items() if safe_value(v)},
                            file=proj.rel(bib_path),
                            line=_line_of(bib_text or "", f"@{e.entry_type}{{{e.key},"))
                    t.readings.append(fast_reading)
                    proj.build(catalog)
                else:
                    proj.build()
            except BaseException:
                atomic_write(proj.topics_path, old_topics)
                if old_bib is None:
                    bib_path.unlink(missing_ok=True)
                else:
                    atomic_write(bib_path, old_bib)
                raise
    _report_plans(plans, course_id, topic_id, proj.rel(bib_path), dry_run=False)


def _report_plans(plans: list[_Planned], course: str, topic: str, bib: str,
                  dry_run: bool) -> None:
    would = "would be " if dry_run else ""
    for p in plans:
        where = f"{course}/{topic}"
        if not p.new and not p.reading_added:
            click.echo(f"{p.ident}: already there as {p.key} ({p.reason}) on {where}; "
                       "nothing changed")
            continue
        if p.new:
            click.echo(f"{p.ident}: {p.key} {would}added to {bib}")
        else:
            click.echo(f"{p.ident}: already in bib/ as {p.key} ({p.reason})")
        if p.reading_added:
            click.echo(f"  reading {p.key} {would}added to {where}")
        if p.merge is not None:
            for conf in p.merge.conflicts:
                click.echo(f"  conflict: {conf.describe()}")
        if p.resolution is not None:
            for miss in p.resolution.missing:
                click.echo(f"  not resolved: {miss}", err=True)


def _progress_bar() -> tuple[Any, Any]:
    """A rich progress bar on stderr (None when stderr is not a terminal)."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   console=Console(stderr=True), transient=True)
    tasks: dict[str, Any] = {}

    def tick(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return bar, tick


@click.command("enrich")
@click.option("--course", "-c", help="Only the papers this course reads.")
@click.option("--missing", "missing_only", is_flag=True,
              help="Only papers missing author, title, year, venue, DOI or URL.")
@click.option("--source", "only", multiple=True, type=click.Choice(SOURCE_NAMES),
              help="Use only this source (repeatable); default: all configured.")
@click.option("--offline", is_flag=True,
              help="HTTP cache and local .bib files only; list what could not be resolved.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_obj
def enrich_cmd(obj: Obj, course: str | None, missing_only: bool, only: tuple[str, ...],
               offline: bool, fmt: str) -> None:
    """Fill and check the papers' metadata from arXiv, Semantic Scholar, DBLP and Crossref.

    Batched per source (arXiv 100 ids a request, Semantic Scholar 500), cached under
    .readinglist/ (a second run makes no request), written back to bib/ batch by batch (an
    interrupted run keeps what it finished; run it again to resume). Fields a person wrote are
    never overwritten; differences are listed as conflicts, title matches that are not certain
    as candidates; arXiv preprints whose published version is found get venue, year and DOI;
    syllabus venue claims that disagree with the metadata are listed. Exits 1 if a source failed.

    \b
    Example:
      readinglist enrich --course cs294-sp22
      readinglist enrich --missing --source arxiv --offline
    """
    from readinglist.enrich import enrich
    from readinglist.sources import make_http

    proj = obj.project
    catalog = proj.load()
    http = make_http(catalog.config, proj.state_dir, offline)
    bar, tick = _progress_bar()
    try:
        if bar is not None:
            bar.start()
        report = enrich(proj, course=course, missing_only=missing_only, offline=offline,
                        progress=tick, only=list(only) or None, http=http)
    finally:
        if bar is not None:
            bar.stop()
        http.close()
    if report.updated:
        proj.build()
    if fmt == "json":
        echo_json(report.as_dict())
    else:
        _print_report(report)
    if report.errors:
        sys.exit(1)


def _print_report(report: Any) -> None:
    click.echo(f"{report.papers} paper(s) checked, {len(report.updated)} updated, "
               f"{report.requests} request(s) made")
    for key, what in report.published.items():
        click.echo(f"published version: {key}: {what}")
    by_key: dict[str, list[str]] = {}
    for ch in report.changes:
        by_key.setdefault(ch.key, []).append(f"{ch.field} ({ch.source})")
    for key, what in by_key.items():
        click.echo(f"updated {key}: {', '.join(what)}")
    for conf in report.conflicts:
        click.echo(f"conflict: {conf.describe()}")
    for cand in report.candidates:
        click.echo(f"candidate: {cand.describe()}")
    for claim in report.claims:
        click.echo(f"claim: {claim.message}")
    if report.unresolved:
        click.echo(f"{len(report.unresolved)} lookup(s) could not be resolved:")
        for line in report.unresolved:
            click.echo(f"  {line}")
    for err in report.errors:
        click.echo(f"Error: {err}", err=True)
    if report.errors:
        click.echo("Finished batches were written; run the command again to resume.", err=True)


COMMANDS = [add, enrich_cmd]
