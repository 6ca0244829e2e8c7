"""Finding every English msgid linli shows, so a test can prove each one has a Chinese translation.

Sources: ``_("…")`` in templates; in Python, the message of a ``DomainError`` (and its kinds),
the text given to ``translate``/``_``, and the values of module-level dicts named ``*_LABELS``,
``*_REASONS`` or ``*_MESSAGES`` (messages chosen at run time are kept in such tables).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from jinja2 import Environment, nodes

import linli

SRC = Path(linli.__file__).parent
TEMPLATES = SRC / "web" / "templates"
# The message is the second argument (after the code), or the first for these.
ERRORS = {"DomainError", "Invalid", "Conflict", "ValidationErrors", "NotFound", "Unauthenticated"}
MESSAGE_FIRST = {"Forbidden", "translate", "_"}
# Helpers that take a msgid at some position (web/errors.py's ``_refusal(request, status, code, message)``).
MESSAGE_AT = {"_refusal": 3}
TABLE_SUFFIXES = ("_LABELS", "_REASONS", "_MESSAGES")


def template_msgids() -> Iterator[tuple[str, str]]:
    """Yield ``(where, msgid)`` for every ``_("…")`` in the templates."""
    env = Environment()
    for path in sorted(TEMPLATES.rglob("*.html")):
        tree = env.parse(path.read_text(encoding="utf-8"))
        for call in tree.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name == "_" and call.args:
                first = call.args[0]
                if isinstance(first, nodes.Const) and isinstance(first.value, str):
                    yield str(path.relative_to(SRC)), first.value


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _named(target: ast.expr, name: str) -> bool:
    return isinstance(target, ast.Name) and target.id == name


def _strings(node: ast.AST) -> Iterator[str]:
    """Yield the string constants of an expression (both arms of ``a if c else b``), not dict keys."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _strings(value)


def python_msgids() -> Iterator[tuple[str, str]]:
    """Yield ``(where, msgid)`` for every message in the Python source."""
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        where = str(path.relative_to(SRC))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _name(node.func)
                if name == "__init__" and path.name == "errors.py":
                    name = "DomainError"  # super().__init__(code, message) inside an error class
                position = 0 if name in MESSAGE_FIRST else 1 if name in ERRORS else MESSAGE_AT.get(name)
                if position is None:
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "message":
                        yield from ((where, s) for s in _strings(keyword.value))
                if len(node.args) > position:
                    yield from ((where, s) for s in _strings(node.args[position]))
            elif isinstance(node, ast.Assign) and any(_named(t, "message") for t in node.targets):
                yield from ((where, s) for s in _strings(node.value))
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
                if any(isinstance(t, ast.Name) and t.id.endswith(TABLE_SUFFIXES) for t in node.targets):
                    for value in node.value.values:
                        yield from ((where, s) for s in _strings(value))
            elif isinstance(node, ast.FunctionDef) and node.name == "__init__":
                # Defaults of an error's message parameter (Forbidden's "You do not have permission…").
                for arg, default in zip(node.args.args[-len(node.args.defaults) :], node.args.defaults, strict=False):
                    if arg.arg == "message":
                        yield from ((where, s) for s in _strings(default))


def all_msgids() -> dict[str, str]:
    """Return msgid → the first place it is used."""
    found: dict[str, str] = {}
    for where, msgid in [*template_msgids(), *python_msgids()]:
        found.setdefault(msgid, where)
    return found
