"""Load and validate the policy files of the federation: one ``<platform_id>.yaml`` per platform."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from shared.errors import NotFound
from shared.platforms.model import PlatformPolicy
from shared.validation import field_path, french_reason

_NAMED_FIELD = re.compile(r"^(?P<field>[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*): (?P<reason>.+)$", re.DOTALL)

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (8x faster on the policy files), else the pure-Python one."""


@dataclass(frozen=True)
class PolicyProblem:
    """What is wrong in one policy file: the file, the field (``""`` for the whole file) and the reason, in
    English for the log and in French for the coordinator who fixes the file."""

    file: str
    field: str
    reason: str
    reason_fr: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}" if self.field else f"{self.file}: {self.reason}"

    def french(self) -> str:
        where = f"{self.file}, champ {self.field}" if self.field else self.file
        return f"{where} : {self.reason_fr}"


class PolicyError(ValueError):
    """One or more policy files are invalid; each problem reads ``file: field.path: what is wrong``."""

    def __init__(self, problems: Sequence[PolicyProblem]) -> None:
        self.found = list(problems)
        self.problems = [str(problem) for problem in self.found]
        super().__init__("invalid platform policy:\n" + "\n".join(f"  {problem}" for problem in self.problems))

    def french_line(self) -> str:
        """One French line naming the first problem's file, field and reason, and how many others there are."""
        first = self.found[0]
        others = len(self.found) - 1
        more = f" (et {others} autre(s) problème(s) : `relais platforms check` les liste tous)" if others else ""
        return f"politique de plateforme invalide : {first.french()}{more}"


def _problem(path: Path, reason: str, reason_fr: str, field: str = "") -> PolicyError:
    return PolicyError([PolicyProblem(path.name, field, reason, reason_fr)])


def load_policies(folder: Path) -> dict[str, PlatformPolicy]:
    """Every ``*.yaml`` policy in ``folder``, by platform id; :class:`PolicyError` lists all problems found."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PolicyError([PolicyProblem(str(folder), "", "not a folder of platform policy files",
                                         "n'est pas un dossier de politiques de plateforme (RELAIS_PLATFORMS_DIR)")])
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise PolicyError([PolicyProblem(str(folder), "", "no platform policy file (*.yaml)",
                                         "aucun fichier de politique de plateforme (*.yaml)")])
    valid, problems = read_policies(files)
    if problems:
        raise PolicyError(problems)
    return {policy.platform_id: policy for policy in valid}


def read_policies(files: Iterable[Path]) -> tuple[list[PlatformPolicy], list[PolicyProblem]]:
    """The valid policies among ``files`` and the problems of the others, both in the files' order."""
    valid: list[PlatformPolicy] = []
    problems: list[PolicyProblem] = []
    for path in files:
        try:
            valid.append(load_policy(path))
        except PolicyError as error:
            problems.extend(error.found)
    return valid, problems


def policy_of(policies: Mapping[str, PlatformPolicy], platform_id: str) -> PlatformPolicy:
    """The policy of ``platform_id``; :class:`~shared.errors.NotFound` (404) when no policy file defines it."""
    try:
        return policies[platform_id]
    except KeyError:
        raise NotFound("Plateforme") from None


def load_policy(path: Path) -> PlatformPolicy:
    """The policy in ``path``, whose file name must be its platform id; :class:`PolicyError` otherwise."""
    path = Path(path)
    document = _read_yaml(path)
    try:
        policy = PlatformPolicy.model_validate(document)
    except ValidationError as error:
        raise PolicyError([_described(path, item) for item in error.errors()]) from None
    if policy.platform_id != path.stem:
        raise _problem(path, f"{policy.platform_id!r} does not match the file name {path.stem!r}",
                       f"« {policy.platform_id} » ne correspond pas au nom du fichier « {path.stem} »", "platform_id")
    return policy


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except OSError as error:
        raise _problem(path, f"cannot be read ({error.strerror})", f"illisible ({error.strerror})") from None
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" à la ligne {where.line + 1}" if where is not None else ""
        raise _problem(path, f"not valid YAML: {error}", f"YAML invalide{line}") from None
    if not isinstance(document, dict):
        raise _problem(path, f"expected a mapping of policy fields, got {type(document).__name__}",
                       "le fichier doit être une suite de champs « nom: valeur »")
    return document


def _described(path: Path, error: Any) -> PolicyProblem:
    reason = "unknown key" if error["type"] == "extra_forbidden" else error["msg"].removeprefix("Value error, ")
    field, reason_fr = field_path(error["loc"]), french_reason(error)
    named = _NAMED_FIELD.match(reason_fr)
    if named:  # a rule of the whole policy names its field first: "sectors: communes in no sector: 87085"
        field = f"{field}.{named['field']}" if field else named["field"]
        reason, reason_fr = reason.removeprefix(f"{named['field']}: "), named["reason"]
    return PolicyProblem(path.name, field, reason, reason_fr)
