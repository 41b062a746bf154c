"""The demo federation loaded into a live stack, with the ids of real resources of each platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import httpx

from relais.devstack.demo import load_demo
from tests.polling import wait_for
from tests.security.live import LiveStack

DONE_BODY = {"labour_hours": "3.00", "labour_amount_excl_tax": "90.00", "travel_amount_excl_tax": "8.50"}


def check(response: httpx.Response, *statuses: int) -> Any:
    assert response.status_code in (statuses or (200,)), (response.request.method, response.request.url.path,
                                                         response.status_code, response.text)
    return response.json() if response.content else None


@dataclass
class Intervention:
    platform_id: str
    request_id: str
    provider_id: str
    resident_id: str
    survey_id: str


class Federation:
    """The demo data in ``stack``: every platform's providers, calls, and (on demand) a finished intervention."""

    def __init__(self, stack: LiveStack) -> None:
        self.stack = stack
        self.credentials = load_demo(stack.urls, stack.settings)
        self.admin = stack.admin()
        self._done: dict[str, Intervention] = {}
        self._employment: dict[str, dict[str, str]] = {}
        wait_for(self._all_matched, timeout=60, what="matching to answer every demo request")

    def get(self, service: str, path: str, **params: Any) -> Any:
        with self.stack.client(service, self.admin) as client:
            return check(client.get(path, params=params))

    def post(self, service: str, path: str, body: dict[str, Any], *statuses: int) -> Any:
        with self.stack.client(service, self.admin) as client:
            return check(client.post(path, json=body), *(statuses or (200, 201, 204)))

    def requests(self, platform_id: str) -> list[dict[str, Any]]:
        return [row for row in self.get("intake", f"/platforms/{platform_id}/requests", limit=500)
                if row["kind"] == "service"]

    def voicemails(self, platform_id: str) -> list[str]:
        return [row["entry_id"] for row in self.get("intake", f"/platforms/{platform_id}/callbacks")]

    def providers(self, platform_id: str) -> list[str]:
        return [row["provider_id"] for row in self.get("matching", f"/platforms/{platform_id}/providers")]

    def assigned(self, platform_id: str) -> list[dict[str, Any]]:
        return [row for row in self.requests(platform_id) if row["status"] == "assigned"]

    def intervention(self, platform_id: str, *, charged: bool = False) -> Intervention:
        """A request of ``platform_id`` taken to the end: contact, intervention done, survey sent (and, when
        ``charged``, the fee booked: only where the platform's rules charge one)."""
        if platform_id not in self._done:
            self._done[platform_id] = self._finish(self.assigned(platform_id)[0], charged)
        return self._done[platform_id]

    def employment(self, platform_id: str, provider_id: str) -> dict[str, str]:
        """A job seeker, an information session, a training cohort and an opening of ``provider_id`` with the seeker
        proposed for it, on ``platform_id`` (created once): the ids of the employment routes' path parameters."""
        if platform_id not in self._employment:
            self._employment[platform_id] = self._recruit(platform_id, provider_id)
        return self._employment[platform_id]

    def _recruit(self, platform_id: str, provider_id: str) -> dict[str, str]:
        base = f"/platforms/{platform_id}"
        commune = self.get("intake", f"{base}/policy")["communes"][0]["code"]
        seeker_id = self.post("employment", f"{base}/seekers", {
            "identity": {"name": "Dominique Essai", "phone": "06 12 34 56 78"}, "referral_source": "france_travail", "trades": ["home_help"],
            "commune": commune, "mobility_km": 20, "available_from": "2026-01-05", "hours_per_week": "24.00"})["id"]
        self.post("employment", f"{base}/seekers/{seeker_id}/assessment", {
            "grid": {"skills": 4, "motivation": 5, "constraints": 4}, "decision": "preselected", "reason": "Motivée"})
        session_id = self.post("employment", f"{base}/sessions", {
            "starts_at": "2030-01-07T09:30:00+01:00", "place": "Salle 1", "trades": ["home_help"], "capacity": 12})["id"]
        cohort_id = self.post("employment", f"{base}/cohorts", {
            "title": "Remise à niveau", "modules": ["DC1"], "starts_on": "2030-01-07", "ends_on": "2030-03-07"})["id"]
        opening_id = self.post("employment", f"{base}/openings", {
            "provider_id": provider_id, "trade": "home_help", "hours_per_week": "24.00", "communes": [commune],
            "starts_on": "2030-02-01"})["id"]
        self.post("employment", f"{base}/openings/{opening_id}/proposals", {"wanted": 1})
        return {"seeker_id": seeker_id, "session_id": session_id, "cohort_id": cohort_id, "opening_id": opening_id}

    @cached_property
    def platforms(self) -> tuple[str, ...]:
        return tuple(name for name in self.credentials if name != "federation")

    def _finish(self, row: dict[str, Any], charged: bool) -> Intervention:
        platform_id, request_id, provider_id = row["platform_id"], row["request_id"], row["provider_id"]
        base = f"/platforms/{platform_id}/requests/{request_id}"
        self.post("matching", f"{base}/contact", {})
        self.post("matching", f"{base}/intervention", {**DONE_BODY, "done_on": datetime.now(UTC).date().isoformat()})

        def survey() -> dict[str, Any] | None:
            found = [s for s in self.get("feedback", f"/platforms/{platform_id}/surveys") if s["request_id"] == request_id]
            return found[0] if found else None

        sent = wait_for(survey, timeout=60, what=f"the survey of {request_id}")
        account = f"/platforms/{platform_id}/accounts/{provider_id}"
        if charged:
            wait_for(lambda: any(e["request_id"] == request_id for e in self.get("billing", account)["entries"]),
                     timeout=60, what=f"the fee of {request_id}")
        contact = self.get("intake", f"{base}/contact")
        return Intervention(platform_id, request_id, provider_id, contact["resident_id"], sent["survey_id"])

    def _all_matched(self) -> bool:
        return all(row["status"] != "waiting" for platform_id in self.platforms for row in self.requests(platform_id))
