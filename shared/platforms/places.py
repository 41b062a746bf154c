"""What a platform covers: the activities of its taxonomy, its communes and their sectors."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from shared.contracts.types import ActivityCode, CommuneCode, FragilePublic
from shared.platforms._base import PolicyModel, Slug

PostalCode = Annotated[str, StringConstraints(pattern=r"^\d{4,5}$")]
"""A French (5 digits) or Belgian (4 digits) postal code."""


class ActivityCategory(StrEnum):
    HOUSEHOLD = "household"
    GARDENING = "gardening"
    CHILDCARE = "childcare"
    ASSISTANCE = "assistance"
    ERRANDS = "errands"
    WELLBEING = "wellbeing"
    REPAIRS = "repairs"
    BUILDING = "building"
    COMPUTING = "computing"
    EDUCATION = "education"
    MOBILITY = "mobility"
    PETS = "pets"
    BUSINESS = "business"


class Activity(PolicyModel):
    """An activity of the platform's taxonomy, e.g. ``gardening`` / "Jardinage".

    Agrément rule: a request names the fragile publics it concerns (an elderly person, a disabled
    person, a child under 3); the policy decides, per activity, which of them need a provider holding an
    agrément covering them. ``fragile_publics`` lists those publics for this activity: a request naming
    one of them needs an accredited provider, a request naming another (an elderly person asking for
    gardening, where gardening lists none) does not. ``fragile_public: true`` says the activity always
    serves its ``fragile_publics`` (infant care: a child under 3), named or not.
    """

    code: ActivityCode
    label: str = Field(min_length=1, max_length=120, description="French label shown to operators and residents.")
    category: ActivityCategory = Field(description="Group of activities, for menus and statistics.")
    synonyms: list[Annotated[str, Field(min_length=2, max_length=60)]] = Field(
        default_factory=list, description="Other words callers use for it, found by the console's type-ahead.",
        examples=[["jardinier", "espaces verts"]])
    fragile_public: bool = Field(
        default=False,
        description="True when the activity always serves its `fragile_publics` (e.g. elderly_care), whatever the "
        "request names: only providers holding an agrément covering them are eligible.",
    )
    fragile_publics: list[FragilePublic] = Field(
        default_factory=list,
        description="Fragile publics for which this activity needs an agrément (babysitting: child_under_3). A "
        "request naming one of them needs a provider whose agrément covers it; a public not listed here needs none.",
    )

    @model_validator(mode="after")
    def _fragile_activity_names_its_publics(self) -> Activity:
        if self.fragile_public and not self.fragile_publics:
            raise ValueError(f"activité {self.code} : fragile_public vaut true mais fragile_publics est vide")
        return self

    def publics_requiring_agrement(self, named: Iterable[FragilePublic | str]) -> frozenset[FragilePublic]:
        """The publics a provider's agrément must cover for a request of this activity naming ``named``."""
        listed = frozenset(self.fragile_publics)
        if self.fragile_public:
            return listed
        return listed & {FragilePublic(public) for public in named}


class Commune(PolicyModel):
    """A commune the platform covers, with the coordinates of its centre (WGS 84)."""

    code: CommuneCode
    name: str = Field(min_length=1, max_length=100, description="Official name, e.g. Mézières-en-Brenne.")
    postal_codes: list[PostalCode] = Field(default_factory=list, description="Postal codes of the commune: an "
                                           "operator may type 87000 for Limoges.", examples=[["87000", "87100", "87280"]])
    latitude: float = Field(ge=-90, le=90, description="Latitude of the commune centre, degrees.")
    longitude: float = Field(ge=-180, le=180, description="Longitude of the commune centre, degrees.")


class Sector(PolicyModel):
    """A group of communes: the geographic unit of the rotation (activity x sector)."""

    code: Slug = Field(description="Stable id of the sector, e.g. limoges-est.", examples=["limoges-est"])
    name: str = Field(min_length=1, max_length=100, description="Name shown to operators.")
    communes: list[CommuneCode] = Field(min_length=1, description="Codes of the communes of the sector.")
