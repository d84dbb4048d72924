"""Reading one YAML file safely: bounded in size, nesting and alias expansion, regular files only.

PyYAML's safe loader builds no objects of its own choosing, but left alone it will still read a FIFO
until something writes to it, recurse until Python gives up on a deeply nested document, build
mappings keyed by lists, and hand back a structure of aliases that expands to billions of nodes (a
"billion laughs") for the first caller that walks it. Here every file is checked before it is parsed
and every document before it is built, in well under a second, and each refusal names ``file:line``:

* only a regular file is read (not a FIFO, a device or a folder), and at most :data:`MAX_BYTES`;
* nesting is at most :data:`MAX_DEPTH` levels, and a file holds at most :data:`MAX_WRITTEN` values;
* the document, with every alias expanded where it is used, has at most :data:`MAX_NODES` nodes, and
  no alias refers to the node that contains it;
* every mapping key is text or a whole number such as a year (``yes:``, ``~:``, ``1.5:`` or ``[a, b]:`` as
  a key is refused: quote it), and no key is given twice.

Mappings come back as :class:`LineDict`, which remembers the line of each key.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml

from ..errors import Problem

MAX_BYTES = 256 * 1024  #: largest assumption file read (the bundled options.yaml is 13 KB)
MAX_DEPTH = 32  #: deepest nesting of mappings and lists (the assumption files use about 6)
MAX_WRITTEN = 20_000  #: values written in one file (the bundled options.yaml has about 1,000); parsing stays under a second
MAX_NODES = 200_000  #: values in a document with every alias expanded where it is used


class LineDict(dict):
    """A dict that remembers the line of each key in its YAML file."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.lines: dict = {}


class Refused(yaml.MarkedYAMLError):
    """A document the reader will not build (too deep, too many nodes, a key that is not text)."""


class _Loader(yaml.SafeLoader):
    """The pure-Python safe loader, with a nesting limit and a count while composing (it recurses per level)."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = self.written = 0

    def compose_node(self, parent, index):
        self.depth += 1
        self.written += 1
        try:
            if self.depth > MAX_DEPTH:
                raise Refused(None, None, f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
            if self.written > MAX_WRITTEN:
                raise Refused(None, None, f"more than {MAX_WRITTEN:,} values in one file", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_document(self, node):
        check_expansion(node)
        return super().construct_document(node)


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """libyaml's safe loader (about ten times faster), for text whose events :func:`check_events` has counted.

    Its composer recurses in C, so it is given only documents known to be shallow; the alias limits are
    checked on the composed document before anything is built.
    """

    def construct_document(self, node):
        check_expansion(node)
        return super().construct_document(node)


class _FastPlainLoader(_FastLoader):
    """:class:`_FastLoader` for a document whose events held no alias: its tree is exactly the events counted (at most
    :data:`MAX_WRITTEN` values, :data:`MAX_DEPTH` deep), so the expansion walk could find nothing and is skipped."""

    def construct_document(self, node):
        return super(_FastLoader, self).construct_document(node)  # past _FastLoader's walk


def check_events(text: str) -> bool:
    """Count the parser's events (a flat stream, no recursion): refuse deep nesting and too many values early.
    True when the document uses an alias (then its expansion must be checked too)."""
    depth = written = 0
    aliases = False
    for event in yaml.parse(text, Loader=_FastLoader):
        if isinstance(event, yaml.AliasEvent):
            aliases = True
        if isinstance(event, yaml.NodeEvent):
            written += 1
            if written > MAX_WRITTEN:
                raise Refused(None, None, f"more than {MAX_WRITTEN:,} values in one file", event.start_mark)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise Refused(None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return aliases


def load(text: str):
    """The document in ``text``, within the limits: libyaml when installed (built from its events in one pass, else
    events counted first and then loaded), else pure Python."""
    if getattr(yaml, "__with_libyaml__", False):
        try:
            return one_pass(text)
        except Refused:
            raise
        except (Unsure, yaml.YAMLError):
            pass  # read again below, which refuses or builds it exactly as it always has
        return yaml.load(text, Loader=_FastLoader if check_events(text) else _FastPlainLoader)
    return yaml.load(text, Loader=_Loader)


class Unsure(Exception):
    """:func:`one_pass` met something it leaves to the loader: a tag, a merge key, a key that is not plain text or a
    whole number or is given twice, an alias to a node not yet complete, more than one document, a limit reached."""


_STR = "tag:yaml.org,2002:str"
_SCALARS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                      "tag:yaml.org,2002:null"})


def one_pass(text: str):
    """The document in ``text`` built straight from libyaml's events, in one pass and without recursion: what
    ``yaml.load(text, Loader=_FastLoader)`` builds (LineDict mappings, the same objects shared by aliases), within
    every limit that loading checks, nesting and the values that aliases expand to included. Too many values is
    refused (:class:`Refused`) as :func:`check_events` refuses it; anything else out of the ordinary raises
    :class:`Unsure` (or the parser's own error) for :func:`load` to read the text again."""
    loader = _FastLoader(text)
    try:
        return _build(loader)
    finally:
        loader.dispose()


def _build(loader: _FastLoader):
    anchors: dict[str, tuple[object, int, int]] = {}  # complete anchored nodes: (object, values, depth) expanded
    stack: list[list] = []  # open collections: [object, values, depth, anchor, key or _NO_KEY, the key's line]
    scalars: dict[tuple, object] = {}  # (text, implicit) → value, for each scalar met
    documents = written = 0
    root: tuple = ()
    scalar, alias, mapping, sequence = yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    for event in iter(loader.get_event, None):
        kind = type(event)
        if kind is scalar and event.anchor is None and event.tag is None and stack and written < MAX_WRITTEN \
                and len(stack) < MAX_DEPTH:  # most of a document: a plain value put straight into its collection
            written += 1
            seen = (event.value, event.implicit)  # a scalar's value follows from its text and whether it was quoted
            value = scalars.get(seen, _NO_KEY)
            if value is _NO_KEY:
                value = scalars[seen] = _scalar(loader, event)
            _add_scalar(stack[-1], value, event)
            continue
        line = None  # the line of a node that may be a key (a scalar)
        if kind is scalar or kind is alias or kind is mapping or kind is sequence:
            written += 1
            if written > MAX_WRITTEN:  # the refusal check_events gives at this event (nothing else refused before it)
                raise Refused(None, None, f"more than {MAX_WRITTEN:,} values in one file", event.start_mark)
            if len(stack) >= MAX_DEPTH or (
                    event.anchor is not None and kind is not alias and _taken(event.anchor, anchors, stack)):
                raise Unsure
        if kind is scalar:
            if event.tag is not None:
                raise Unsure
            seen = (event.value, event.implicit)  # a scalar's value follows from its text and whether it was quoted
            value = scalars[seen] if seen in scalars else scalars.setdefault(seen, _scalar(loader, event))
            item, anchor, line = (value, 1, 1), event.anchor, event.start_mark.line + 1
        elif kind is alias:
            if event.anchor not in anchors:  # undefined, or still open (an alias inside what it names)
                raise Unsure
            item, anchor = anchors[event.anchor], None
        elif kind is mapping or kind is sequence:
            if event.tag is not None or (stack and stack[-1][4] is _NO_KEY and isinstance(stack[-1][0], dict)):
                raise Unsure  # a tagged collection, or a collection as a key
            stack.append([LineDict() if kind is mapping else [], 1, 1, event.anchor, _NO_KEY, 0])
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            container, values, depth, anchor, _, _ = stack.pop()
            item = (container, values, depth)
        else:
            documents += kind is yaml.DocumentStartEvent
            if documents > 1:
                raise Unsure
            continue
        if anchor is not None:
            anchors[anchor] = item
        if stack:
            _add(stack[-1], item, line)
        else:
            root = item
    if not root:
        raise Unsure  # no document: the loader says what that is
    return root[0]


def _taken(anchor: str, anchors: dict, stack: list[list]) -> bool:
    """True when ``anchor`` names a node already (complete or still open)."""
    return anchor in anchors or any(open_[3] == anchor for open_ in stack)


_NO_KEY = object()


def _scalar(loader: _FastLoader, event: yaml.ScalarEvent):
    """An untagged scalar as the safe loader constructs it: text as it is, a number, true/false or null by its constructor."""
    tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _STR:
        return event.value
    if tag not in _SCALARS:
        raise Unsure  # a timestamp, a merge key (<<), a value key (=) …
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    return loader.yaml_constructors[tag](loader, node)


def _add(parent: list, item: tuple, line: int | None) -> None:
    """Put ``item`` (object, values, depth) into the open collection ``parent``: as a key (a scalar, on ``line``), a
    value or a list item."""
    container = parent[0]
    if isinstance(container, dict):
        if parent[4] is _NO_KEY:
            key = item[0]
            if line is None or isinstance(key, bool) or not isinstance(key, (str, int)) or key in container:
                raise Unsure
            parent[4], parent[5] = key, line
        else:
            container[parent[4]] = item[0]
            container.lines[parent[4]] = parent[5]
            parent[4] = _NO_KEY
    else:
        container.append(item[0])
    parent[1] += item[1]
    parent[2] = max(parent[2], item[2] + 1)
    if parent[1] > MAX_NODES or parent[2] > MAX_DEPTH:
        raise Unsure


def _add_scalar(parent: list, value, event: yaml.ScalarEvent) -> None:
    """:func:`_add` for an unanchored scalar (one value, one level deep), without building its item: the common case."""
    container = parent[0]
    if isinstance(container, dict):
        if parent[4] is _NO_KEY:
            if isinstance(value, bool) or not isinstance(value, (str, int)) or value in container:
                raise Unsure
            parent[4], parent[5] = value, event.start_mark.line + 1
        else:
            container[parent[4]] = value
            container.lines[parent[4]] = parent[5]
            parent[4] = _NO_KEY
    else:
        container.append(value)
    parent[1] += 1
    if parent[2] < 2:
        parent[2] = 2
    if parent[1] > MAX_NODES:
        raise Unsure


def check_expansion(root: yaml.Node) -> None:
    """Refuse a document too deep or too large once its aliases are expanded, or with an alias inside itself.

    Each node's expanded size and depth are counted once (aliases share the node they refer to), without recursion.
    """
    size: dict[int, tuple[int, int]] = {}  # id → (values, depth) with aliases expanded
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            kids = [size[id(c)] for c in _children(node)]
            size[key] = (1 + sum(k[0] for k in kids), 1 + max((k[1] for k in kids), default=0))
            _limits(node, *size[key], written=len(size))
            continue
        if key in size:
            continue
        if key in on_path:
            raise Refused(None, None, "an alias refers to the list or mapping that contains it", node.start_mark)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)


def _limits(node: yaml.Node, values: int, depth: int, written: int) -> None:
    if depth > MAX_DEPTH:
        raise Refused(None, None, f"nested deeper than {MAX_DEPTH} levels (aliases included)", node.start_mark)
    if written > MAX_WRITTEN:
        raise Refused(None, None, f"more than {MAX_WRITTEN:,} values in one file", node.start_mark)
    if values > MAX_NODES:
        raise Refused(None, None, f"the document expands to more than {MAX_NODES:,} values (aliases such as "
                      "*name repeat what they refer to): write the values out or use fewer aliases", node.start_mark)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise Refused(None, None, "a key must be text, not a list or a mapping", key_node.start_mark)
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int)) or isinstance(key, bool):  # a year (2025:) is a whole number: fine
            raise Refused(None, None, f"the key {key_node.value!r} must be text: put it in quotes", key_node.start_mark)
        if key in out:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_FastLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_bytes(path: Path, what: str = "YAML text", size: str = "an assumption file is a few KB of YAML text") -> bytes:
    """The bytes of a regular file of at most :data:`MAX_BYTES`; OSError or ValueError (with the reason) otherwise.
    ``what`` and ``size`` word the reasons (what the file should hold, how big it should be).

    Opened without blocking, so a FIFO named like an assumption file is refused instead of waited on.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a FIFO" if stat.S_ISFIFO(info.st_mode) else \
                "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "not a regular file"
            raise ValueError(f"is {kind}, not a file of {what}")
        chunks, total = [], 0
        while info.st_size <= MAX_BYTES and total <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if info.st_size > MAX_BYTES or total > MAX_BYTES:
            raise ValueError(f"is larger than {MAX_BYTES // 1024} KB: {size}")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_yaml(path: Path, shown: str | None = None) -> tuple[object, list[Problem]]:
    """Parse one YAML file safely; problems name the file (as ``shown``, else its name) and the line."""
    shown = shown or path.name
    try:
        text = read_bytes(path).decode("utf-8")
    except FileNotFoundError:
        return None, [Problem(str(path), "", "missing file")]
    except (OSError, UnicodeDecodeError) as e:
        return None, [Problem(str(path), "", f"cannot read: {getattr(e, 'strerror', None) or e}")]
    except ValueError as e:
        return None, [Problem(str(path), "", str(e))]
    try:
        return load(text), []
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark else shown
        problem = getattr(e, "problem", None) or str(e)
        return None, [Problem(where, "", problem if isinstance(e, Refused) else f"malformed YAML: {problem}")]
