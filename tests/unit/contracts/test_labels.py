"""Every code a person could see has its French words."""

from __future__ import annotations

from shared.contracts.events.intake import CallbackOutcome, InformationTopic
from shared.contracts.events.matching import DeclineReason, SkipReason, UnmetReason
from shared.contracts.events.providers import ProviderKind
from shared.contracts.labels import (
    CALLBACK_OUTCOMES,
    CHANNELS,
    DECLINE_REASONS,
    FRAGILE_PUBLICS,
    PROVIDER_KINDS,
    ROLES,
    SKIP_REASONS,
    TOPICS,
    UNMET_ADVICE,
    UNMET_REASONS,
    label,
    vocabulary,
)
from shared.contracts.types import Channel, FragilePublic
from shared.security.principals import Role


def test_every_value_of_every_enum_has_its_french_words() -> None:
    for enum, table in ((Channel, CHANNELS), (FragilePublic, FRAGILE_PUBLICS), (InformationTopic, TOPICS),
                        (CallbackOutcome, CALLBACK_OUTCOMES), (UnmetReason, UNMET_REASONS), (UnmetReason, UNMET_ADVICE),
                        (SkipReason, SKIP_REASONS), (DeclineReason, DECLINE_REASONS), (ProviderKind, PROVIDER_KINDS)):
        assert set(table) == set(enum), enum.__name__
    assert set(ROLES) == {role.value for role in Role}


def test_an_unknown_code_never_shows() -> None:
    assert label(UNMET_REASONS, "something_new") == "—" and label(TOPICS, None) == "—"
    assert vocabulary()["unmet_reasons"]["all_declined"] == UNMET_REASONS[UnmetReason.ALL_DECLINED]
