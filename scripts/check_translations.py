"""Fails when a French translation is missing, fuzzy or stale.

1. Every ``fr`` catalogue has a non-empty, non-fuzzy translation for each message.
2. The catalogues are up to date: strings are extracted afresh from a copy of
   the source and every msgid found must already be in the catalogues.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def catalogue_ids(base: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for po in sorted(base.glob("mupaka/**/locale/fr/LC_MESSAGES/django.po")):
        with po.open("rb") as fh:
            cat = read_po(fh)
        out[str(po.relative_to(base))] = {
            m.id if isinstance(m.id, str) else m.id[0] for m in cat if m.id
        }
    return out


def main() -> int:
    problems: list[str] = []
    for po in sorted(ROOT.glob("mupaka/**/locale/fr/LC_MESSAGES/django.po")):
        with po.open("rb") as fh:
            cat = read_po(fh)
        for m in cat:
            if not m.id:
                continue
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            if m.fuzzy or not all(strings):
                problems.append(f"{po.relative_to(ROOT)}: untranslated or fuzzy: {m.id!r}")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp)
        shutil.copytree(
            ROOT / "mupaka", copy / "mupaka", ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
        shutil.copytree(ROOT / "scripts", copy / "scripts")
        (copy / ".venv").symlink_to(ROOT / ".venv")
        subprocess.run(
            ["bash", str(copy / "scripts" / "messages.sh")],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=copy,
        )
        fresh = catalogue_ids(copy)
    current = catalogue_ids(ROOT)
    for path, ids in fresh.items():
        missing = ids - current.get(path, set())
        for msgid in sorted(missing):
            problems.append(f"{path}: string not in the catalogue (run make messages): {msgid!r}")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} translation problem(s)")
        return 1
    print(f"translations complete: {sum(len(v) for v in current.values())} French strings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
