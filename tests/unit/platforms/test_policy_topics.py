"""Information and mediation topics in a policy file: grouped, unique, naming only partners the policy lists."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest

from shared.platforms.loader import PolicyError, load_policy
from tests.unit.platforms.policy_files import edited_policy, raw_policy, write_policy

PARTNERS = [{"code": "edf", "name": "EDF"}, {"code": "la-poste", "name": "La Poste"}]
GROUPS = [
    {"code": "partner_services", "label": "Services des partenaires", "topics": [
        {"code": "energy_bill", "label": "Facture d'énergie", "partner": "edf"},
        {"code": "mail_and_parcels", "label": "Courrier et colis", "partner": "la-poste"}]},
    {"code": "public_services", "label": "Accès aux services publics et lien social", "topics": [
        {"code": "housing_aid", "label": "Aide au logement"}]},
]


def with_topics(document: dict[str, Any]) -> None:
    document.update(partners=deepcopy(PARTNERS), information_topics=deepcopy(GROUPS))


def problems_of(tmp_path: Path, edit: Any) -> list[str]:
    document = raw_policy("limoges")
    with_topics(document)
    edit(document)
    with pytest.raises(PolicyError) as caught:
        load_policy(write_policy(tmp_path, "limoges", document))
    return caught.value.problems


def test_a_topic_is_found_with_its_group_and_partner() -> None:
    policy = edited_policy("limoges", with_topics)
    group, topic = policy.topic("energy_bill")
    assert (group.label, topic.label, policy.partner(topic.partner or "").name) == (
        "Services des partenaires", "Facture d'énergie", "EDF")
    with pytest.raises(KeyError):
        policy.topic("tax_advantages")


def test_a_topic_naming_an_unknown_partner_is_rejected(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, lambda d: d["information_topics"][1]["topics"][0].update(partner="sncf"))
    assert problems == ["limoges.yaml: information_topics[1].topics[0].partner: sncf ne fait pas partie des partenaires de la plateforme"]


def test_a_topic_listed_in_two_groups_is_rejected(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, lambda d: d["information_topics"][1]["topics"].append(
        {"code": "energy_bill", "label": "Énergie"}))
    assert problems == ["limoges.yaml: information_topics[1].topics[1].code: energy_bill est déjà dans le groupe "
                        "partner_services"]


def test_a_partner_listed_twice_is_rejected(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, lambda d: d["partners"].append({"code": "edf", "name": "EDF bis"}))
    assert problems == ["limoges.yaml: partners[2].code: edf est indiqué deux fois"]
