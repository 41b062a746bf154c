"""Every code a person could see has its French words."""

from __future__ import annotations

from shared.contracts.events.employment import (
    AssessmentDecision,
    Attendance,
    CandidateSkip,
    InterviewOutcome,
    ReferralSource,
    Trade,
)
from shared.contracts.events.intake import CallbackOutcome, InformationTopic, VisitAction
from shared.contracts.events.matching import DeclineReason, SkipReason, UnmetReason
from shared.contracts.events.providers import ProviderKind, Weekday
from shared.contracts.labels import (
    ASSESSMENT_DECISIONS,
    ATTENDANCES,
    CALLBACK_OUTCOMES,
    CANDIDATE_SKIPS,
    CHANNELS,
    DECLINE_REASONS,
    FRAGILE_PUBLICS,
    INTERVIEW_OUTCOMES,
    PROVIDER_KINDS,
    REFERRAL_SOURCES,
    ROLES,
    SKIP_REASONS,
    TOPICS,
    TRADES,
    UNMET_ADVICE,
    UNMET_REASONS,
    VISIT_ACTIONS,
    WEEKDAYS,
    label,
    vocabulary,
)
from shared.contracts.types import Channel, FragilePublic
from shared.security.principals import Role


def test_every_value_of_every_enum_has_its_french_words() -> None:
    for enum, table in ((Channel, CHANNELS), (FragilePublic, FRAGILE_PUBLICS), (InformationTopic, TOPICS),
                        (CallbackOutcome, CALLBACK_OUTCOMES), (UnmetReason, UNMET_REASONS), (UnmetReason, UNMET_ADVICE),
                        (SkipReason, SKIP_REASONS), (DeclineReason, DECLINE_REASONS), (ProviderKind, PROVIDER_KINDS),
                        (Trade, TRADES), (ReferralSource, REFERRAL_SOURCES), (Attendance, ATTENDANCES),
                        (AssessmentDecision, ASSESSMENT_DECISIONS), (CandidateSkip, CANDIDATE_SKIPS),
                        (InterviewOutcome, INTERVIEW_OUTCOMES), (VisitAction, VISIT_ACTIONS),
                        (Weekday, WEEKDAYS)):
        assert set(table) == set(enum), enum.__name__
    assert set(ROLES) == {role.value for role in Role}


def test_an_unknown_code_never_shows() -> None:
    assert label(UNMET_REASONS, "something_new") == "—" and label(TOPICS, None) == "—"
    assert vocabulary()["unmet_reasons"]["all_declined"] == UNMET_REASONS[UnmetReason.ALL_DECLINED]
