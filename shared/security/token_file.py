"""The token file on disk, as :class:`~shared.security.tokens.TokenRegistry` reads, writes and watches it:
JSON when its name ends in ``.json``, YAML otherwise; rewritten through a synced temporary file beside it
(readable by its owner only) renamed over it, so a reader sees the old file or the new one, never part of
either; its stamp (modification time and size) tells when another process has rewritten it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import yaml


def file_stamp(path: Path) -> tuple[int, int] | None:
    """``(mtime_ns, size)`` of ``path``, or None when it does not exist."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


def parse_document(path: Path, text: str) -> dict:
    """``text`` read as JSON when ``path`` ends in ``.json``, as YAML otherwise."""
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def dump_document(path: Path, document: dict) -> str:
    """``document`` written as JSON when ``path`` ends in ``.json``, as YAML otherwise."""
    if path.suffix == ".json":
        return json.dumps(document, indent=2) + "\n"
    return yaml.safe_dump(document, sort_keys=False)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename (mode 0600), creating its folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
