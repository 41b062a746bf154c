"""A realistic federation history, in time order: :func:`federation_history` yields exactly N records.

Calls are spread evenly over ``years`` starting on ``START`` across the platforms (by demand
share); each call's flow spans hours to weeks, so flows overlap. Records come out ordered by
occurrence time, as the services would have published them, with the providers' directory first,
occasional suspensions, yearly memberships (Val-de-Marne) and monthly statements with payments
(platforms that charge fees). Deterministic for a given ``seed``.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bench.federation import DEMAND_SHARE, Platform, load_platforms, provider_history, suspension
from bench.flows import Flow
from bench.records import Record, Recorder

START = datetime(2019, 1, 7, 8, 0, tzinfo=UTC)
EVENTS_PER_CALL = 6.5


def federation_history(events: int, *, years: int = 6, seed: int = 7) -> Iterator[Record]:
    """The first ``events`` records of the history, in occurrence order."""
    rng = random.Random(seed)
    rec = Recorder(rng)
    platforms = load_platforms(rng)
    pending: list[tuple[int, int, Record]] = []
    sequence = 0

    def push(records: list[Record]) -> None:
        nonlocal sequence
        for record in records:
            heapq.heappush(pending, (record.timestamp_ms, sequence, record))
            sequence += 1

    for platform in platforms:
        push(provider_history(rec, rng, platform, START - timedelta(days=60)))
    calls = max(1, int(events / EVENTS_PER_CALL))
    spacing = timedelta(days=365 * years) / calls
    weights = [DEMAND_SHARE.get(p.platform_id, 0.1) for p in platforms]
    fees = _Accounts(rec, rng)
    yielded, number, now, month = 0, 0, START, None
    while yielded < events:
        now += spacing * rng.uniform(0.5, 1.5)
        if now.month != month:
            month = now.month
            push(fees.month_end(platforms, now))
            if rng.random() < 0.5:
                platform = rng.choice(platforms)
                push(suspension(rec, platform, rng.choice(platform.providers), now))
        platform = rng.choices(platforms, weights=weights)[0]
        number += 1
        flow = Flow(rec, rng, platform, number, now)
        push(flow.run())
        fees.note(platform.platform_id, flow.fees)
        cutoff = int(now.timestamp() * 1000)
        while pending and pending[0][0] <= cutoff and yielded < events:
            yield heapq.heappop(pending)[2]
            yielded += 1
        if number > events:  # never true with real flows; guards against an endless loop
            break
    while pending and yielded < events:
        yield heapq.heappop(pending)[2]
        yielded += 1


class _Accounts:
    """Monthly statements and payments of the fees charged, yearly memberships."""

    def __init__(self, rec: Recorder, rng: random.Random) -> None:
        self.rec, self.rng = rec, rng
        self.charged: dict[tuple[str, str], Decimal] = {}

    def note(self, platform_id: str, fees: list[tuple[str, Decimal]]) -> None:
        for provider, amount in fees:
            key = (platform_id, provider)
            self.charged[key] = self.charged.get(key, Decimal(0)) + amount

    def month_end(self, platforms: list[Platform], now: datetime) -> list[Record]:
        records: list[Record] = []
        period = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        for (platform_id, provider), total in sorted(self.charged.items()):
            ids = {"provider_id": provider}
            common = {"service": "billing", "platform_id": platform_id, "aggregate_id": provider, "actor": "system:billing"}
            statement = {**ids, "statement_id": f"stm-{period}-{provider}", "period": period,
                         "issued_on": now.date().isoformat(), "opening_balance": "0.00", "total_charged": f"{total:.2f}",
                         "total_paid": f"{total:.2f}", "closing_balance": "0.00"}
            records.append(self.rec.emit("StatementIssued", statement, at=now, **common)[1])
            if total > 0:
                payment = {**ids, "amount": f"{total:.2f}", "paid_on": now.date().isoformat(), "method": "bank_transfer",
                           "reference": f"VIR-{period}"}
                records.append(self.rec.emit("PaymentRecorded", payment, at=now + timedelta(hours=1), **common)[1])
        self.charged.clear()
        if now.month == 1:
            for platform in platforms:
                if platform.policy.fee_rule("association", now.date()).type != "yearly_membership":
                    continue
                for provider in platform.providers:
                    membership = {"provider_id": provider.provider_id, "year": now.year,
                                  "policy_id": f"{platform.platform_id}-membership", "amount": "155.00"}
                    records.append(self.rec.emit("MembershipFeeCharged", membership, service="billing",
                                                 platform_id=platform.platform_id, aggregate_id=provider.provider_id,
                                                 at=now, actor="system:billing")[1])
        return records
