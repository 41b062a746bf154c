"""Flat export rows: sealed fields gone, resident ids pseudonymised, payload fields typed as columns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pyarrow as pa

from relais.export.flatten import envelope_row, payload_row, payload_schema
from shared.contracts.envelope import new_envelope
from shared.contracts.events import feedback as fe
from shared.contracts.events import intake as ie
from shared.contracts.events import matching as me
from shared.contracts.events.privacy import ResidentErased
from shared.contracts.types import Sealed

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SEALED = Sealed(resident_id="res-1", nonce="bm9uY2U", ciphertext="Y2lwaGVy")


def pseudonym(resident_id: str) -> str:
    return f"p({resident_id})"


def test_sealed_fields_are_dropped_and_resident_ids_pseudonymised() -> None:
    payload = ie.RequestLogged(request_id="req-1", channel="phone", activity="gardening", commune="87085",
                               resident_id="res-1", contact=SEALED,
                               availability=[{"starts_at": AT, "ends_at": AT.replace(hour=12)}])
    envelope = new_envelope(payload, platform_id="limoges", aggregate_id="req-1", aggregate_version=1,
                            actor="operator:op-1", occurred_at=AT)

    row = payload_row(envelope, pseudonym)
    table = pa.Table.from_pylist([row], schema=payload_schema(ie.RequestLogged))

    assert "contact" not in row and row["resident_id"] == "p(res-1)"
    assert table.column("availability").to_pylist() == [[{"starts_at": AT, "ends_at": AT.replace(hour=12)}]]
    assert table.schema.field("occurred_at").type == pa.timestamp("us", tz="UTC")


def test_optional_sealed_comment_dropped_and_nested_answers_kept_as_json() -> None:
    payload = fe.SurveyAnswered(survey_id="srv-1", request_id="req-1", provider_id="prv-1", channel="web",
                                provider={"punctuality": 5, "quality": 4, "would_recommend": True},
                                platform={"would_call_platform_again": True, "platform_made_it_easier": True},
                                comment=SEALED)
    envelope = new_envelope(payload, platform_id="limoges", aggregate_id="req-1", aggregate_version=1,
                            actor="resident", occurred_at=AT)

    row = payload_row(envelope, pseudonym)

    assert "comment" not in row and '"quality":4' in row["provider"]
    assert "ciphertext" not in str(row)


def test_typed_columns_and_resident_aggregates_pseudonymised() -> None:
    done = me.InterventionDone(request_id="req-1", provider_id="prv-1", resident_id="res-9", activity="gardening",
                               commune="87085", done_on=date(2026, 3, 4), labour_hours="3.00",
                               labour_amount_excl_tax="60.00", travel_amount_excl_tax="0.00", amount_excl_tax="60.00")
    schema = payload_schema(me.InterventionDone)
    erased = new_envelope(ResidentErased(resident_id="res-9", erased_at=AT, requested_by="resident"),
                          platform_id="limoges", aggregate_id="res-9", aggregate_version=1, actor="resident")

    assert schema.field("done_on").type == pa.date32() and schema.field("labour_hours").type == pa.string()
    assert envelope_row(erased, "intake", "relais.privacy", pseudonym)["aggregate_id"] == "p(res-9)"
    assert payload_row(erased, pseudonym)["resident_id"] == "p(res-9)"
    assert done.resident_id == "res-9"


def test_lists_are_arrow_lists_and_events_carry_the_platforms_local_date() -> None:
    late = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # 00:30 on 1 April in Limoges
    assigned = me.ProviderAssigned(request_id="req-1", provider_id="prv-2", activity="gardening", commune="87085",
                                   sector="limoges-ville", candidates=["prv-1", "prv-2"], rotation_position=1,
                                   skipped=[{"provider_id": "prv-1", "reason": "unavailable"}], eligible=["prv-2"],
                                   deadline_at=late)
    envelope = new_envelope(assigned, platform_id="limoges", aggregate_id="req-1", aggregate_version=1,
                            actor="system:matching", occurred_at=late)
    schema = payload_schema(me.ProviderAssigned)

    table = pa.Table.from_pylist([payload_row(envelope, pseudonym, ZoneInfo("Europe/Paris"))], schema=schema)

    assert schema.field("candidates").type == pa.list_(pa.string())
    assert table.column("skipped").to_pylist() == [[{"provider_id": "prv-1", "reason": "unavailable"}]]
    assert table.column("occurred_local_date").to_pylist() == [date(2026, 4, 1)]
    assert table.column("occurred_at").to_pylist()[0] == late
    assert envelope_row(envelope, "matching", "relais.matching", pseudonym)["occurred_local_date"] is None
