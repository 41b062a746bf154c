"""Load and validate the policy files of the federation: one ``<platform_id>.yaml`` per platform."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from shared.platforms.model import PlatformPolicy

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (8x faster on the policy files), else the pure-Python one."""


class PolicyError(ValueError):
    """One or more policy files are invalid; each problem reads ``file: field.path: what is wrong``."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid platform policy:\n" + "\n".join(f"  {problem}" for problem in self.problems))


def load_policies(folder: Path) -> dict[str, PlatformPolicy]:
    """Every ``*.yaml`` policy in ``folder``, by platform id; :class:`PolicyError` lists all problems found."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PolicyError([f"{folder}: not a folder of platform policy files"])
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise PolicyError([f"{folder}: no platform policy file (*.yaml)"])
    policies: dict[str, PlatformPolicy] = {}
    problems: list[str] = []
    for path in files:
        try:
            policy = load_policy(path)
        except PolicyError as error:
            problems.extend(error.problems)
            continue
        policies[policy.platform_id] = policy
    if problems:
        raise PolicyError(problems)
    return policies


def load_policy(path: Path) -> PlatformPolicy:
    """The policy in ``path``, whose file name must be its platform id; :class:`PolicyError` otherwise."""
    path = Path(path)
    document = _read_yaml(path)
    try:
        policy = PlatformPolicy.model_validate(document)
    except ValidationError as error:
        raise PolicyError([f"{path.name}: {_describe(item)}" for item in error.errors()]) from None
    if policy.platform_id != path.stem:
        raise PolicyError([f"{path.name}: platform_id: {policy.platform_id!r} does not match the file name {path.stem!r}"])
    return policy


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except OSError as error:
        raise PolicyError([f"{path.name}: cannot be read ({error.strerror})"]) from None
    except yaml.YAMLError as error:
        raise PolicyError([f"{path.name}: not valid YAML: {error}"]) from None
    if not isinstance(document, dict):
        raise PolicyError([f"{path.name}: expected a mapping of policy fields, got {type(document).__name__}"])
    return document


def _describe(error: dict[str, Any]) -> str:
    path = _field_path(error["loc"])
    message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"].removeprefix("Value error, ")
    return f"{path}: {message}" if path else message


def _field_path(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
