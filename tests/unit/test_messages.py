"""Every refusal the foundation can give has a Simplified Chinese translation."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import linli
from linli.i18n import catalog

SRC = Path(linli.__file__).parent
FOUNDATION = [
    "errors.py",
    "lib/*.py",
    "registry/areas.py",
    "registry/services.py",
    "registry/places.py",
    "registry/validation.py",
    "accounts/services.py",
    "accounts/permissions.py",
    "web/errors.py",
    "volunteers/*.py",
    "matching/*.py",
]
SENTENCE = re.compile(r"^[A-Z][A-Za-z',]* [^\n]*[.?!]\)?$")


def messages(path: Path) -> set[str]:
    """Return the English sentences written in ``path``'s code (docstrings left out)."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and SENTENCE.match(node.value)
    }


def test_it_finds_the_messages_to_check() -> None:
    found = messages(SRC / "registry" / "validation.py")
    assert "A name is required." in found
    assert "The ID number may hold only digits and a final X." in found


def test_it_translates_every_foundation_message_into_chinese() -> None:
    zh = catalog("zh")
    missing = sorted(
        f"{path.relative_to(SRC)}: {message}"
        for pattern in FOUNDATION
        for path in SRC.glob(pattern)
        for message in messages(path)
        if not re.search(r"[\u4e00-\u9fff]", zh.get(message, ""))
    )
    assert missing == []
