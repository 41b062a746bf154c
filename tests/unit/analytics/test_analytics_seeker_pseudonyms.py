"""``relais export`` never shows a job seeker's id (issue 22): like residents' ids, seekers' are pseudonymised with
the export salt wherever they appear: the seeker aggregates' ids, every ``seeker_id`` field at any depth (the
candidates proposed and skipped for an opening), and the keys of a session's attendance."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
import pyarrow as pa

from relais.export.flatten import envelope_row, payload_row, payload_schema
from shared.contracts.envelope import new_envelope
from shared.contracts.events import employment as e
from shared.contracts.types import Sealed

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SEEKERS = ("skr-01jaaaaaaaaaaaaaaaaaaaaaa1", "skr-01jbbbbbbbbbbbbbbbbbbbbbb2", "skr-01jcccccccccccccccccccccc3")


def pseudonym(seeker_id: str) -> str:
    return f"p{SEEKERS.index(seeker_id)}"


def exported(payload: Any, aggregate_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    envelope = new_envelope(payload, platform_id="val-de-marne", aggregate_id=aggregate_id, aggregate_version=1,
                            actor="advisor:adv-1", occurred_at=AT)
    row = payload_row(envelope, pseudonym)
    pa.Table.from_pylist([row], schema=payload_schema(type(payload)))  # the row fits its Parquet schema
    return envelope_row(envelope, "employment", "relais.employment", pseudonym), row


def shown(*rows: dict[str, Any]) -> str:
    return orjson.dumps(rows, default=str).decode()


def test_a_seekers_registration_shows_neither_their_id_nor_their_identity() -> None:
    registered = e.SeekerRegistered(
        seeker_id=SEEKERS[0], identity=Sealed(resident_id=SEEKERS[0], nonce="bm9uY2U", ciphertext="Y2lwaGVy"),
        referral_source="france_travail", trades=["home_help"], commune="94028", mobility_km=10,
        available_from=date(2026, 3, 2), hours_per_week="24.00", advisor="adv-1")
    envelope, row = exported(registered, SEEKERS[0])
    assert envelope["aggregate_id"] == row["aggregate_id"] == row["seeker_id"] == "p0"
    assert "identity" not in row and "skr-" not in shown(envelope, row)


def test_a_sessions_attendance_is_keyed_by_pseudonyms() -> None:
    held = e.SessionHeld(session_id="ses-1", attendance={SEEKERS[0]: "present", SEEKERS[1]: "excused"})
    envelope, row = exported(held, "ses-1")
    assert orjson.loads(row["attendance"]) == {"p0": "present", "p1": "excused"}
    assert envelope["aggregate_id"] == "ses-1" and "skr-" not in shown(envelope, row)


def test_the_candidates_proposed_and_skipped_are_pseudonymised_inside_their_lists() -> None:
    proposed = e.CandidatesProposed(
        opening_id="opn-1", provider_id="prv-1",
        proposed=[e.ProposedCandidate(seeker_id=SEEKERS[0], rank=1, proposals_before=0, preselected_on=date(2026, 3, 1),
                                      distance_km=2)],
        skipped=[e.SkippedCandidate(seeker_id=SEEKERS[1], reason="too_far"),
                 e.SkippedCandidate(seeker_id=SEEKERS[2], reason="not_preselected")])
    envelope, row = exported(proposed, "opn-1")
    assert [c["seeker_id"] for c in row["proposed"]] == ["p0"] and row["proposed"][0]["rank"] == 1
    assert [(s["seeker_id"], s["reason"]) for s in row["skipped"]] == [("p1", "too_far"), ("p2", "not_preselected")]
    assert "skr-" not in shown(envelope, row)


def test_every_employment_event_about_a_seeker_exports_a_pseudonym() -> None:
    about = [(e.SeekerInvited(session_id="ses-1", seeker_id=SEEKERS[0]), "ses-1"),
             (e.ModuleCertified(cohort_id="coh-1", seeker_id=SEEKERS[1], module="DC1", certified=True,
                                on=date(2026, 3, 2)), "coh-1"),
             (e.SeekerHired(opening_id="opn-1", provider_id="prv-1", seeker_id=SEEKERS[2], starts_on=date(2026, 4, 1),
                            posted_on=date(2026, 3, 1), trade="home_help"), "opn-1"),
             (e.SeekerErased(seeker_id=SEEKERS[0], erased_at=AT, requested_by="seeker"), SEEKERS[0])]
    for payload, aggregate_id in about:
        envelope, row = exported(payload, aggregate_id)
        assert row["seeker_id"].startswith("p") and "skr-" not in shown(envelope, row), type(payload).__name__
