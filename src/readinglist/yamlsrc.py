"""Strict reading of topics.yaml: line numbers kept, YAML's silent coercions refused.

PyYAML (with the C loader when present) composes the node graph; we then build plain values
ourselves so that duplicate keys, explicit tags, aliases and numbers where ids belong are errors
naming the line, instead of being last-wins, executed or coerced (see docs/format.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import SourceFileError

if TYPE_CHECKING:
    import yaml

MAX_BYTES = 5 * 1024 * 1024

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}


@dataclass
class Node:
    """A YAML value with the line (1-based) where it starts."""

    value: Any
    line: int
    kind: str  # "str" | "int" | "float" | "bool" | "null" | "map" | "seq"
    raw: str | None = None  # the scalar exactly as written
    quoted: bool = False


def load(text: str, path: str) -> Node:
    """Parse `text` into a Node tree, raising SourceFileError on anything ambiguous or unsafe.

    The last few results are kept (keyed by the text): a command that loads the project and then
    checks an edit against the same text parses it once. Callers must not mutate the tree.
    """
    return _load_cached(text, path)


@lru_cache(maxsize=4)
def _load_cached(text: str, path: str) -> Node:
    import yaml  # imported here: keeps `readinglist --help` fast

    try:  # the C composer is ~10x faster on large files
        from yaml import CSafeLoader as _Loader
    except ImportError:  # pragma: no cover - depends on the libyaml build
        from yaml import SafeLoader as _Loader  # type: ignore[assignment]
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SourceFileError(path, None, f"file is larger than {MAX_BYTES // 2**20} MB; split it or check it is the right file")
    try:
        if "*" in text and "&" in text:  # locate the first alias use (compose hides it)
            for event in yaml.parse(text, Loader=_Loader):
                if isinstance(event, yaml.AliasEvent):
                    raise SourceFileError(path, event.start_mark.line + 1 if event.start_mark else None,
                                          f"YAML aliases (*{event.anchor}) are not allowed; write the value out")
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise SourceFileError(path, line, f"invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise SourceFileError(path, None, f"invalid YAML: {exc}") from None
    if root is None:
        return Node({}, 1, "map")
    seen: set[int] = set()
    return _convert(root, path, seen)


def _convert(node: yaml.Node, path: str, seen: set[int]) -> Node:
    import yaml

    line = node.start_mark.line + 1
    if id(node) in seen:
        raise SourceFileError(path, line, "YAML aliases (*name) are not allowed; write the value out")
    seen.add(id(node))
    if node.tag not in _ALLOWED_TAGS:
        raise SourceFileError(path, line, f"YAML tag {node.tag!r} is not allowed; remove the tag")
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        for knode, vnode in node.value:
            k = _convert(knode, path, seen)
            if k.kind != "str" and not (k.kind in ("bool", "int", "float", "null") and k.raw is not None):
                raise SourceFileError(path, k.line, "mapping keys must be plain text")
            key = k.raw if k.raw is not None else str(k.value)
            if key in out:
                raise SourceFileError(path, k.line, f"duplicate key {key!r} (first at line {out[key].line}); keep one")
            out[key] = _convert(vnode, path, seen)
        return Node(out, line, "map")
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(n, path, seen) for n in node.value], line, "seq")
    assert isinstance(node, yaml.ScalarNode)
    raw = node.value
    quoted = node.style in ("'", '"', "|", ">")
    kind = node.tag[len(_STD):]
    if kind == "timestamp":
        kind = "str"  # dates stay text
    value: Any = raw
    if kind == "int":
        try:
            value = int(raw.replace("_", ""), 0) if raw.lower().startswith(("0x", "0o", "0b")) else int(raw.replace("_", ""))
        except ValueError:
            kind = "str"
    elif kind == "float":
        try:
            value = float(raw.replace("_", ""))
        except ValueError:
            kind = "str"
    elif kind == "bool":
        value = raw.lower() in ("true", "yes", "on", "y")
    elif kind == "null":
        value = None
    return Node(value, line, kind, raw=raw, quoted=quoted)


def text(node: Node | None, path: str, what: str, *, strict_id: bool = False) -> str | None:
    """A string value. Free text written plainly (`title: Yes`) is taken as written;
    an identifier that YAML reads as a number or boolean is an error (it may already be changed)."""
    if node is None or node.kind == "null":
        return None
    if node.kind == "str":
        return str(node.value)
    if node.kind in ("int", "float", "bool") and node.raw is not None:
        if strict_id:
            raise SourceFileError(
                path, node.line,
                f"{what} {node.raw} is read by YAML as a {node.kind}; quote it: \"{node.raw}\"",
            )
        return node.raw
    raise SourceFileError(path, node.line, f"{what} must be text, not a {node.kind}")


def plain(node: Node) -> Any:
    """The Node tree as plain Python values (for free-form sections like `config`)."""
    if node.kind == "map":
        return {k: plain(v) for k, v in node.value.items()}
    if node.kind == "seq":
        return [plain(v) for v in node.value]
    return node.value
