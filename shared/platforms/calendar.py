"""Time and distance rules of a platform: opening hours, callback deadlines, distances between communes.

Callback deadline (``policy.callback``):

- ``wall_clock``: ``deadline_hours`` of elapsed time after the request was received, nights,
  weekends and holidays included (Limoges, Mons-Borinage: "within 24 hours").
- ``business_hours``: only the platform's opening hours count, in its own time zone. A request
  received while the platform is closed starts counting at the next opening. With Brenne's 27 open
  hours a week, 24 business hours from Monday 10:00 end on Friday 15:00 the same week.
  Public holidays (every year's, for the policy's country) and extra closed days count as closed.

Every function takes and returns timezone-aware datetimes; deadlines are returned in the platform's
time zone. Elapsed time is computed in UTC, so daylight-saving changes never add or remove an hour.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from shared.platforms.local_time import local
from shared.platforms.model import DeadlineMode, PlatformPolicy
from shared.platforms.places import Commune

EARTH_RADIUS_KM = 6371.0088
_MAX_DAYS_SEARCHED = 3 * 366


def is_open(policy: PlatformPolicy, at: datetime) -> bool:
    """Whether the platform's phone line is staffed at ``at``."""
    local = _local(policy, at)
    return any(interval.opens <= local.time() < interval.closes for interval in policy.opening_hours.intervals_on(local.date()))


def next_opening(policy: PlatformPolicy, at: datetime) -> datetime:
    """``at`` itself when open, otherwise the next time the platform opens (platform time zone)."""
    for start, _ in _open_periods(policy, at):
        return start
    raise ValueError(f"platform {policy.platform_id} never opens")


def callback_deadline(policy: PlatformPolicy, received_at: datetime) -> datetime:
    """When the resident must have been called back, for a request received at ``received_at``."""
    hours = timedelta(hours=policy.callback.deadline_hours)
    if policy.callback.mode is DeadlineMode.WALL_CLOCK:
        return _local(policy, received_at.astimezone(UTC) + hours)
    remaining = hours
    for start, end in _open_periods(policy, received_at):
        length = end.astimezone(UTC) - start.astimezone(UTC)
        if remaining <= length:
            return _local(policy, start.astimezone(UTC) + remaining)
        remaining -= length
    raise ValueError(f"platform {policy.platform_id} is not open {hours} within {_MAX_DAYS_SEARCHED} days")


def distance_km(commune_a: Commune, commune_b: Commune) -> float:
    """Great-circle (haversine) distance between the centres of two communes, in kilometres."""
    lat_a, lat_b = math.radians(commune_a.latitude), math.radians(commune_b.latitude)
    d_lat = lat_b - lat_a
    d_lon = math.radians(commune_b.longitude - commune_a.longitude)
    h = math.sin(d_lat / 2) ** 2 + math.cos(lat_a) * math.cos(lat_b) * math.sin(d_lon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _open_periods(policy: PlatformPolicy, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Yield the (start, end) opening periods from ``since`` on, the first one cut at ``since``."""
    since_local = _local(policy, since)
    for offset in range(_MAX_DAYS_SEARCHED):
        day = since_local.date() + timedelta(days=offset)
        for interval in policy.opening_hours.intervals_on(day):
            start = datetime.combine(day, interval.opens, tzinfo=policy.zone)
            end = datetime.combine(day, interval.closes, tzinfo=policy.zone)
            if end <= since_local:
                continue
            yield max(start, since_local), end


def _local(policy: PlatformPolicy, at: datetime) -> datetime:
    return local(at, policy.zone)
