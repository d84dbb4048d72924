"""Every command and subcommand shows an example in its --help; --version names the installed version."""
import tomllib
from pathlib import Path

import click
from click.testing import CliRunner

from costmodel import __version__
from costmodel.cli import main
from costmodel.cli.main import COMMANDS

ROOT = Path(__file__).resolve().parents[2]


def commands():
    """Every command and group reachable from ``costmodel``, with its argument list (``["workbook", "build"]``)."""
    ctx = click.Context(main)
    out = []

    def walk(group, prefix):
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            out.append((prefix + [name], cmd))
            if isinstance(cmd, click.Group):
                walk(cmd, prefix + [name])

    walk(main, [])
    return out


def command_paths():
    """Every command reachable from ``costmodel``, as argument lists."""
    return [path for path, _ in commands()]


def test_every_command_help_shows_an_example():
    paths = command_paths()
    assert {p[0] for p in paths} >= set(COMMANDS) and len(paths) > len(COMMANDS)  # subcommands too
    runner = CliRunner()
    for path in paths:
        res = runner.invoke(main, [*path, "--help"])
        assert res.exit_code == 0, (path, res.output)
        example = res.output.split("Example", 1)[-1]
        assert "Example" in res.output and f"costmodel {path[0]}" in example, f"costmodel {' '.join(path)} --help"


def test_version_is_the_package_version():
    res = CliRunner().invoke(main, ["--version"])
    assert res.exit_code == 0 and res.output.strip() == f"costmodel, version {__version__}"
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == __version__
