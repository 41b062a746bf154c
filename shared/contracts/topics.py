"""The topics of the federation bus: name, partition key, producer and consumers.

This table is the single source for topic creation, the topics document
(``docs/topics.md``) and the AsyncAPI document. Physical names may carry a prefix
(``RELAIS_TOPIC_PREFIX``) so that tests and several environments can share a broker.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TopicSpec:
    name: str
    key: str
    producer: str
    consumers: tuple[str, ...]
    description: str
    partitions: int = 3


PROVIDERS = "relais.providers"
REQUESTS = "relais.requests"
MATCHING = "relais.matching"
FEEDBACK = "relais.feedback"
BILLING = "relais.billing"
PRIVACY = "relais.privacy"
EMPLOYMENT = "relais.employment"
DEAD_LETTER = "relais.deadletter"

TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(PROVIDERS, "provider id", "matching", ("matching", "billing", "feedback"),
              "Provider lifecycle: application, committee decision, accreditation, availability, suspension."),
    TopicSpec(REQUESTS, "request id (visit id for a visit)", "intake", ("matching", "intake", "feedback"),
              "Calls logged by operators, the online form and the answering machine; cancellations; visits logged "
              "at mediation desks."),
    TopicSpec(MATCHING, "request id", "matching", ("intake", "feedback", "billing", "matching"),
              "Assignment in turn, orientation, offers declined, contact, deadlines, quotes, interventions, unmet demand."),
    TopicSpec(FEEDBACK, "request id", "feedback", ("feedback", "intake"),
              "Satisfaction surveys sent and answered, phone follow-ups."),
    TopicSpec(BILLING, "provider id", "billing", ("billing", "intake"),
              "Fees and memberships charged, statements issued, payments recorded."),
    TopicSpec(EMPLOYMENT, "seeker, session, cohort or opening id", "employment", ("employment",),
              "Job seekers registered and assessed, information sessions, training cohorts, openings of member "
              "providers, candidates proposed, hires and placements."),
    TopicSpec(PRIVACY, "resident id", "intake", ("intake", "matching", "feedback", "billing"),
              "Erasure of a resident's personal data (crypto-shredding)."),
    TopicSpec(DEAD_LETTER, "original key", "every consumer", ("ops: relais dead-letters",),
              "Records a consumer could not decode or validate, with the reason in headers.", partitions=1),
)


def physical(name: str, prefix: str = "") -> str:
    """The broker topic name for logical topic ``name`` under ``prefix``."""
    return f"{prefix}{name}"


def spec(name: str) -> TopicSpec:
    for topic in TOPICS:
        if topic.name == name:
            return topic
    raise KeyError(name)
