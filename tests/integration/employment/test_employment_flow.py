"""The employment service in-process on the real broker and database: from an information session to a placement
still in post at 6 months, the figures of each step, and an erasure that keeps the counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.employment.bootstrap import MIGRATIONS, bootstrap
from services.employment.entrypoints.app import create_app
from services.employment.entrypoints.projections import figures_projection
from shared.analytics.rebuilder import rebuild
from shared.clock import FixedClock
from shared.security.principals import Role
from shared.settings import Settings
from shared.storage.engine import create_engine
from shared.storage.migrate import upgrade_async
from tests.fixtures.services import issue_token, serving
from tests.polling import eventually

pytestmark = [pytest.mark.integration, pytest.mark.slow]

P = "val-de-marne"
SOURCES = ["france_travail"] * 7 + ["mission_locale"] * 4 + ["spontaneous"] * 3
COMMUNES = ["94028", "94046", "94002", "94068"]


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.url.path, response.status_code, response.text)
    return response.json() if response.content else None


async def test_from_the_information_session_to_a_placement_in_post_at_six_months(
        service_settings: Callable[..., Settings], database_url: str, kafka_bootstrap: str, topic_prefix: str,
        tmp_path: Path) -> None:
    settings = service_settings(database_url=database_url)
    clock = FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    employment = bootstrap(settings, clock=clock)
    advisor = issue_token(settings, P, Role.ADVISOR, "adv-1")
    provider = issue_token(settings, P, Role.PROVIDER, "prv-aide-94")
    other_provider = issue_token(settings, P, Role.PROVIDER, "prv-autre")
    analyst = issue_token(settings, P, Role.ANALYST, "obs-1")
    base = f"/platforms/{P}"

    async with serving(create_app(employment=employment)) as client:
        async def post(path: str, body: dict[str, Any], who: dict[str, str] = advisor, status: int = 204) -> Any:
            return ok(await client.post(base + path, json=body, headers=who), status)

        seekers = []
        for i, source in enumerate(SOURCES):
            trades = ["childcare", "home_help"] if i % 4 == 1 else ["home_help"]
            body = {"identity": {"name": f"Personne {i}", "phone": "06 12 34 56 78"}, "referral_source": source,
                    "trades": trades, "commune": COMMUNES[i % 4], "mobility_km": 15, "available_from": "2026-03-01",
                    "hours_per_week": "24.00"}
            seekers.append((await post("/seekers", body, status=201))["id"])
        assert ok(await client.post(base + "/seekers", json={**body, "commune": "87085"}, headers=advisor), 422)

        session = (await post("/sessions", {"starts_at": "2026-03-05T09:30:00+01:00", "place": "Centre de ressources",
                                            "trades": ["home_help", "childcare"], "capacity": 10}, status=201))["id"]
        invited = seekers[:12]
        await post(f"/sessions/{session}/invitations", {"seeker_ids": invited})
        for seeker in invited[:10]:
            await post(f"/sessions/{session}/registrations", {"seeker_id": seeker})
        full = await client.post(base + f"/sessions/{session}/registrations", json={"seeker_id": invited[10]},
                                 headers=advisor)
        assert full.status_code == 409 and "complète" in full.json()["detail"]
        clock.advance(timedelta(days=3, hours=2))
        present, excused = invited[:9], invited[11:]  # the two others are left out: absent
        await post(f"/sessions/{session}/attendance", {"attendance": {
            **{s: "present" for s in present}, **{s: "excused" for s in excused}}})
        assert ok(await client.get(base + f"/sessions/{session}", headers=advisor))["held"] is True

        grid = {"skills": 4, "motivation": 4, "constraints": 3}
        decisions = ["preselected"] * 5 + ["referred_to_training"] * 2 + ["not_now"] * 2
        for seeker, decision in zip(present, decisions, strict=True):
            await post(f"/seekers/{seeker}/assessment", {"grid": grid, "decision": decision,
                                                         "reason": "Entretien et mise en situation"})
        preselected, to_training = present[:5], present[5:7]

        cohort = (await post("/cohorts", {"title": "Remise à niveau DEAVS (deux mois)", "modules": ["DC1", "DC2"],
                                          "starts_on": "2026-03-09", "ends_on": "2026-05-08"}, status=201))["id"]
        for seeker in to_training:
            await post(f"/cohorts/{cohort}/trainees", {"seeker_id": seeker})
            await post(f"/cohorts/{cohort}/attendance", {"seeker_id": seeker, "module": "DC1", "attendance": "present"})
        await post(f"/cohorts/{cohort}/completions", {"seeker_id": to_training[0], "certified": True})
        await post(f"/cohorts/{cohort}/completions", {"seeker_id": to_training[1], "certified": False})

        home_help = (await post("/openings", {"trade": "home_help", "hours_per_week": "24.00", "communes": ["94028"],
                                              "starts_on": "2026-04-01"}, who=provider, status=201))["id"]
        childcare = (await post("/openings", {"trade": "childcare", "hours_per_week": "20.00", "communes": ["94046"],
                                              "starts_on": "2026-04-15"}, who=provider, status=201))["id"]
        first = await post(f"/openings/{home_help}/proposals", {"wanted": 3}, status=201)
        assert len(first["proposed"]) == 3
        assert all("pré-sélectionné·e le" in candidate["why"] for candidate in first["proposed"])
        reasons = {skip["seeker_id"]: skip["reason_label"] for skip in first["skipped"]}
        assert reasons[seekers[13]] == "pas (encore) pré-sélectionné·e"
        assert "assez de candidats proposés ; à son tour la prochaine fois" in reasons.values()
        assert {c["seeker_id"] for c in first["proposed"]} <= set(preselected) | {to_training[0]}
        second = await post(f"/openings/{childcare}/proposals", {"wanted": 2}, status=201)
        assert second["proposed"] and {c["seeker_id"] for c in second["proposed"]} <= set(preselected) | {to_training[0]}
        assert any(skip["reason"] == "other_trade" for skip in second["skipped"])

        assert (await client.get(base + f"/openings/{home_help}", headers=other_provider)).status_code == 404
        assert [o["opening_id"] for o in ok(await client.get(base + "/openings", headers=other_provider))] == []
        view = ok(await client.get(base + f"/openings/{home_help}", headers=provider))
        chosen = view["proposals"][0]["proposed"][0]
        assert chosen["name"].startswith("Personne ") and chosen["why"].startswith("Rang 1")

        hired = chosen["seeker_id"]
        await post(f"/openings/{home_help}/interviews", {"seeker_id": hired, "outcome": "retained"}, who=provider)
        await post(f"/openings/{home_help}/hires", {"seeker_id": hired, "starts_on": "2026-04-01"}, who=provider)
        too_soon = await client.post(base + f"/openings/{home_help}/placements", headers=provider,
                                     json={"seeker_id": hired, "months": 6, "in_post": True})
        assert too_soon.status_code == 422 and "01/10/2026" in too_soon.json()["detail"]
        clock.advance(timedelta(days=120))
        await post(f"/openings/{home_help}/placements", {"seeker_id": hired, "months": 3, "in_post": True}, who=provider)
        clock.advance(timedelta(days=92))
        await post(f"/openings/{home_help}/placements", {"seeker_id": hired, "months": 6, "in_post": True}, who=provider)

        async def figures() -> dict[str, Any]:
            return ok(await client.get(base + "/employment/figures", headers=analyst))

        report = await eventually(figures, lambda r: r["total"]["counts"]["in_post_6"] == 1,
                                  what="the figures to count the placement at 6 months")
        counts = report["total"]["counts"]
        assert {name: counts[name] for name in (
            "seekers_received", "sessions_held", "invited_to_session", "present_at_session", "assessed", "preselected",
            "referred_to_training", "not_now", "trainings_started", "trainings_completed", "certified",
            "openings_posted", "hires", "in_post_3", "in_post_6")} == {
            "seekers_received": 14, "sessions_held": 1, "invited_to_session": 12, "present_at_session": 9,
            "assessed": 9, "preselected": 5, "referred_to_training": 2, "not_now": 2, "trainings_started": 2,
            "trainings_completed": 2, "certified": 1, "openings_posted": 2, "hires": 1, "in_post_3": 1, "in_post_6": 1}
        assert counts["candidates_proposed"] == len(first["proposed"]) + len(second["proposed"])
        assert report["total"]["attendance_rate"] == "0.75" and report["total"]["preselection_rate"] == "0.56"
        assert report["months"]["2026-03"]["counts"]["seekers_received"] == 14
        assert report["months"]["2026-10"]["counts"]["in_post_6"] == 1
        assert report["referral_sources"]["france_travail"]["counts"]["seekers_received"] == 7
        assert report["referral_source_labels"]["france_travail"] == "France Travail (ex-Pôle emploi)"
        assert (await client.get(base + "/seekers", headers=analyst)).status_code == 403

        exported = await client.get(base + "/employment/figures.csv", headers=analyst)
        assert exported.status_code == 200 and "< 5" in exported.text and "demandeurs d'emploi reçus" in exported.text

        await post(f"/seekers/{hired}/erase", {})
        erased = ok(await client.get(base + f"/seekers/{hired}", headers=advisor))
        assert erased["identity"] is None and erased["status_label"] == "données effacées"
        view = ok(await client.get(base + f"/openings/{home_help}", headers=provider))
        assert view["proposals"][0]["proposed"][0]["name"] is None
        again = await eventually(figures, lambda r: r["total"]["counts"]["in_post_6"] == 1)
        assert again["total"] == report["total"]
        reads = await employment.vault.read_log(hired)
        assert reads and all(record.resident_id == hired for record in reads)
        live = await _facts(employment.runtime.engine)

    fresh = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'rebuilt.db'}")
    try:
        await upgrade_async(str(fresh.url), MIGRATIONS)
        projection = figures_projection(employment.runtime.metadata, employment.policies)
        await rebuild(projection, fresh, employment.runtime.metadata, kafka_bootstrap, topic_prefix,
                      platforms=frozenset(employment.policies))
        assert await _facts(fresh) == live
    finally:
        await fresh.dispose()


async def _facts(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    """Every row of the figures projection, in a stable order."""
    async with engine.connect() as conn:
        rows = []
        for table in ("employment_facts", "employment_seeker_profiles"):
            rows += [(table, *row) for row in await conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2, 3"))]
    return sorted(rows, key=repr)
