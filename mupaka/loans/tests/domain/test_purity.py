"""The engine's layer contract: standard library only, and no clock."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import mupaka.loans.domain as domain

DOMAIN = Path(domain.__file__).parent
# cli.py is the command's entry point: it may use babel (lazily), nothing else outside.
ALLOWED_OUTSIDE_STDLIB = {"cli.py": {"babel"}}
CLOCK = ("today", "now", "utcnow", "time", "monotonic", "perf_counter")


def _modules() -> list[Path]:
    return sorted(DOMAIN.glob("*.py"))


def test_domain_imports_only_the_standard_library() -> None:
    for path in _modules():
        allowed = ALLOWED_OUTSIDE_STDLIB.get(path.name, set())
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top in allowed or top == "__future__", (
                    f"{path.name} imports {name}"
                )


def test_domain_never_reads_the_clock() -> None:
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in CLOCK:
                base = node.value
                name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
                assert name not in {"date", "datetime", "time"}, f"{path.name}: {name}.{node.attr}"
