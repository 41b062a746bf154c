"""Table checksums: independent of row order and storage format, sensitive to any change."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from relais.replay.checksum import combine, normalise


def test_row_order_does_not_matter_but_content_does() -> None:
    rows = [{"id": 1, "status": "waiting"}, {"id": 2, "status": "assigned"}, {"id": 3, "status": "done"}]

    assert combine(rows) == combine(list(reversed(rows)))
    assert combine(rows) != combine([*rows[:2], {"id": 3, "status": "unmet"}])
    assert combine(rows) != combine([*rows, rows[0]])
    assert combine(rows)[0] == 3


def test_values_equal_across_backends_hash_equal() -> None:
    aware = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)

    assert normalise(aware.replace(tzinfo=None)) == normalise(aware)
    assert normalise(Decimal("6.70")) == normalise(Decimal("6.7")) == "6.7"
    assert normalise(2.0) == normalise(2)
    assert combine([{"at": aware.replace(tzinfo=None), "fee": Decimal("1.50")}]) == \
        combine([{"at": aware, "fee": Decimal("1.5")}])


def test_floats_compare_to_twelve_significant_digits() -> None:
    assert normalise(0.1 + 0.2 + 1.3) == normalise(1.6) == normalise(1.5999999999999999)
    assert normalise(1.6) != normalise(1.6001)
    assert normalise(3.0000000000001) == 3
