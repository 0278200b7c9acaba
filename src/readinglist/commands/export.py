"""`readinglist export FORMAT`: reading lists and bibliographies from the database."""

from __future__ import annotations

import click

from readinglist.cli import Obj, pass_obj

_FORMATS = ("markdown", "jekyll-data", "bibtex", "biblatex", "csl-json", "ris", "json")


@click.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(_FORMATS))
@click.option("--course", "-c", help="Only this course.")
@click.option("--topic", "-t", help="Only this topic (with --course, or looked up in every course).")
@click.option("--role", type=click.Choice(["required", "optional"]), help="Only required or only optional readings.")
@click.option("--style", type=click.Choice(["plain", "cs294"]), default="plain", show_default=True,
              help="markdown only: plain, or the CS294 AI-Sys site's <div class=\"required_reading\"> layout.")
@click.option("-o", "--output", "out", default="-", show_default=True,
              help="File to write (atomically), - for stdout; a folder for jekyll-data.")
@pass_obj
def export_cmd(obj: Obj, fmt: str, course: str | None, topic: str | None, role: str | None, style: str,
               out: str) -> None:
    """Export reading lists (markdown, jekyll-data) or bibliographies (bibtex, biblatex, csl-json, ris, json).

    Output is deterministic (same data, same bytes) and written atomically. Titles and notes are
    data: nothing in them can become Markdown, HTML, a Liquid tag or a new BibTeX field.
    With no filter, bibliographies hold every paper of the project; with --course/--topic/--role,
    the papers read there.

    \b
    Example:
      readinglist export markdown --course cs294-sp22 -o reading-list.md
      readinglist export markdown --course cs294-sp22 --style cs294
      readinglist export bibtex --course cs294-sp22 --role required -o required.bib
      readinglist export jekyll-data -o site/_data/readinglist
    """
    from readinglist.export import export, write

    with obj.project.store() as db:
        result = export(db, fmt, course=course, topic=topic, role=role, style=style)
    written = write(result, out)
    if written:
        click.echo(f"Wrote {len(written)} file(s): " + ", ".join(str(p) for p in written[:5])
                   + (" ..." if len(written) > 5 else ""), err=True)


COMMANDS = [export_cmd]
