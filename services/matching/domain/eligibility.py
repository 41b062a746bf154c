"""Who may take a request: the filters applied before the turn, each with its skip reason (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.contracts.directory import SUSPENDED, Provider
from shared.contracts.events.matching import SkipReason
from shared.platforms.local_time import local_date

HORIZON = timedelta(days=366)
"""Only the part of a resident's window within a year of the request counts (every weekday recurs 52 times):
this bounds the day-by-day walk and keeps extreme dates (year 1, year 9999) of old events from overflowing."""


@dataclass(frozen=True)
class RequestSpec:
    """What the rotation needs to know of a request."""

    request_id: str
    platform_id: str
    activity: str
    commune: str
    sector: str
    fragile_publics: frozenset[str]
    windows: tuple[tuple[datetime, datetime], ...]
    received_at: datetime
    timezone: str = "Europe/Paris"

    @property
    def local_day(self) -> date:
        """The platform's calendar day when the request was received (agréments and absences count in it)."""
        return local_date(_aware(self.received_at), ZoneInfo(self.timezone))


def skip_reason(provider: Provider, request: RequestSpec) -> SkipReason | None:
    """Why ``provider`` cannot take ``request`` now, or ``None`` if it can (checks in a fixed order)."""
    if request.activity not in provider.activities:
        return SkipReason.NOT_OFFERING_ACTIVITY
    if provider.status == SUSPENDED:
        return SkipReason.SUSPENDED
    if request.commune not in provider.communes:
        return SkipReason.NOT_IN_SECTOR
    if request.fragile_publics and not request.fragile_publics <= provider.publics_on(request.local_day):
        if request.fragile_publics <= provider.publics_recorded():
            return SkipReason.AGREMENT_EXPIRED
        return SkipReason.NO_AGREMENT
    if not is_available(provider, request):
        return SkipReason.UNAVAILABLE
    return None


def is_available(provider: Provider, request: RequestSpec) -> bool:
    """True if some resident window meets a weekly slot of the provider outside its absences.

    No window given: the resident is flexible, so only an absence covering the day of the request
    makes the provider unavailable. No weekly slot declared: the provider works any time. Windows
    are clipped to ``HORIZON`` around the request.
    """
    zone = ZoneInfo(request.timezone)
    if not request.windows:
        return not _absent(provider, request.local_day)
    low, high = _shifted(request.received_at, -HORIZON), _shifted(request.received_at, HORIZON)
    for start, end in request.windows:
        start, end = max(_aware(start), low), min(_aware(end), high)
        if start < end and _window_fits(provider, start.astimezone(zone), end.astimezone(zone)):
            return True
    return False


def _aware(moment: datetime) -> datetime:
    """A naive moment (old events) is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment.utcoffset() is None else moment


def _shifted(moment: datetime, delta: timedelta) -> datetime:
    """``moment + delta``, clamped to the representable range (in UTC, with days to spare for time zones)."""
    try:
        return _aware(moment) + delta
    except OverflowError:
        edge = datetime.max - timedelta(days=2) if delta > timedelta(0) else datetime.min + timedelta(days=2)
        return edge.replace(tzinfo=UTC)


def _window_fits(provider: Provider, start: datetime, end: datetime) -> bool:
    first = start.date()
    for offset in range((end.date() - first).days + 1):
        day = first + timedelta(days=offset)
        if not _absent(provider, day) and _slot_overlaps(provider, day, start, end):
            return True
    return False


def _slot_overlaps(provider: Provider, day: date, start: datetime, end: datetime) -> bool:
    if not provider.weekly:
        return True
    weekday = day.strftime("%A").lower()
    for slot in provider.weekly:
        if slot.weekday.value != weekday:
            continue
        slot_start = datetime.combine(day, slot.starts, tzinfo=start.tzinfo)
        slot_end = datetime.combine(day, slot.ends, tzinfo=start.tzinfo)
        if slot_start < end and start < slot_end:
            return True
    return False


def _absent(provider: Provider, day: date) -> bool:
    return any(absence.first_day <= day <= absence.last_day for absence in provider.absences)
