"""The `readinglist` command line: parse options, call the library, print.

Commands live here (the core ones) and in `readinglist.commands.*` modules, each of which exposes
`COMMANDS` (a list of click commands); they are found at start-up, so keep their heavy imports
inside the command functions.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path
from typing import Any

import click

from .api import ReadingList
from .errors import ReadingListError, ValidationError


class Obj:
    """What every command gets: the project (folder + database path) and output options."""

    def __init__(self, root: str | None, db: str | None) -> None:
        self.root = root
        self.db = db
        self._project: ReadingList | None = None

    @property
    def project(self) -> ReadingList:
        if self._project is None:
            self._project = ReadingList(self.root, self.db)
        return self._project


pass_obj = click.make_pass_decorator(Obj)


def echo_table(rows: list[dict[str, Any]], columns: list[tuple[str, str]], empty: str = "(none)") -> None:
    """A plain aligned table: columns are (key, header)."""
    if not rows:
        click.echo(empty)
        return
    cells = [[("" if r.get(k) is None else str(r.get(k))) for k, _ in columns] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, (_, h) in enumerate(columns)]
    click.echo("  ".join(h.ljust(w) for (_, h), w in zip(columns, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for c in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True))


class Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationError as exc:
            click.echo(f"Error: {len(exc.problems)} problem(s) in the project sources:", err=True)
            for p in exc.problems:
                click.echo(f"  {p}", err=True)
            click.echo("Fix them and run the command again; nothing was changed.", err=True)
            ctx.exit(1)
        except ReadingListError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except OSError as exc:  # a file the user named cannot be read or written
            if exc.filename is None:
                raise
            click.echo(f"Error: {exc.filename}: {exc.strerror or exc}; check the path and its permissions", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted; work committed so far is kept.", err=True)
            ctx.exit(130)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False), envvar="READINGLIST_ROOT",
              help="Project folder (default: current directory; env READINGLIST_ROOT).")
@click.option("--db", type=click.Path(dir_okay=False), help="Database path (default: ROOT/.readinglist/readinglist.db).")
@click.version_option(package_name="readinglist")
@click.pass_context
def main(ctx: click.Context, root: str | None, db: str | None) -> None:
    """readinglist: course reading lists as data.

    The sources of truth are topics.yaml and bib/*.bib in the project folder; the SQLite
    database under .readinglist/ is derived from them and rebuilt on demand.

    \b
    Example:
      readinglist build
      readinglist topics --course cs294-sp22
      readinglist search "pipeline parallel"
    """
    ctx.obj = Obj(root, db)


@main.command()
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_obj
def build(obj: Obj, quiet: bool, fmt: str) -> None:
    """Validate topics.yaml and bib/ and rebuild the database.

    The build is atomic: on any problem it reports every one (file:line: id: what to do), exits
    non-zero and leaves the previous database as it was.

    \b
    Example:
      readinglist build
    """
    proj = obj.project
    summary = proj.build()
    if quiet:
        return
    if fmt == "json":
        echo_json(summary)
        return
    click.echo(f"Built {proj.rel(proj.db_path)} from {proj.rel(proj.topics_path)} and {len(proj.bib_files())} .bib file(s)")
    click.echo(f"{len(summary['courses'])} courses, {summary['topics']} topics, "
               f"{summary['readings']['required'] + summary['readings']['optional']} readings "
               f"({summary['readings']['required']} required, {summary['readings']['optional']} optional), "
               f"{summary['papers']} papers, {summary['authors']} authors, {summary['areas']} areas")
    click.echo("")
    echo_table(
        [dict(c, readings=c["required"] + c["optional"]) for c in summary["courses"]],
        [("id", "course"), ("topics", "topics"), ("topics_with_readings", "with readings"),
         ("readings", "readings"), ("required", "required"), ("optional", "optional")],
    )
    missing = summary["missing"]
    click.echo("")
    if missing:
        click.echo(f"{len(missing)} paper(s) missing key fields:")
        for key, fields in list(missing.items())[:10]:
            click.echo(f"  {key}: {', '.join(fields)}")
        if len(missing) > 10:
            click.echo(f"  ... and {len(missing) - 10} more (readinglist build --format json lists all)")
    else:
        click.echo("All papers have authors, year, venue and a stable link.")


INIT_TOPICS = """\
# readinglist project: courses, their weekly topics and readings, and the area taxonomy.
# Format: https://github.com/readinglist/readinglist/blob/main/docs/format.md
# Papers are named by citation key; their entries live in bib/*.bib.
# Quote anything YAML could read as a number: paper: "2101.00010".
version: 1

courses: []
# Example:
# courses:
#   - id: mlsys-fall26
#     title: Machine Learning Systems
#     institution: Example University
#     term: Fall 2026
#     url: https://example.edu/mlsys
#     topics:
#       - id: distributed-training
#         title: Distributed Training
#         week: 3
#         areas: [distributed-training]
#         readings:
#           - paper: narayanan2021efficient     # an entry in bib/*.bib
#             role: required                    # required | optional
#             note: Best Student Paper          # optional

areas: []
# Example:
# areas:
#   - id: distributed-training
#     title: Distributed training
#     description: Data, model and pipeline parallel training systems.
#     keywords: [data parallel, pipeline parallel, model parallel, allreduce]
"""

INIT_GITIGNORE = """\
# readinglist derived state (database, HTTP cache): rebuilt from topics.yaml and bib/
.readinglist/
"""


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@pass_obj
def init(obj: Obj, directory: str | None) -> None:
    """Start a new, empty project in DIRECTORY (default: the project folder).

    Creates topics.yaml (with a commented example), bib/ and a .gitignore; refuses to overwrite
    an existing topics.yaml.

    \b
    Example:
      readinglist init my-course && cd my-course && readinglist build
    """
    from .project import atomic_write, find_root

    root = find_root(directory or obj.root)
    topics = root / "topics.yaml"
    if topics.exists():
        raise ReadingListError(f"{topics} already exists; this folder is already a project")
    root.mkdir(parents=True, exist_ok=True)
    (root / "bib").mkdir(exist_ok=True)
    atomic_write(topics, INIT_TOPICS)
    gi = root / ".gitignore"
    if not gi.exists():
        atomic_write(gi, INIT_GITIGNORE)
    elif ".readinglist/" not in gi.read_text(encoding="utf-8", errors="replace"):
        atomic_write(gi, gi.read_text(encoding="utf-8") + "\n" + INIT_GITIGNORE)
    click.echo(f"Created a readinglist project in {root}")
    click.echo("Next: add a course to topics.yaml, papers with `readinglist add ID`, then `readinglist build`.")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_obj
def courses(obj: Obj, fmt: str) -> None:
    """List the courses with their topic and reading counts."""
    with obj.project.store() as db:
        rows = db.courses()
    if fmt == "json":
        echo_json(rows)
        return
    echo_table(rows, [("id", "id"), ("title", "title"), ("institution", "institution"), ("term", "term"),
                      ("topics", "topics"), ("required", "required"), ("optional", "optional")],
               empty="No courses yet: add one to topics.yaml.")


@main.command()
@click.option("--course", "-c", help="Only this course.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_obj
def topics(obj: Obj, course: str | None, fmt: str) -> None:
    """List topics in course order, with their reading counts.

    \b
    Example:
      readinglist topics --course cs294-sp22
    """
    with obj.project.store() as db:
        rows = db.topics(course)
    if fmt == "json":
        echo_json(rows)
        return
    echo_table(rows, [("course_id", "course"), ("position", "#"), ("id", "topic"), ("week", "week"),
                      ("title", "title"), ("required", "req"), ("optional", "opt")])


@main.command()
@click.argument("key")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_obj
def show(obj: Obj, key: str, fmt: str) -> None:
    """Show one paper: metadata and where it is read.

    KEY is a citation key, an alias, an arXiv id in any form or a DOI.

    \b
    Example:
      readinglist show 2104.04473
    """
    with obj.project.store() as db:
        p = db.paper(key)
    if fmt == "json":
        echo_json(p)
        return
    click.echo(f"{p['key']}  [{p['entry_type']}]")
    click.echo(f"  title:   {p['title']}")
    click.echo(f"  authors: {', '.join(p['authors']) or '(none)'}")
    for label, col in (("year", "year"), ("venue", "venue"), ("in", "venue_full"), ("doi", "doi"),
                       ("arXiv", "arxiv_id"), ("url", "url"), ("pages", "pages"), ("source", "provenance")):
        if p.get(col):
            click.echo(f"  {label + ':':<8} {p[col]}")
    click.echo(f"  file:    {p['bib_file']}:{p['bib_line']}")
    if p["readings"]:
        click.echo("  read in:")
        for r in p["readings"]:
            extra = f" ({r['note']})" if r["note"] else ""
            click.echo(f"    {r['course_id']} / {r['topic_id']}: {r['role']}{extra}")


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, required=True, type=click.UNPROCESSED)
@click.option("--limit", "-n", default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_obj
def search(obj: Obj, query: tuple[str, ...], limit: int, fmt: str) -> None:
    """Full-text search over titles, abstracts and authors, or look up an id.

    Any text works: words are matched as words (`c++`, `NOT` and quotes are not syntax);
    end a word with * for a prefix match.

    \b
    Example:
      readinglist search pipeline parallel
      readinglist search 2104.04473
    """
    text = " ".join(query)
    with obj.project.store() as db:
        rows = db.search(text, limit=limit)
    if fmt == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo(f"no matches for {text!r}")
        return
    echo_table(rows, [("key", "key"), ("year", "year"), ("venue", "venue"), ("title", "title")])


def _load_plugins() -> None:
    from . import commands

    for mod in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{mod.name}")
        for cmd in getattr(module, "COMMANDS", []):
            main.add_command(cmd)


_load_plugins()


def run() -> None:  # pragma: no cover - console entry point alias
    main(prog_name=Path(sys.argv[0]).name)
