"""`readinglist import bib` and `readinglist import syllabus`: bring outside data into the project."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from readinglist.cli import Obj, echo_json, pass_obj

if TYPE_CHECKING:
    from readinglist.importers.report import ImportReport


def _quiet_bibtexparser() -> None:
    import logging

    # bibtexparser logs every failed block itself; they are in the report, with file:line
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


def _print_report(report: ImportReport, fmt: str, verbose: bool) -> None:
    if fmt == "json":
        echo_json(report.to_dict())
    else:
        c = report.counts()
        head = "Dry run: would import" if report.dry_run else ("Imported" if report.written else "Nothing written;")
        click.echo(f"{head} {c['added']} added, {c['merged']} merged, {c['skipped']} skipped, {c['failed']} failed"
                   + (f", {c['unclassified']} unclassified line(s)" if report.kind == "syllabus" else "")
                   + (f"; {c['topics']} topics, {c['readings']} readings" if report.kind == "syllabus" else ""))
        limit = None if verbose else 20
        for title, items in (("failed", report.failed), ("warnings", report.warnings),
                             ("unclassified", report.unclassified), ("merged", report.merged),
                             ("skipped", report.skipped)):
            if not items or (title in ("merged", "skipped") and not verbose and title != "merged"):
                continue
            click.echo(f"{title}:")
            for it in items[:limit]:
                click.echo(f"  {it}")
            if limit is not None and len(items) > limit:
                click.echo(f"  ... and {len(items) - limit} more (--verbose or --format json lists all)")
        for path in report.written:
            click.echo(f"wrote {path}")
    if report.failed and not report.written and not report.dry_run:
        click.echo("The import had failures, so nothing was written; fix them or pass --keep-going.", err=True)
    if report.failed:
        raise SystemExit(1)


@click.group("import")
def import_group() -> None:
    """Import BibTeX files or a course page into the project (topics.yaml and bib/)."""


@import_group.command("bib")
@click.argument("paths", nargs=-1, required=True)
@click.option("--into", "target", default="imported.bib", show_default=True, help="File under bib/ for new entries.")
@click.option("--dry-run", is_flag=True, help="Show the report; write nothing.")
@click.option("--keep-going", is_flag=True, help="Import what can be imported even if some entries fail.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--verbose", "-v", is_flag=True, help="List every merged and skipped entry.")
@pass_obj
def import_bib_cmd(obj: Obj, paths: tuple[str, ...], target: str, dry_run: bool, keep_going: bool, fmt: str,
                   verbose: bool) -> None:
    """Import BibTeX files, folders or globs into bib/.

    Entries are normalized (names, titles, DOIs, arXiv ids, venues), given keys of the form
    lastnameYEARfirstword (the original key is kept in `ids`), and merged with papers the project
    already holds (same arXiv id, DOI, or title with overlapping authors); such a paper's entry
    gains the DOI, arXiv id and input key (in `ids`) it lacks. @string macros, `#`
    concatenation and crossref are resolved; legacy encodings are detected. With any failure
    nothing is written unless --keep-going.

    \b
    Example:
      readinglist import bib ~/papers/library.bib --dry-run
      readinglist import bib refs/*.bib --into lab.bib --keep-going
    """
    from readinglist.importers.bibtex import import_bib

    _quiet_bibtexparser()
    report = import_bib(obj.project.root, list(paths), target=target, dry_run=dry_run, keep_going=keep_going)
    _print_report(report, fmt, verbose)


@import_group.command("syllabus")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--course", "course_id", required=True, help="Id of the new course (a slug).")
@click.option("--title", help="Course title (default: the page's first heading).")
@click.option("--institution", help="Institution.")
@click.option("--term", help="Term, e.g. 'Spring 2022'.")
@click.option("--url", help="The course page URL.")
@click.option("--into", "target", help="File under bib/ for new entries (default: COURSE.bib).")
@click.option("--dry-run", is_flag=True, help="Show the report; write nothing.")
@click.option("--keep-going", is_flag=True, help="Import what can be imported even if some readings fail.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--verbose", "-v", is_flag=True, help="List every merged and skipped link.")
@pass_obj
def import_syllabus_cmd(obj: Obj, path: str, course_id: str, title: str | None, institution: str | None,
                        term: str | None, url: str | None, target: str | None, dry_run: bool, keep_going: bool,
                        fmt: str, verbose: bool) -> None:
    """Import a course page (Markdown, Jekyll or HTML) as a new course with topics and readings.

    Headings become topics; readings are the links under them, required or optional as the page
    labels them (div classes, "Required"/"Optional" headings or labels). Links to papers already in
    the project are linked to them; other papers get new entries in bib/. Slides, forms and video
    links are skipped; lines it cannot classify are reported, never guessed.

    \b
    Example:
      readinglist import syllabus index.md --course cs294-sp22 --term "Spring 2022" --dry-run
    """
    from readinglist.importers.syllabus import import_syllabus

    report = import_syllabus(obj.project.root, path, course_id=course_id, title=title, institution=institution,
                             term=term, url=url, target=target, dry_run=dry_run, keep_going=keep_going)
    _print_report(report, fmt, verbose)


COMMANDS = [import_group]
