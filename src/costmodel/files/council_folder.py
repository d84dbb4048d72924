"""Write an assumption folder all at once: into a temporary folder beside the target, validated there, then moved
into place, so the target is never half written and an existing folder is replaced only with ``force``.

Used by ``costmodel init --council`` (and the ``--council`` option of every command, into a temporary folder).
Each file starts with a comment saying what it holds; low / central / high values are written on one line.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import yaml

from ..assumptions import Assumptions
from ..errors import OutputError
from .assumption_folder import load_folder, to_trees

RANGE_KEYS = {"low", "central", "high"}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's emitter when PyYAML has it
    """Block style, except ``value: {low: …, central: …, high: …}`` on one line."""


def _mapping(dumper, data):
    flow = bool(data) and set(data) <= RANGE_KEYS
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(dict, _mapping)


def _plain(node):
    if isinstance(node, dict) or hasattr(node, "items"):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain(v) for v in node]
    return node


def yaml_text(tree, header: str = "") -> str:
    """One file's text: the header lines as comments, then the tree."""
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + yaml.dump(_plain(tree), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def check_folder_target(folder: Path, force: bool) -> None:
    """Refuse a target that is a file, lies in a missing folder, or is a folder with files in it (without ``force``)."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file: give a folder name")
    if not folder.parent.exists():
        raise OutputError(f"{folder.parent} does not exist: create the folder first")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise OutputError(f"{folder} already exists and is not empty: use --force to replace it")


def write_folder_atomically(a: Assumptions, folder, force: bool = False, headers: dict[str, str] | None = None,
                            verbatim: dict[str, str] | None = None) -> Assumptions:
    """Write ``a`` as the folder ``folder`` and return it as read back from there.

    ``headers`` gives each file's opening comment; ``verbatim`` gives whole files to copy unchanged (the bundled
    ``scenarios.yaml`` with its comments, say). The files are written into a temporary folder beside the target and
    read back with :func:`~costmodel.files.assumption_folder.load_folder` (so the folder validates); only then is
    the target replaced (``force``) or created.
    """
    folder = Path(folder)
    check_folder_target(folder, force)
    headers, verbatim = headers or {}, verbatim or {}
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        for name, tree in to_trees(a).items():
            text = verbatim.get(name) or yaml_text(tree, headers.get(name, ""))
            (tmp / name).write_text(text, encoding="utf-8")
        written = load_folder(tmp)
        _move_into_place(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return replace(written, origin=str(folder))


def _move_into_place(tmp: Path, folder: Path) -> None:
    """Rename ``tmp`` to ``folder``; an existing ``folder`` is moved aside first and removed after."""
    if not folder.exists():
        os.rename(tmp, folder)
        return
    old = folder.with_name(f".{folder.name}.{os.urandom(6).hex()}.old")
    os.rename(folder, old)
    try:
        os.rename(tmp, folder)
    except BaseException:
        os.rename(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)
