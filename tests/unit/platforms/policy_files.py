"""Helpers for the policy tests: the real policy folder and edited copies of its files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from shared.platforms.model import PlatformPolicy

POLICY_DIR = Path(__file__).resolve().parents[3] / "deploy" / "platforms"


def raw_policy(platform_id: str) -> dict[str, Any]:
    return yaml.safe_load((POLICY_DIR / f"{platform_id}.yaml").read_text(encoding="utf-8"))


def edited_policy(platform_id: str, edit: Callable[[dict[str, Any]], None]) -> PlatformPolicy:
    document = raw_policy(platform_id)
    edit(document)
    return PlatformPolicy.model_validate(document)


def write_policy(folder: Path, file_stem: str, document: dict[str, Any]) -> Path:
    path = folder / f"{file_stem}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
