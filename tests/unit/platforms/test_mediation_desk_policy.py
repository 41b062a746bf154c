"""A mediation desk is a platform of its own kind: walk-in hours, attendance alert, topics, and no activity or fee."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from shared.platforms.loader import load_policy
from shared.platforms.model import PlatformKind, PlatformPolicy
from tests.unit.platforms.policy_files import raw_policy

DESK_FILE = Path(__file__).resolve().parents[3] / "deploy" / "platforms" / "pimms-lyon.yaml"


def desk_document() -> dict[str, Any]:
    return yaml.safe_load(DESK_FILE.read_text(encoding="utf-8"))


def test_the_lyon_desk_loads_with_its_walk_in_hours_partners_and_two_groups() -> None:
    desk = load_policy(DESK_FILE)
    assert desk.kind is PlatformKind.MEDIATION_DESK and desk.is_mediation_desk
    assert desk.desk is not None and desk.desk.network == "union-des-pimms"
    assert [str(i) for i in desk.desk.walk_in_hours.intervals_on(date(2026, 12, 5))] == ["09:00-12:00"]  # Saturday
    assert desk.desk.walk_in_hours.intervals_on(date(2026, 12, 25)) == []
    assert desk.desk.attendance_alert.drop_below == Decimal("0.60")
    assert [group.label for group in desk.information_topics] == [
        "Services des partenaires", "Accès aux services publics et lien social"]
    assert desk.partner(desk.topic("water_bill")[1].partner or "").name == "Eau du Grand Lyon"
    assert desk.activities == [] and desk.fees == []


@pytest.mark.parametrize(("edit", "reason"), [
    (lambda d: d.pop("desk"), "un guichet de médiation a besoin de ses heures"),
    (lambda d: d.update(information_topics=[]), "un guichet de médiation liste les sujets"),
    (lambda d: d["desk"]["attendance_alert"].update(surge_above="0.9"), "greater than 1"),
    (lambda d: d["desk"]["attendance_alert"].update(drop_below=0.6), "entre guillemets"),
])
def test_a_desk_without_what_it_needs_is_refused(edit: Any, reason: str) -> None:
    document = desk_document()
    edit(document)
    with pytest.raises(ValidationError, match=reason):
        PlatformPolicy.model_validate(document)


def test_a_home_service_platform_has_no_desk_and_keeps_its_activities_and_fees() -> None:
    limoges = raw_policy("limoges")
    assert PlatformPolicy.model_validate(limoges).kind is PlatformKind.HOME_SERVICES
    with pytest.raises(ValidationError, match="seule une plateforme de type mediation_desk a un guichet"):
        PlatformPolicy.model_validate({**limoges, "desk": desk_document()["desk"]})
    with pytest.raises(ValidationError, match="fees: une plateforme de services à domicile en demande au moins une"):
        PlatformPolicy.model_validate({**limoges, "fees": []})
