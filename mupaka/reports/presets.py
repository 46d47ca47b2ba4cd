"""Country presets of the reports: prudential norms and the ledger accounts the SEEP
indicators read (``presets/<name>.yaml``). Read-only files; the norms are copied into
the editable :class:`~mupaka.reports.models.PrudentialNorm` table by
``services.prudential_norms_load``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml

PRESET_DIR = Path(__file__).resolve().parent / "presets"


class PresetError(ValueError):
    pass


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


@lru_cache(maxsize=8)
def preset_get(name: str) -> dict:
    path = PRESET_DIR / f"{name}.yaml"
    if not path.is_file():
        raise PresetError(f"unknown reports preset {name!r}; known: {', '.join(preset_names())}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    _check(data, name)
    return data


def _check(data: dict, name: str) -> None:
    keys = set()
    for norm in data.get("norms", []):
        for field in ("key", "name_fr", "name_en", "comparator", "threshold", "status"):
            if field not in norm:
                raise PresetError(f"{name}: a norm lacks {field!r}")
        if norm["key"] in keys:
            raise PresetError(f"{name}: norm {norm['key']!r} twice")
        keys.add(norm["key"])
        if norm["comparator"] not in (">=", "<="):
            raise PresetError(f"{name}: {norm['key']}: comparator must be >= or <=")
        if norm["status"] not in ("documented", "example"):
            raise PresetError(f"{name}: {norm['key']}: status must be documented or example")
        try:
            Decimal(str(norm["threshold"]))
        except InvalidOperation:
            raise PresetError(f"{name}: {norm['key']}: threshold is not a number")


def indicator_accounts(name: str) -> dict[str, dict]:
    return preset_get(name).get("indicator_accounts", {})


def inflation_default(name: str) -> Decimal:
    return Decimal(str(preset_get(name).get("inflation_default", "0")))
