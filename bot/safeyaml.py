"""YAML from files people edit: safe types only, aliases bounded, duplicate keys refused.

Problems are `YamlProblem(line, message)`; the line is counted by "\\n" as editors count it
(PyYAML also breaks lines at U+2028, U+2029 and NEL, so its own line numbers can point past the end).
"""

from __future__ import annotations

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

MAX_ALIASES = 100  # `*name` uses per document
MAX_EXPANDED_CHARS = 2_000_000  # scalar characters once every alias is expanded (the file-size limit)
_MERGE = "tag:yaml.org,2002:merge"


class YamlProblem(Exception):
    """Invalid or unsafe YAML. `line` (1-based, by "\\n") is None when no position is known."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def _line(text: str, mark, first: int = 1) -> int | None:
    index = getattr(mark, "index", None)
    return None if index is None else text.count("\n", 0, index) + first


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that counts aliases, bounds the expanded size and refuses duplicate keys."""

    def __init__(self, text: str, first_line: int = 1):
        super().__init__(text)
        self._text, self._first = text, first_line
        self._aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise YamlProblem(_line(self._text, mark, self._first),
                                  f"more than {MAX_ALIASES} aliases (*name); write the values out instead")
        return super().compose_node(parent, index)

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None:
            _check_expanded(node, self._text, self._first)
        return node

    def construct_mapping(self, node, deep=False):
        if isinstance(node, MappingNode):
            seen: dict[tuple, int | None] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE or not isinstance(key_node, ScalarNode):
                    continue
                key = (key_node.tag, key_node.value)
                line = _line(self._text, key_node.start_mark, self._first)
                if key in seen:
                    raise YamlProblem(line, f"duplicate key {key_node.value!r} (first on line {seen[key]}); "
                                            "keep one of them")
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


class _LineLoader(_SafeLoader):
    """Also records each mapping's line under "__line__" so callers can point at entries."""


def _mapping_with_line(loader: _LineLoader, node):
    mapping = loader.construct_mapping(node)
    mapping["__line__"] = _line(loader._text, node.start_mark, loader._first) or 0
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _check_expanded(root, text: str, first: int) -> None:
    """Scalar characters as if every alias were copied out; a node reached twice counts twice."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise YamlProblem(_line(text, node.start_mark, first), "an alias refers to a value that contains it; remove it")
        open_nodes.add(key)
        if isinstance(node, ScalarNode):
            total = len(node.value)
        elif isinstance(node, SequenceNode):
            total = 1 + sum(size(child) for child in node.value)
        else:
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        open_nodes.discard(key)
        sizes[key] = total
        return total

    total = size(root)
    if total > MAX_EXPANDED_CHARS:
        raise YamlProblem(None, f"aliases expand this file to {total:,} characters (limit {MAX_EXPANDED_CHARS:,}); "
                                "write the values out instead of repeating aliases")


_BREAKS = {"\u2028": "U+2028 LINE SEPARATOR", "\u2029": "U+2029 PARAGRAPH SEPARATOR", "\x85": "U+0085 NEXT LINE"}


def _break_hint(text: str, index: int | None, first: int) -> str:
    """YAML reads U+2028, U+2029 and NEL as line breaks: name the first one before the error."""
    before = text if index is None else text[: index + 1]
    found = [(before.find(ch), name) for ch, name in _BREAKS.items() if ch in before]
    if not found:
        return ""
    at, name = min(found)
    return (f"; line {text.count(chr(10), 0, at) + first} holds a {name}, which YAML reads as a line break: "
            "quote that text or replace the character with a space")


def load(text: str, lines: bool = False, first_line: int = 1):
    """Parse one YAML document with safe types. `lines`: add "__line__" to every mapping.
    `first_line`: the line `text` starts on in its file (front matter starts on line 2).

    Raises YamlProblem for invalid YAML, too many aliases, a too-large expansion or a duplicate key."""
    loader = None
    try:
        loader = (_LineLoader if lines else _SafeLoader)(text, first_line)  # checks for control characters
        return loader.get_single_data()
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML") + _break_hint(text, getattr(mark, "index", None), first_line)
        raise YamlProblem(_line(text, mark, first_line), problem) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + first_line
        raise YamlProblem(line, f"control character U+{exc.character:04X} is not allowed in YAML; remove it") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(None, str(exc).split("\n")[0]) from None
    except RecursionError:
        raise YamlProblem(None, "values are nested too deeply; flatten the structure") from None
    finally:
        if loader is not None:
            loader.dispose()
