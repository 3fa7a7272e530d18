"""YAML that remembers where every node was: each value and key keeps its file, line, column."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlgate.errors import ConfigError
from mlgate.results import Location

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    """Plain data (dicts, lists, scalars) plus the location of every node by its key path.

    `locate(path)` gives the position of the key that declared the node (for mapping entries)
    or of the node itself (for list items and the root), falling back to the nearest parent.
    """

    path: Path
    data: Any
    key_locations: dict[KeyPath, Location] = field(default_factory=dict)
    value_locations: dict[KeyPath, Location] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return self.path.as_posix()

    def locate(self, path: KeyPath) -> Location:
        p = tuple(path)
        while p:
            loc = self.key_locations.get(p) or self.value_locations.get(p)
            if loc is not None:
                return loc
            p = p[:-1]
        return self.value_locations.get((), Location(self.display_name, 1, 1))

    def locate_value(self, path: KeyPath) -> Location:
        return self.value_locations.get(tuple(path)) or self.locate(path)

    def get(self, path: KeyPath, default: Any = None) -> Any:
        node = self.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return default
        return node

    def error(self, path: KeyPath, message: str) -> str:
        """One error line: ``file:line:col: key.path: message``."""
        loc = self.locate(path)
        return f"{loc.file}:{loc.line}:{loc.column}: {format_path(path)}: {message}"


def format_path(path: KeyPath) -> str:
    """`("data", 0, "columns", "age")` -> `data[0].columns.age`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and floats: only true/false are booleans, so
    `allowed: [yes, no]` or `[Y, N, on, off]` stay the text the user wrote, and `1e-3`, `1E6`
    or `2.5e10` are numbers (YAML 1.1 wants a dot and a signed exponent: `1.0e-3`). Nesting is
    capped at `MAX_DEPTH`."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeepError(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_Loader.add_implicit_resolver(  # after YAML 1.1's float and int: only what they leave as text
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+.0123456789"),
)


#: A configuration is a few kilobytes; more than this is a wrong file (`--config /dev/zero`).
MAX_BYTES = 1 << 20
#: Deeper nesting than this is not a configuration (and would exhaust Python's recursion).
MAX_DEPTH = 64


def load_document(path: Path, text: str | None = None, display: str | None = None) -> Document:
    """Parse YAML into a `Document`; broken YAML and duplicate keys are `ConfigError`s."""
    name = display or path.as_posix()
    if text is None:
        text = _read_text(path, name)
    if len(text) > MAX_BYTES:
        raise ConfigError([f"{name}: larger than {MAX_BYTES >> 20} MiB: not a configuration file"])
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        doc = Document(path=path, data=None)
        if node is None:
            return Document(path=path, data={}, value_locations={(): Location(name, 1, 1)})
        data = _walk(loader, node, (), doc, name)
        return Document(path, data, doc.key_locations, doc.value_locations)
    except _TooDeepError as exc:
        line, col = exc.mark.line + 1, exc.mark.column + 1
        raise ConfigError(
            [f"{name}:{line}:{col}: nested more than {MAX_DEPTH} levels deep: not a configuration"]
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([yaml_error_line(name, exc)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{name}: invalid YAML: {exc}"]) from None
    finally:
        loader.dispose()


def _read_text(path: Path, name: str) -> str:
    """The file's text, reading no more than `MAX_BYTES` (+1 to tell that it is longer)."""
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError([f"{name}: no such file (give another with --config)"]) from None
    except IsADirectoryError:
        raise ConfigError([f"{name}: is a folder, not a file (give one with --config)"]) from None
    except OSError as exc:
        raise ConfigError([f"{name}: cannot read: {exc.strerror or exc}"]) from None
    if len(raw) > MAX_BYTES:
        raise ConfigError([f"{name}: larger than {MAX_BYTES >> 20} MiB: not a configuration file"])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError([f"{name}:{line}: not UTF-8 text (byte {exc.start + 1})"]) from None


_CLOSERS = {
    "flow mapping": "is a '}' missing?",
    "flow sequence": "is a ']' missing?",
    "quoted scalar": "is a closing quote missing?",
}


def yaml_error_line(name: str, exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's error as one line at the line where it was detected; when the construct it
    was reading began on another line (an unclosed `{`), that line is named too."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    start = exc.context_mark
    if exc.context and exc.problem and start is not None and start.line + 1 != line:
        what = exc.context.removeprefix("while ").removeprefix("parsing ").removeprefix("scanning ")
        hint = next((h for k, h in _CLOSERS.items() if what.endswith(k)), "")
        opened = f"{what} opened on line {start.line + 1}, column {start.column + 1}"
        opened += f": {hint}" if hint else ""
        return f"{name}:{line}:{col}: invalid YAML: {exc.problem} ({opened})"
    problem = " ".join(p for p in (exc.context, exc.problem) if p)
    return f"{name}:{line}:{col}: invalid YAML: {problem}"


class _TooDeepError(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__("too deep")
        self.mark = mark


def _loc(node: yaml.Node, name: str) -> Location:
    return Location(name, node.start_mark.line + 1, node.start_mark.column + 1)


MAX_NODES = 200_000


def _walk(
    loader: _Loader,
    node: yaml.Node,
    path: KeyPath,
    doc: Document,
    name: str,
    open_nodes: frozenset[int] = frozenset(),
) -> Any:
    if len(doc.value_locations) >= MAX_NODES:
        loc = _loc(node, name)
        raise ConfigError(
            [
                f"{name}:{loc.line}:{loc.column}: the configuration expands to more than "
                f"{MAX_NODES:,} values (aliases repeating aliases?)"
            ]
        )
    if id(node) in open_nodes:
        loc = _loc(node, name)
        raise ConfigError(
            [
                f"{name}:{loc.line}:{loc.column}: {format_path(path)}: an alias refers to a node "
                "that contains it"
            ]
        )
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        open_nodes = open_nodes | {id(node)}
    doc.value_locations[path] = _loc(node, name)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                loc = _loc(key_node, name)
                raise ConfigError(
                    [f"{name}:{loc.line}:{loc.column}: {format_path(path)}: keys must be text"]
                )
            key = str(key) if not isinstance(key, bool) else str(key).lower()
            if key in out:
                loc = _loc(key_node, name)
                first = doc.key_locations[(*path, key)]
                raise ConfigError(
                    [
                        f"{name}:{loc.line}:{loc.column}: {format_path((*path, key))}: "
                        f"duplicate key {key!r} (first given on line {first.line})"
                    ]
                )
            doc.key_locations[(*path, key)] = _loc(key_node, name)
            out[key] = _walk(loader, value_node, (*path, key), doc, name, open_nodes)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            doc.key_locations.setdefault((*path, i), _loc(item, name))
            items.append(_walk(loader, item, (*path, i), doc, name, open_nodes))
        return items
    value = loader.construct_object(node, deep=True)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
