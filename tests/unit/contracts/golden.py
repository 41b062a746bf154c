"""Access to the golden event documents in shared/contracts/fixtures/<EventType>/v<N>.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.contracts import base

FIXTURES_DIR = Path(base.__file__).parent / "fixtures"
PLATFORMS = ("limoges", "herault", "val-de-marne", "brenne", "mons-borinage", "pimms-lyon")


def fixture_path(event_type: str, version: int) -> Path:
    return FIXTURES_DIR / event_type / f"v{version}.json"


def all_fixture_paths() -> list[Path]:
    return sorted(FIXTURES_DIR.glob("*/v*.json"))


def fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def version_of(path: Path) -> int:
    return int(path.stem.removeprefix("v"))


def load_bytes(event_type: str, version: int) -> bytes:
    return fixture_path(event_type, version).read_bytes()


def load_document(event_type: str, version: int) -> dict[str, Any]:
    return json.loads(load_bytes(event_type, version))
