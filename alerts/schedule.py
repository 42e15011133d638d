"""When a channel may send: quiet hours that hold messages, and the periods that digests collect."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_PERIOD = re.compile(r"^\s*(\d+)\s*(m|min|h|d)\s*$", re.IGNORECASE)
_UNITS = {
    "m": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
}
_CLOCK = r"([01]?\d|2[0-3]):([0-5]\d)"
_QUIET = re.compile(rf"^\s*{_CLOCK}\s*-\s*{_CLOCK}\s*$")
_DAY = timedelta(days=1)


def parse_period(text: str) -> timedelta:
    """A digest period such as "30m", "1h" or "1d"; ValueError says what is accepted."""
    match = _PERIOD.match(text)
    if not match or int(match[1]) == 0:
        raise ValueError(f"must be a period such as 30m, 1h or 1d, not {text!r}")
    period: timedelta = int(match[1]) * _UNITS[match[2].lower()]
    if period < timedelta(minutes=5):
        raise ValueError(f"must be at least 5 minutes (passes run every few minutes), not {text!r}")
    return period


def parse_zone(name: str) -> ZoneInfo:
    """An IANA time zone ("Europe/Berlin", "UTC"); ValueError when unknown."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"must be an IANA time zone such as Europe/Berlin or UTC, not {name!r}") from None


@dataclass(frozen=True)
class QuietHours:
    """A daily span of local time ("22:00-07:00") during which a channel's messages are held."""

    start: time
    end: time
    zone: str = "UTC"

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.zone))

    def contains(self, moment: datetime) -> bool:
        """True when `moment` falls inside the quiet span (the start is inside, the end is not)."""
        now = self._local(moment).time().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end  # the span crosses midnight

    def ends_after(self, moment: datetime) -> datetime:
        """The first end of a quiet span after `moment` (UTC), e.g. to say until when a message waits."""
        local = self._local(moment)
        end = datetime.combine(local.date(), self.end, tzinfo=local.tzinfo)
        while end <= local:
            end = datetime.combine(end.date() + _DAY, self.end, tzinfo=local.tzinfo)
        return end.astimezone(UTC)

    def describe(self) -> str:
        """The span as written in a watch file: "22:00-07:00 Europe/Berlin"."""
        return f"{self.start:%H:%M}-{self.end:%H:%M} {self.zone}"


def parse_quiet(text: str, zone: str = "UTC") -> QuietHours:
    """Quiet hours as "HH:MM-HH:MM" in `zone`; ValueError says what is wrong."""
    match = _QUIET.match(text)
    if not match:
        raise ValueError(f'must be a span of local time such as "22:00-07:00", not {text!r}')
    parse_zone(zone)
    start, end = time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))
    if start == end:
        raise ValueError(f"must not start and end at the same time ({text!r})")
    return QuietHours(start=start, end=end, zone=zone.strip())


def window_start(moment: datetime, period: timedelta, zone: str = "UTC") -> datetime:
    """The start of the digest window holding `moment`: windows of `period` from local midnight.

    Findings stored before this instant belong to finished windows and are sent; later ones wait.
    Periods longer than a day count from the Unix epoch instead.
    """
    local = moment.astimezone(ZoneInfo(zone))
    if period > _DAY:
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        return epoch + ((moment - epoch) // period) * period
    midnight = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
    # Elapsed wall time since local midnight, so a 1d digest closes at midnight even across DST changes.
    elapsed = local.replace(tzinfo=None) - midnight.replace(tzinfo=None)
    start = midnight.replace(tzinfo=None) + (elapsed // period) * period
    return start.replace(tzinfo=local.tzinfo).astimezone(UTC)


def window_end(moment: datetime, period: timedelta, zone: str = "UTC") -> datetime:
    """The end of the digest window holding `moment` (UTC): when what was stored in it is sent.

    The next window starts there; a day's last window ends at local midnight even when `period` does not
    divide the day.
    """
    start = window_start(moment, period, zone)
    end = start + period
    if period > _DAY:
        return end
    local = moment.astimezone(ZoneInfo(zone))
    midnight = datetime.combine(local.date() + _DAY, time(0), tzinfo=local.tzinfo).astimezone(UTC)
    return min(end, midnight)
