"""The savings domain's layer contract: the standard library and core.money only, no clock."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import mupaka.savings.domain as domain

DOMAIN = Path(domain.__file__).parent
ALLOWED = {"mupaka.core.money"}
CLOCK = ("today", "now", "utcnow", "time", "monotonic", "perf_counter")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module or ""


def test_domain_imports_only_the_standard_library_and_money():
    for path in sorted(DOMAIN.glob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            ok = (
                top in sys.stdlib_module_names
                or top == "__future__"
                or name in ALLOWED
                or name.startswith("mupaka.savings.domain")
            )
            assert ok, f"{path.name} imports {name}"


def test_domain_never_reads_the_clock():
    for path in sorted(DOMAIN.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in CLOCK:
                raise AssertionError(f"{path.name} reads the clock ({node.attr})")
