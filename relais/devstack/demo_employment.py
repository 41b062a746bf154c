"""Loads the demo's employment activity into the employment service, through its HTTP API, as people would.

The platform's demo advisor registers the seekers (their names and contacts sealed by the service like any
other), schedules the information sessions, invites, gives seats and records attendance, assesses those who came,
runs the training cohort step by step, and posts the openings of the member providers that have no account; a
member provider with a demo account posts its own. Candidates are proposed in turn by the service; the provider
(or the advisor for it) then records the interviews, the hires and the follow-ups at 3 and 6 months whose day has
come. Each creation carries an idempotency key, so the ids, and therefore the service's choices, are the same at
every run.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
from dateutil.relativedelta import relativedelta

from relais.devstack.demo_data import DEMO_PLATFORM_IDS, demo_employment_spec, demo_users
from relais.devstack.demo_data.employment import CohortPlan, EmploymentHistory, OpeningPlan, employment_history
from shared.platforms.local_time import local_date
from shared.platforms.model import PlatformPolicy


def load_employment(url: str, credentials: dict[str, dict[str, str]], provider_ids: dict[str, str],
                    policies: dict[str, PlatformPolicy]) -> int:
    """Load each demo platform's employment history into the service at ``url``; returns how many requests it took."""
    sent = 0
    with httpx.Client(base_url=url, timeout=30) as client:
        for platform_id in DEMO_PLATFORM_IDS:
            spec = demo_employment_spec(platform_id)
            if spec is None:
                continue
            policy = policies[platform_id]
            today = local_date(datetime.now(UTC), policy.zone)
            history = employment_history(platform_id, spec, today, policy.zone)
            tokens = credentials[platform_id]
            loader = _Loader(client, f"/platforms/{platform_id}", {"Authorization": f"Bearer {tokens[history.advisor]}"})
            accounts = {user["provider_id"]: {"Authorization": f"Bearer {tokens[user['username']]}"}
                        for user in demo_users(platform_id) if user["role"] == "provider"}
            loader.run(history, today, provider_ids, accounts)
            sent += loader.sent
    return sent


class _Loader:
    def __init__(self, client: httpx.Client, base: str, advisor: dict[str, str]) -> None:
        self.client, self.base, self.advisor, self.sent = client, base, advisor, 0

    def post(self, path: str, body: dict[str, Any], who: dict[str, str] | None = None, key: str | None = None,
             refused: int | None = None) -> Any:
        headers = {**(who or self.advisor), **({"Idempotency-Key": key} if key else {})}
        response = self.client.post(self.base + path, json=body, headers=headers)
        self.sent += 1
        if refused is not None and response.status_code == refused:
            return None
        if response.status_code >= 400:
            raise RuntimeError(f"POST {self.base}{path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def run(self, history: EmploymentHistory, today: date, provider_ids: dict[str, str],
            accounts: dict[str, dict[str, str]]) -> None:
        ids = [self.post("/seekers", body, key=f"demo-seeker-{n}")["id"] for n, body in enumerate(history.seekers)]
        for n, session in enumerate(history.sessions):
            session_id = self.post("/sessions", session.body, key=f"demo-session-{n}")["id"]
            self.post(f"/sessions/{session_id}/invitations", {"seeker_ids": [ids[i] for i in session.invited]})
            for i in session.enrolled:
                self.post(f"/sessions/{session_id}/registrations", {"seeker_id": ids[i]})
            if session.attendance:
                self.post(f"/sessions/{session_id}/attendance",
                          {"attendance": {ids[i]: mark for i, mark in session.attendance.items()}})
        for i, assessment in sorted(history.assessments.items()):
            self.post(f"/seekers/{ids[i]}/assessment", assessment)
        if history.cohort is not None:
            self.cohort(history.cohort, ids)
        for n, opening in enumerate(history.openings):
            self.opening(n, opening, ids, today, provider_ids, accounts)

    def cohort(self, plan: CohortPlan, ids: list[str]) -> None:
        cohort_id = self.post("/cohorts", plan.body, key="demo-cohort-0")["id"]
        base = f"/cohorts/{cohort_id}"
        for i in plan.trainees:
            self.post(f"{base}/trainees", {"seeker_id": ids[i]})
        for i, module, attendance in plan.attendance:
            self.post(f"{base}/attendance", {"seeker_id": ids[i], "module": module, "attendance": attendance})
        for i, module, validated, on in plan.steps:
            self.post(f"{base}/certifications", {"seeker_id": ids[i], "module": module, "certified": validated, "on": on})
        for i, certified in plan.completions.items():
            self.post(f"{base}/completions", {"seeker_id": ids[i], "certified": certified})

    def opening(self, n: int, plan: OpeningPlan, ids: list[str], today: date, provider_ids: dict[str, str],
                accounts: dict[str, dict[str, str]]) -> None:
        provider = accounts.get(plan.provider)
        body = plan.body if provider else {**plan.body, "provider_id": provider_ids[plan.provider]}
        opening_id = self.post("/openings", body, who=provider, key=f"demo-opening-{n}")["id"]
        base = f"/openings/{opening_id}"
        proposal = self.post(f"{base}/proposals", {"wanted": plan.wanted}, refused=409)
        if proposal is None:  # nobody fits (yet): the opening waits, as it would
            return
        for candidate, outcome in zip(proposal["proposed"], plan.outcomes, strict=False):
            seeker_id = candidate["seeker_id"]
            self.post(f"{base}/interviews", {"seeker_id": seeker_id, "outcome": outcome}, who=provider)
            if outcome != "retained" or plan.hired_on is None:
                continue
            self.post(f"{base}/hires", {"seeker_id": seeker_id, "starts_on": plan.hired_on}, who=provider)
            for months in (3, 6):
                in_post = plan.in_post.get(months)
                if in_post is None or today < date.fromisoformat(plan.hired_on) + relativedelta(months=months):
                    break
                self.post(f"{base}/placements", {"seeker_id": seeker_id, "months": months, "in_post": in_post},
                          who=provider)
                if not in_post:
                    break
