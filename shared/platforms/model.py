"""The policy of one platform of the federation, as read from ``deploy/platforms/<platform_id>.yaml``.

Every rule that differs between platforms lives here: how requests are matched (assigned in turn or
oriented to the nearest structures), the callback deadline and the calendar it counts in, the
taxonomy of activities, the communes and sectors, the fees, and the survey. Validation is strict:
an unknown key, a rate outside [0, 1], a sector naming an unknown commune or fee entries out of
order are errors.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from shared.contracts.envelope import PLATFORM_ID_PATTERN
from shared.contracts.events.providers import ProviderKind
from shared.platforms._base import PolicyModel, Rate
from shared.platforms.desk import MediationDesk
from shared.platforms.fees import FeeEntry, FeeRule, check_fee_entries_ordered, fee_entry_at
from shared.platforms.opening import OpeningHours
from shared.platforms.places import Activity, Commune, Sector
from shared.platforms.sessions import SessionPolicy
from shared.platforms.sign_in import SingleSignOn
from shared.platforms.topics import Partner, Topic, TopicGroup, check_topics
from shared.privacy.suppression import DEFAULT_THRESHOLD, MAX_THRESHOLD, MIN_THRESHOLD

PlatformId = Annotated[str, Field(pattern=PLATFORM_ID_PATTERN)]
"""A platform id is a slug (``limoges``, ``val-de-marne``): any valid policy file makes a platform, no list to extend."""


class MatchingMode(StrEnum):
    ASSIGN = "assign"
    ORIENT = "orient"


class DeadlineMode(StrEnum):
    WALL_CLOCK = "wall_clock"
    BUSINESS_HOURS = "business_hours"


class SurveyChannel(StrEnum):
    POSTAL = "postal"
    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"


class PlatformKind(StrEnum):
    HOME_SERVICES = "home_services"
    MEDIATION_DESK = "mediation_desk"


class Matching(PolicyModel):
    """``assign``: one provider, picked in turn. ``orient``: the caller gets the N nearest structures."""

    mode: MatchingMode = Field(description="assign (in turn) or orient (nearest structures).")
    orient_count: int | None = Field(default=None, ge=1, le=20, description="How many structures to give (orient only).")

    @model_validator(mode="after")
    def _count_matches_mode(self) -> Matching:
        if self.mode is MatchingMode.ORIENT and self.orient_count is None:
            raise ValueError("orient_count est obligatoire quand mode vaut orient")
        if self.mode is MatchingMode.ASSIGN and self.orient_count is not None:
            raise ValueError("orient_count ne sert que quand mode vaut orient")
        return self


class Callback(PolicyModel):
    """How long a provider (or, out of hours, the platform) has to call the resident back."""

    deadline_hours: int = Field(default=24, gt=0, le=24 * 14, description="Hours allowed, 24 in every platform.")
    mode: DeadlineMode = Field(description="wall_clock: elapsed time; business_hours: only the platform's opening hours count.")
    reminder_hours_before: int | None = Field(
        default=None, gt=0, le=24 * 14,
        description="Remind the provider holding an offer this many hours before its callback deadline; unset: no reminder.")
    confirm_to_resident: Literal["email", "sms"] | None = Field(
        default=None, description="Tell the resident, by this channel, which provider will call back and by when "
        "(at the first offer); unset: no confirmation.")


class SurveyPolicy(PolicyModel):
    """The questionnaire sent after each intervention and the alert on low satisfaction."""

    default_channel: SurveyChannel = Field(description="How the questionnaire is sent unless the resident prefers another way.")
    reminder_days: list[int] = Field(default_factory=list, description="Days after sending when a reminder goes out, increasing.")
    expiry_days: int = Field(gt=0, description="Days after sending when an unanswered survey expires.")
    phone_follow_up: bool = Field(default=False, description="An operator also calls the resident after every intervention.")
    satisfaction_alert_threshold: Rate = Field(
        description="Share of satisfied answers below which the coordinator is alerted about a provider."
    )
    alert_min_answers: int = Field(
        default=5, ge=1, description="Answers needed before the alert can fire (small samples mislead)."
    )

    @model_validator(mode="after")
    def _reminders_before_expiry(self) -> SurveyPolicy:
        days = self.reminder_days
        if any(day <= 0 for day in days) or days != sorted(set(days)):
            raise ValueError(f"reminder_days: {days} doivent être positifs et strictement croissants")
        if days and days[-1] >= self.expiry_days:
            raise ValueError(f"reminder_days: la dernière relance (jour {days[-1]}) doit précéder expiry_days ({self.expiry_days})")
        return self


class PlatformPolicy(PolicyModel):
    """Everything that is specific to one platform. See the module docstring."""

    platform_id: PlatformId = Field(description="Id of the platform, a slug of 2 to 40 lower-case letters, digits and "
                                    "dashes starting with a letter; equals the policy file name.", examples=["limoges"])
    name: str = Field(min_length=1, max_length=120, description="Public name.", examples=["Proximain (Limoges)"])
    kind: PlatformKind = Field(default=PlatformKind.HOME_SERVICES, description="home_services (requests matched to "
                               "providers) or mediation_desk (a walk-in desk logging visits, see `desk`).")
    desk: MediationDesk | None = Field(default=None, description="Walk-in hours, network and attendance alert of a "
                                       "mediation desk (required for, and only for, kind mediation_desk).")
    country: Literal["FR", "BE"] = Field(description="Country: decides the commune code scheme (INSEE or BE + NIS).")
    timezone: str = Field(description="IANA time zone of the calendar and deadlines.", examples=["Europe/Paris"])
    operators: int = Field(ge=0, description="Operators answering the phone (0: orientation only, no operator seat).")
    online_form_enabled: bool = Field(default=False, description="Residents may also order through the online form.")
    answering_machine: bool = Field(default=False, description="Out of hours, an answering machine takes requests.")
    matching: Matching
    callback: Callback
    opening_hours: OpeningHours
    activities: list[Activity] = Field(default_factory=list, description="Taxonomy: the activities offered (at "
                                       "least one, except on a mediation desk).")
    communes: list[Commune] = Field(min_length=1, description="Communes covered.")
    sectors: list[Sector] = Field(min_length=1, description="Communes grouped into sectors; each commune in exactly one.")
    fees: list[FeeEntry] = Field(default_factory=list, description="Fee entries, oldest first, never edited once in "
                                 "force (at least one, except on a mediation desk).")
    survey: SurveyPolicy
    partners: list[Partner] = Field(default_factory=list, description="Partner organisations the platform informs "
                                    "and orients about (EDF, La Poste...), which topics may name.")
    information_topics: list[TopicGroup] = Field(
        default_factory=list, description="What callers and visitors ask about when they only want information or "
        "mediation, grouped; an information call or a visit names one of these topics.")
    single_sign_on: SingleSignOn | None = Field(
        default=None, description="The platform's OpenID Connect provider its staff may sign in with (ProConnect...); "
        "unset: accounts with a password only.")
    small_count_threshold: int = Field(
        default=DEFAULT_THRESHOLD, description="Statistical confidentiality of what the platform publishes "
        "(the observatory's open data, the employment figures for funders): counts under it are shown as '< N', "
        f"and others hidden where totals would give them back. {MIN_THRESHOLD} to {MAX_THRESHOLD}; an export may raise it, "
        "never lower it.")
    sessions: SessionPolicy = Field(default_factory=SessionPolicy, description="Idle and absolute limits of the "
                                    "staff's browser sessions (30 minutes idle, 12 hours in all by default).")

    @field_validator("small_count_threshold")
    @classmethod
    def _threshold_hides_something(cls, value: int) -> int:
        if value < MIN_THRESHOLD:
            raise ValueError(f"small_count_threshold : au moins {MIN_THRESHOLD} (« < 2 » dirait que l'effectif "
                             "masqué vaut 1)")
        if value > MAX_THRESHOLD:
            raise ValueError(f"small_count_threshold : au plus {MAX_THRESHOLD}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"fuseau horaire inconnu : {value!r}") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PlatformPolicy:
        self._fits_kind()
        _unique("activities", [activity.code for activity in self.activities])
        _unique("communes", [commune.code for commune in self.communes])
        _unique("sectors", [sector.code for sector in self.sectors])
        _unique("partners", [partner.code for partner in self.partners])
        _unique("information_topics", [group.code for group in self.information_topics])
        check_topics(self.information_topics, self.partners)
        belgian = self.country == "BE"
        for index, commune in enumerate(self.communes):
            if commune.code.startswith("BE") != belgian:
                scheme = "code BE + NIS" if belgian else "code INSEE"
                raise ValueError(f"communes[{index}].code: {commune.code} n'est pas un {scheme} ({self.country})")
        known = set(self.commune_codes())
        sector_of: dict[str, str] = {}
        for index, sector in enumerate(self.sectors):
            for code in sector.communes:
                if code not in known:
                    raise ValueError(f"sectors[{index}].communes: {code} ne fait pas partie des communes de la plateforme")
                if code in sector_of:
                    raise ValueError(f"sectors[{index}].communes: {code} est déjà dans le secteur {sector_of[code]}")
                sector_of[code] = sector.code
        orphans = sorted(known - sector_of.keys())
        if orphans:
            raise ValueError(f"sectors: communes dans aucun secteur : {', '.join(orphans)}")
        if self.fees:
            check_fee_entries_ordered(self.fees)
        calendar = self.opening_hours.public_holidays
        if calendar is not None and calendar.country != self.country:
            raise ValueError(f"opening_hours.public_holidays.country: {calendar.country} n'est pas le pays de la "
                             f"plateforme ({self.country})")
        if self.callback.mode is DeadlineMode.BUSINESS_HOURS and self.opening_hours.is_empty():
            raise ValueError("callback.mode: business_hours demande des heures d'ouverture dans opening_hours.weekly")
        return self

    def _fits_kind(self) -> None:
        if self.kind is PlatformKind.MEDIATION_DESK:
            if self.desk is None:
                raise ValueError("desk: un guichet de médiation a besoin de ses heures d'accueil et de son alerte de fréquentation")
            if not self.information_topics:
                raise ValueError("information_topics: un guichet de médiation liste les sujets sous lesquels ses visites sont enregistrées")
            return
        if self.desk is not None:
            raise ValueError("desk: seule une plateforme de type mediation_desk a un guichet")
        for field, listed in (("activities", self.activities), ("fees", self.fees)):
            if not listed:
                raise ValueError(f"{field}: une plateforme de services à domicile en demande au moins une")

    @property
    def is_mediation_desk(self) -> bool:
        return self.kind is PlatformKind.MEDIATION_DESK

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def activity_codes(self) -> frozenset[str]:
        return frozenset(activity.code for activity in self.activities)

    def commune_codes(self) -> frozenset[str]:
        return frozenset(commune.code for commune in self.communes)

    def activity(self, code: str) -> Activity:
        """The activity ``code`` of the taxonomy; ``KeyError`` if the platform does not offer it."""
        return _find(self.activities, code, f"activity {code!r} is not offered by {self.platform_id}")

    def commune(self, code: str) -> Commune:
        return _find(self.communes, code, f"commune {code!r} is not covered by {self.platform_id}")

    def sector_of(self, commune_code: str) -> Sector:
        for sector in self.sectors:
            if commune_code in sector.communes:
                return sector
        raise KeyError(f"commune {commune_code!r} is in no sector of {self.platform_id}")

    def topic(self, code: str) -> tuple[TopicGroup, Topic]:
        """The information topic ``code`` and its group; ``KeyError`` if the policy does not list it."""
        for group in self.information_topics:
            for topic in group.topics:
                if topic.code == code:
                    return group, topic
        raise KeyError(f"topic {code!r} is not listed by {self.platform_id}")

    def partner(self, code: str) -> Partner:
        return _find(self.partners, code, f"partner {code!r} is not listed by {self.platform_id}")

    def fee_entry_at(self, on: date) -> FeeEntry:
        """The fee entry in force on ``on`` (``LookupError`` before the first entry)."""
        return fee_entry_at(self.fees, on)

    def fee_rule(self, kind: ProviderKind | str, on: date) -> FeeRule:
        return self.fee_entry_at(on).rule_for(kind)


def _unique(field: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for index, code in enumerate(codes):
        if code in seen:
            raise ValueError(f"{field}[{index}].code: {code} est indiqué deux fois")
        seen.add(code)


_Coded = TypeVar("_Coded", Activity, Commune, Partner)


def _find(items: list[_Coded], code: str, message: str) -> _Coded:
    for item in items:
        if item.code == code:
            return item
    raise KeyError(message)
