"""``relais export-observatory``: counts by activity x commune x local month, every small count hidden, and
no hidden count recomputable from what is published (a reader's attack on the published file alone)."""

from __future__ import annotations

import csv
import math
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from relais.export.observatory import observatory_rows, thresholds_of, unmet_counts, write_observatory
from shared.contracts.envelope import new_envelope
from shared.contracts.events.matching import RequestUnmet, UnmetReason
from tests.unit.analytics.demo_directory import POLICIES

THRESHOLD = 5


def federation_counts(seed: int, requests: int = 1500) -> Counter:
    """Unmet requests spread over every platform like real ones: a few busy places, a long tail of small counts."""
    rng = random.Random(seed)
    counts: Counter = Counter()
    for _ in range(requests):
        platform = rng.choice(sorted(p for p, policy in POLICIES.items() if not policy.is_mediation_desk))
        policy = POLICIES[platform]
        activity = policy.activities[min(int(rng.expovariate(0.4)), len(policy.activities) - 1)].code
        commune = policy.communes[min(int(rng.expovariate(0.3)), len(policy.communes) - 1)].code
        reason = rng.choices(list(UnmetReason), weights=[8, 3, 2, 1, 1])[0].value
        counts[(platform, f"2026-{rng.randint(1, 6):02d}", activity, commune, reason)] += 1
    return counts


def published(tmp_path: Path, counts: Counter, threshold: int = THRESHOLD) -> list[dict[str, str]]:
    write_observatory(tmp_path, observatory_rows(counts, POLICIES, threshold), thresholds_of(POLICIES, threshold))
    with (tmp_path / "observatoire.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def recomputable(rows: list[dict[str, str]], threshold: int) -> list[dict[str, str]]:
    """The hidden rows a reader pins to one value from the published rows alone: each total is the sum of the
    rows one level below it, a count "< threshold" lies in [1, threshold - 1], a "secret" one is at least the
    threshold; bounds are narrowed through every sum until nothing moves (exact on this tree of sums)."""
    def key(row: dict[str, str], level: str) -> tuple[str, ...]:
        parts = {"mois": 2, "activite_commune": 4, "motif": 5}[level]
        return (row["plateforme"], row["mois"], row["activite_code"], row["commune_code"], row["motif_code"])[:parts]

    bounds: dict[tuple[str, ...], list[float]] = {}
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for row in rows:
        value = row["effectif_publie"]
        me = key(row, row["niveau"])
        bounds[me] = ([float(value)] * 2 if value.isdigit() else [1, threshold - 1] if value.startswith("<")
                      else [threshold, math.inf])
        if len(me) > 2:
            children[me[:2] if len(me) == 4 else me[:4]].append(me)
    moved = True
    while moved:
        moved = False
        for total, parts in children.items():
            for part in parts:
                others = [bounds[other] for other in parts if other != part]
                low = bounds[total][0] - sum(high for _, high in others)
                high = bounds[total][1] - sum(low for low, _ in others)
                if low > bounds[part][0] or high < bounds[part][1]:
                    bounds[part] = [max(low, bounds[part][0]), min(high, bounds[part][1])]
                    moved = True
            low, high = sum(bounds[p][0] for p in parts), sum(bounds[p][1] for p in parts)
            if low > bounds[total][0] or high < bounds[total][1]:
                bounds[total] = [max(low, bounds[total][0]), min(high, bounds[total][1])]
                moved = True
    return [row for row in rows if not row["effectif_publie"].isdigit()
            and bounds[key(row, row["niveau"])][0] == bounds[key(row, row["niveau"])][1]]


def true_counts(counts: Counter) -> dict[tuple[str, ...], int]:
    totals: Counter = Counter()
    for key, count in counts.items():
        for size in (2, 4, 5):
            totals[key[:size]] += count
    return totals


@pytest.mark.parametrize("seed", range(6))
def test_every_small_count_is_hidden_and_none_can_be_recomputed(tmp_path: Path, seed: int) -> None:
    counts = federation_counts(seed)
    rows = published(tmp_path, counts)
    truth = true_counts(counts)

    shown = {}
    for row in rows:
        size = {"mois": 2, "activite_commune": 4, "motif": 5}[row["niveau"]]
        key = (row["plateforme"], row["mois"], row["activite_code"], row["commune_code"], row["motif_code"])[:size]
        shown[key] = row["effectif_publie"]
        if truth[key] < THRESHOLD:
            assert row["effectif_publie"] == "< 5" and row["effectif"] == ""
        elif row["effectif_publie"] != "secret":
            assert row["effectif_publie"] == row["effectif"] == str(truth[key])
    assert recomputable(rows, THRESHOLD) == []
    assert sum(1 for value in shown.values() if value == "< 5") > 50  # the test data has many small counts
    assert any(value == "secret" for value in shown.values())  # ...and totals that would give them back
    assert {key[:2] for key in truth} == {key[:2] for key in shown}  # every month is published


def test_a_lone_small_count_hides_a_neighbour_and_a_tiny_month_hides_its_detail(tmp_path: Path) -> None:
    counts = Counter({("limoges", "2026-03", "gardening", "87085", "all_declined"): 12,
                      ("limoges", "2026-03", "gardening", "87085", "no_provider_for_activity_in_commune"): 2,
                      ("limoges", "2026-03", "gardening", "87114", "all_declined"): 9,
                      ("limoges", "2026-04", "gardening", "87085", "all_declined"): 1,
                      ("limoges", "2026-04", "gardening", "87114", "all_declined"): 1,
                      ("limoges", "2026-04", "gardening", "87113", "all_declined"): 1,
                      ("limoges", "2026-04", "gardening", "87118", "all_declined"): 1})

    rows = published(tmp_path, counts)

    march = {(r["niveau"], r["commune_code"], r["motif_code"]): r["effectif_publie"] for r in rows if r["mois"] == "2026-03"}
    assert march[("mois", "", "")] == "23"
    assert march[("motif", "87085", "no_provider_for_activity_in_commune")] == "< 5"
    assert march[("motif", "87085", "all_declined")] == "secret"
    assert recomputable(rows, THRESHOLD) == []
    april = [r for r in rows if r["mois"] == "2026-04"]
    assert [(r["niveau"], r["effectif_publie"]) for r in april] == [("mois", "< 5")]  # 4 rows of 1 would say 1 each


def test_months_are_the_platforms_local_months_and_reasons_are_in_french(tmp_path: Path) -> None:
    new_year = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January in Limoges
    envelopes = [new_envelope(RequestUnmet(request_id=f"req-{n}", activity="gardening", commune="87085",
                                           reason="fragile_public_nobody_accredited"),
                              platform_id="limoges", aggregate_id=f"req-{n}", aggregate_version=1,
                              actor="system:matching", occurred_at=new_year + timedelta(minutes=n)) for n in range(6)]

    counts = unmet_counts(envelopes, POLICIES)
    rows = observatory_rows(counts, POLICIES, THRESHOLD)

    assert set(counts) == {("limoges", "2026-01", "gardening", "87085", "fragile_public_nobody_accredited")}
    detail = next(row for row in rows if row["niveau"] == "motif")
    assert detail["motif"] == "aucun prestataire agréé pour ce public fragile" and detail["commune"] == "Limoges"
    assert detail["activite"] == "Jardinage" and detail["effectif"] == 6


def test_the_columns_are_described_for_machines(tmp_path: Path) -> None:
    rows = published(tmp_path, federation_counts(1, 200))

    schema = orjson.loads((tmp_path / "observatoire.schema.json").read_bytes())
    package = orjson.loads((tmp_path / "datapackage.json").read_bytes())
    assert [field["name"] for field in schema["fields"]] == list(rows[0])
    assert all(field["description"] and field["type"] for field in schema["fields"])
    assert {resource["path"] for resource in package["resources"]} == {"observatoire.csv", "observatoire.json"}
    assert orjson.loads((tmp_path / "observatoire.json").read_bytes())[0]["niveau"] == "mois"


def test_a_threshold_under_the_policies_is_refused() -> None:
    with pytest.raises(ValueError, match="ne peut que le relever"):
        observatory_rows(federation_counts(0, 20), POLICIES, 2)
    with pytest.raises(ValueError, match=r"demandé \(4\) est sous celui de la politique de la plateforme \(5\)"):
        observatory_rows(federation_counts(0, 20), POLICIES, 4)


def test_each_platform_publishes_under_its_policys_threshold_which_the_option_may_raise(tmp_path: Path) -> None:
    policies = {**POLICIES, "herault": POLICIES["herault"].model_copy(update={"small_count_threshold": 8})}
    counts = Counter({("limoges", "2026-03", "gardening", "87085", "all_declined"): 6,
                      ("limoges", "2026-03", "gardening", "87114", "all_declined"): 6})
    herault = policies["herault"]
    activity, commune = herault.activities[0].code, herault.communes[0].code
    counts[("herault", "2026-03", activity, commune, "all_declined")] = 6
    counts[("herault", "2026-03", activity, herault.communes[1].code, "all_declined")] = 9

    rows = observatory_rows(counts, policies)
    write_observatory(tmp_path, rows, thresholds_of(policies))

    shown = {(r["plateforme"], r["niveau"], r["commune_code"]): (r["effectif_publie"], r["seuil_secret"]) for r in rows}
    assert shown[("limoges", "motif", "87085")] == ("6", 5)  # 6 is published under limoges' 5
    assert shown[("herault", "motif", commune)] == ("< 8", 8)  # ...and hidden under hérault's 8
    assert shown[("herault", "mois", None)] == ("15", 8)
    schema = orjson.loads((tmp_path / "observatoire.schema.json").read_bytes())
    assert "herault : 8" in schema["description"] and "limoges : 5" in schema["description"]

    raised = observatory_rows(counts, policies, 9)
    assert {(r["plateforme"], r["seuil_secret"]) for r in raised} == {("limoges", 9), ("herault", 9)}
    assert all(r["effectif_publie"] not in ("6", "9") for r in raised)
    with pytest.raises(ValueError, match="ne peut que le relever"):
        observatory_rows(counts, policies, 7)  # raises limoges' 5 but would lower hérault's 8
