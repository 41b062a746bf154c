"""Domain counters: which event moves which counter, and series created at zero up front.

The expected labels and amounts are those of the golden events (shared/contracts/fixtures).
"""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from shared.contracts.base import catalogue
from shared.observability import RULES, DomainMetrics, observe, produced_by
from tests.unit.observability.golden_events import as_published, golden

EXPECTED = {
    "RequestLogged": ("relais_requests_logged_total", {"channel": "online_form"}, 1.0),
    "InformationCallLogged": ("relais_information_calls_total", {"topic": "tax_advantages"}, 1.0),
    "ProviderAssigned": ("relais_assignments_total", {}, 1.0),
    "ProvidersOriented": ("relais_orientations_total", {}, 1.0),
    "ContactDeadlineMissed": ("relais_deadlines_missed_total", {}, 1.0),
    "RequestUnmet": ("relais_unmet_requests_total", {"reason": "no_provider_for_activity_in_commune"}, 1.0),
    "VoicemailUnanswered": ("relais_unmet_requests_total", {"reason": "out_of_hours_never_called_back"}, 1.0),
    "SurveySent": ("relais_surveys_sent_total", {"channel": "paper"}, 1.0),
    "SurveyAnswered": ("relais_surveys_answered_total", {"channel": "paper"}, 1.0),
    "FeeCharged": ("relais_fees_charged_euros_total", {"kind": "intervention"}, 0.30),
    "MembershipFeeCharged": ("relais_fees_charged_euros_total", {"kind": "membership"}, 155.00),
}


def value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    found = registry.get_sample_value(name, labels)
    return 0.0 if found is None else found


def test_every_rule_is_a_registered_event_with_an_expected_counter() -> None:
    assert set(RULES) <= set(catalogue())
    assert set(RULES) == set(EXPECTED)


@pytest.mark.parametrize("event_type", sorted(EXPECTED))
def test_a_published_event_moves_its_counter_once(event_type: str) -> None:
    registry = CollectorRegistry()
    metrics = DomainMetrics(registry)
    event = golden(event_type)
    name, labels, amount = EXPECTED[event_type]
    labels = {"platform": event.platform_id, **labels}

    observe(metrics, event)

    assert value(registry, name, **labels) == pytest.approx(amount)
    assert value(registry, "relais_events_published_total", event_type=event_type) == 1.0


@pytest.mark.parametrize("event_type", sorted(EXPECTED))
def test_the_relay_hook_counts_like_the_envelope(event_type: str) -> None:
    from_envelope, from_relay = CollectorRegistry(), CollectorRegistry()
    observe(DomainMetrics(from_envelope), golden(event_type))
    DomainMetrics(from_relay).observe_published([as_published(event_type), as_published(event_type)])
    name, labels, amount = EXPECTED[event_type]
    labels = {"platform": golden(event_type).platform_id, **labels}
    assert value(from_relay, name, **labels) == pytest.approx(2 * value(from_envelope, name, **labels))
    assert value(from_relay, name, **labels) == pytest.approx(2 * amount)


def test_other_events_only_count_as_published() -> None:
    registry = CollectorRegistry()
    observe(DomainMetrics(registry), golden("ProviderApplied"))
    samples = [sample for family in registry.collect() for sample in family.samples
               if sample.name.endswith("_total") and sample.value]
    assert [(sample.name, sample.labels) for sample in samples] == [
        ("relais_events_published_total", {"event_type": "ProviderApplied"})]


def test_dead_letters_are_counted_by_consumer() -> None:
    registry = CollectorRegistry()
    metrics = DomainMetrics(registry)
    metrics.count_dead_letters("intake.console", 3)
    metrics.count_dead_letters("intake.console", 1)
    assert value(registry, "relais_dead_letters_total", consumer="intake.console") == 4.0


def test_each_service_starts_its_own_series_at_zero() -> None:
    registry = CollectorRegistry()
    DomainMetrics(registry).start_at_zero("intake", ["limoges", "brenne"], consumers=["intake.console"])
    series = {(sample.name, tuple(sorted(sample.labels.items())))
              for family in registry.collect() for sample in family.samples if sample.name.endswith("_total")}
    names = {name for name, _ in series}

    assert ("relais_requests_logged_total", (("channel", "walk_in"), ("platform", "brenne"))) in series
    assert ("relais_information_calls_total", (("platform", "limoges"), ("topic", "other"))) in series
    assert ("relais_dead_letters_total", (("consumer", "intake.console"),)) in series
    assert {labels for name, labels in series if name == "relais_events_published_total"} == {
        (("event_type", event_type),) for event_type in produced_by("intake")}
    assert "relais_assignments_total" not in names and "relais_fees_charged_euros_total" not in names
    assert all(sample.value == 0 for family in registry.collect() for sample in family.samples
               if sample.name.endswith("_total"))


def test_producers_of_the_counted_events() -> None:
    assert {"RequestLogged", "InformationCallLogged"} <= set(produced_by("intake"))
    assert {"ProviderAssigned", "ProvidersOriented", "ContactDeadlineMissed", "RequestUnmet"} <= set(produced_by("matching"))
    assert {"SurveySent", "SurveyAnswered"} <= set(produced_by("feedback"))
    assert {"FeeCharged", "MembershipFeeCharged"} <= set(produced_by("billing"))
