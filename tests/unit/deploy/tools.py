"""Finding the Prometheus binaries (Debian package ``prometheus``): missing skips, or fails with CI=true."""

from __future__ import annotations

import shutil

import pytest

from tests.fixtures.database import in_ci

INSTALL_HINT = "apt-get install -y prometheus"


def require_tool(name: str) -> str:
    """The path of executable ``name``; skips the test when it is missing (fails it when CI=true)."""
    path = shutil.which(name)
    if path is None:
        reason = f"{name} not found ({INSTALL_HINT})"
        if in_ci():
            pytest.fail(f"{reason}; CI=true requires it", pytrace=False)
        pytest.skip(reason)
    return path
