"""What people ask a platform about when they only want information or mediation: its topics, grouped, each
optionally linked to a partner organisation (EDF, La Poste, the CAF...) that funds or answers for it.

Home-service platforms list the four topics every platform counted before topics became policy data (group
``home_services``, where the calls of that time count); a mediation desk lists its partners' services and
its public-service topics.
"""

from __future__ import annotations

from pydantic import Field

from shared.contracts.types import PartnerCode, TopicCode
from shared.platforms._base import PolicyModel


class Partner(PolicyModel):
    """An organisation the platform informs and orients about, e.g. ``edf`` / "EDF"."""

    code: PartnerCode
    name: str = Field(min_length=1, max_length=120, description="Name as people know it.", examples=["La Poste"])


class Topic(PolicyModel):
    """One topic people ask about, e.g. ``energy_bill`` / "Facture d'énergie", linked to partner ``edf``."""

    code: TopicCode
    label: str = Field(min_length=1, max_length=120, description="French label shown to people.")
    partner: PartnerCode | None = Field(default=None, description="Partner organisation the topic concerns, if one.")


class TopicGroup(PolicyModel):
    """Topics shown and counted together, e.g. "Services des partenaires"."""

    code: TopicCode
    label: str = Field(min_length=1, max_length=120, description="French label of the group.")
    topics: list[Topic] = Field(min_length=1, description="The group's topics.")


def check_topics(groups: list[TopicGroup], partners: list[Partner]) -> None:
    """Raise ``ValueError`` if a topic is listed twice (in any group) or names a partner the policy does not list."""
    partner_codes = {partner.code for partner in partners}
    seen: dict[str, str] = {}
    for index, group in enumerate(groups):
        for position, topic in enumerate(group.topics):
            where = f"information_topics[{index}].topics[{position}]"
            if topic.code in seen:
                raise ValueError(f"{where}.code: {topic.code} est déjà dans le groupe {seen[topic.code]}")
            seen[topic.code] = group.code
            if topic.partner is not None and topic.partner not in partner_codes:
                raise ValueError(f"{where}.partner: {topic.partner} ne fait pas partie des partenaires de la plateforme")
