"""The policy files read the same with libyaml's loader as with PyYAML's pure-Python safe loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared.platforms.loader import SAFE_LOADER

POLICIES = sorted((Path(__file__).resolve().parents[3] / "deploy" / "platforms").glob("*.yaml"))


def test_libyaml_is_used_when_pyyaml_has_it() -> None:
    assert SAFE_LOADER is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


@pytest.mark.parametrize("path", POLICIES, ids=[path.stem for path in POLICIES])
def test_every_policy_file_reads_the_same_with_either_loader(path: Path) -> None:
    text = path.read_text(encoding="utf-8")

    assert yaml.load(text, Loader=SAFE_LOADER) == yaml.safe_load(text)
