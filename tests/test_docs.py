"""Every command is documented: it has help text with an example, and the README names it."""

from __future__ import annotations

import click

from readinglist.cli import main

from .helpers import REPO


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        out.append((prefix + name, cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, prefix + name + " ")
    return out


def test_every_command_in_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [name for name, _ in _commands(main) if " " not in name and f"readinglist {name}" not in readme]
    assert missing == []


def test_every_command_has_help() -> None:
    from click.testing import CliRunner

    for name, cmd in _commands(main):
        assert (cmd.help or "").strip(), f"`readinglist {name}` has no help text"
        res = CliRunner().invoke(main, [*name.split(), "--help"])
        assert res.exit_code == 0, name
