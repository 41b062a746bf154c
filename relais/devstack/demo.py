"""Loads the demo federation into running services, through their HTTP APIs, as people would.

For each platform: an account per demo person (email ``<username>@demo.relais.invalid``, password
:data:`DEMO_PASSWORD`, to sign in on ``/connexion``), API tokens for the demo users (written to the tokens file the
services read, and, for the demo only, in clear to ``<data_dir>/demo-credentials.json``), the provider directory
(application, committee decision, agrément, availability, suspension), then the example calls; for each
mediation desk, the visits of its last weeks and the paper questionnaires of some of its visitors; for Val-de-Marne
and Hérault, the employment activity of their last months (:mod:`relais.devstack.demo_employment`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import httpx

from relais.devstack.demo_data import (
    DEMO_DESK_IDS,
    DEMO_PLATFORM_IDS,
    demo_calls,
    demo_providers,
    demo_residents,
    demo_users,
    demo_visits,
)
from relais.devstack.demo_employment import load_employment
from shared.blocking import run_blocking
from shared.platforms.loader import load_policies
from shared.platforms.local_time import local_date
from shared.security.tokens import TokenRegistry
from shared.settings import Settings

COMMITTEE = [{"body": "ccas", "label": "CCAS"}, {"body": "conseil_general", "label": "Conseil départemental"},
             {"body": "chambre_des_metiers", "label": "Chambre des métiers"}, {"body": "cci", "label": "CCI"}]


DEMO_PASSWORD = "relais-demo-2026"
"""The password of every demo account (the demo only: its stores are temporary and local)."""


def demo_email(username: str) -> str:
    return f"{username}@demo.relais.invalid"


async def create_demo_accounts(settings: Settings) -> int:
    """An account with :data:`DEMO_PASSWORD` for each demo person (not the providers) and a federation admin."""
    from shared.security.web import Identity

    identity = Identity.from_settings(settings)
    people = [(platform_id, user["username"], user["role"], user.get("display_name") or user["username"])
              for platform_id in DEMO_PLATFORM_IDS + DEMO_DESK_IDS for user in demo_users(platform_id)
              if user["role"] != "provider"] + [("*", "admin", "federation_admin", "Administration (démo)")]
    password_hash = identity.accounts.hasher.hash(DEMO_PASSWORD)  # one hash for all: Argon2 is slow on purpose
    try:
        await identity.store.migrate()
        for platform_id, username, role, name in people:
            account, _ = await identity.accounts.invite(platform_id=platform_id, role=role, email=demo_email(username),
                                                        display_name=name, created_by="demo", now=identity.now(),
                                                        base_url="", send=False)
            await identity.store.save_account(replace(account, password_hash=password_hash))
    finally:
        await identity.store.close()
    return len(people)


def tokens_path(settings: Settings) -> Path:
    return settings.tokens_file or settings.data_dir / "tokens.yaml"


def issue_demo_tokens(settings: Settings, admin: str, provider_ids: dict[str, str]) -> dict[str, dict[str, str]]:
    """A token per demo user, by platform then username (providers get the id matching gave them)."""
    registry = TokenRegistry.load(tokens_path(settings))
    credentials: dict[str, dict[str, str]] = {"federation": {"demo-loader": admin}}
    for platform_id in DEMO_PLATFORM_IDS + DEMO_DESK_IDS:
        for user in demo_users(platform_id):
            subject = provider_ids.get(user.get("provider_id") or "", user["username"])
            plaintext, _ = registry.issue(platform_id, user["role"], subject)
            credentials.setdefault(platform_id, {})[user["username"]] = plaintext
    path = settings.data_dir / "demo-credentials.json"
    path.write_text(json.dumps(credentials, indent=2, ensure_ascii=False), encoding="utf-8")
    path.chmod(0o600)
    return credentials


def _check(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text}")
    return response.json() if response.content else {}


def load_provider(client: httpx.Client, platform_id: str, provider: dict[str, Any]) -> str:
    """Record one demo provider's life in the directory; returns the id matching gave it."""
    base = f"/platforms/{platform_id}/providers"
    communes = [provider["located_in"], *[c for c in provider["communes"] if c != provider["located_in"]]]
    application: dict[str, Any] = {key: provider[key] for key in ("name", "kind", "activities", "qualifications")
                                   if key in provider}
    application.update({key: provider[key] for key in ("siret", "bce_number") if provider.get(key)})
    application["email"] = provider.get("email") or f"{provider['provider_id'].removeprefix('prv-')}@prestataires.example"
    provider_id = _check(client.post(base, json={**application, "communes": communes}))["id"]
    if provider["status"] == "applied":
        return provider_id
    admitted_on = provider["admitted_on"]
    _check(client.post(f"{base}/{provider_id}/committee-decision", json={
        "decision": "admitted", "committee_on": admitted_on.isoformat(), "members": COMMITTEE,
        "charter_signed_at": datetime.combine(admitted_on, time(10), tzinfo=UTC).isoformat()}))
    for accreditation in provider.get("accreditations", []):
        _check(client.post(f"{base}/{provider_id}/accreditation", json={
            **accreditation, "issued_on": accreditation["issued_on"].isoformat(),
            "expires_on": accreditation["expires_on"].isoformat()}))
    if provider.get("weekly"):
        _check(client.put(f"{base}/{provider_id}/availability", json={"weekly": provider["weekly"], "absences": []}))
    if provider.get("suspension"):
        suspension = provider["suspension"]
        _check(client.post(f"{base}/{provider_id}/suspension", json={
            "since": suspension["since"].isoformat(), "reason": suspension["reason"]}))
    return provider_id


def log_call(client: httpx.Client, platform_id: str, call: dict[str, Any], residents: dict[str, dict[str, Any]]) -> None:
    base = f"/platforms/{platform_id}"
    if call["kind"] == "information":
        _check(client.post(f"{base}/information-calls", json={
            "channel": call["channel"], "topic_asked": call["topic"], "answer": call["answer"],
            "commune": call.get("commune")}))
        return
    resident = residents[call["resident"]]
    contact = {key: resident.get(key) for key in ("name", "phone", "email", "address")}
    if call["kind"] == "voicemail":
        _check(client.post(f"{base}/voicemails", json={
            "contact": {**contact, "message": call.get("description")},
            "left_at_local": call["received_at"].isoformat()}))
        return
    _check(client.post(f"{base}/requests", json={
        "channel": call["channel"], "activity": call["activity"], "commune": call["commune"],
        "fragile_publics": call.get("fragile_publics", []), "contact": contact,
        "availability": [{"starts_at": w["starts_at"].isoformat(), "ends_at": w["ends_at"].isoformat()}
                         for w in call.get("availability", [])]}))


def load_demo(urls: dict[str, str], settings: Settings) -> dict[str, dict[str, str]]:
    """Load every demo platform into the services at ``urls``; returns the demo credentials."""
    admin_token, _ = TokenRegistry.load(tokens_path(settings)).issue("*", "federation_admin", "demo-loader")
    admin = {"Authorization": f"Bearer {admin_token}"}
    provider_ids: dict[str, str] = {}
    with httpx.Client(base_url=urls["matching"], headers=admin, timeout=30) as matching:
        for platform_id in DEMO_PLATFORM_IDS:
            for provider in sorted(demo_providers(platform_id), key=lambda p: (str(p.get("admitted_on", "")), p["provider_id"])):
                provider_ids[provider["provider_id"]] = load_provider(matching, platform_id, provider)
    credentials = issue_demo_tokens(settings, admin_token, provider_ids)
    run_blocking(create_demo_accounts(settings))
    with httpx.Client(base_url=urls["intake"], headers=admin, timeout=30) as intake:
        for platform_id in DEMO_PLATFORM_IDS:
            residents = {resident["resident_id"]: resident for resident in demo_residents(platform_id)}
            for call in demo_calls(platform_id):
                log_call(intake, platform_id, call, residents)
    load_desks(urls, admin, settings)
    load_employment(urls["employment"], credentials, provider_ids, load_policies(settings.platforms_dir))
    return credentials


def load_desks(urls: dict[str, str], admin: dict[str, str], settings: Settings) -> None:
    """Log each demo desk's visits at intake and its paper questionnaires at feedback."""
    policies = load_policies(settings.platforms_dir)
    for desk_id in DEMO_DESK_IDS:
        desk = policies[desk_id]
        visits, answers = demo_visits(desk, local_date(datetime.now(UTC), desk.zone))
        with httpx.Client(base_url=urls["intake"], headers=admin, timeout=30) as intake:
            for visit in visits:
                _check(intake.post(f"/platforms/{desk_id}/visits", json=visit))
        with httpx.Client(base_url=urls["feedback"], headers=admin, timeout=30) as feedback:
            for answer in answers:
                _check(feedback.post(f"/platforms/{desk_id}/visit-answers", json=answer))
