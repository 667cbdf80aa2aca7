"""When the webcare team is at work: weekly hours in the municipality's time zone, minus holidays.

Written in settings as `mon-fri 08:30-17:00; sat 10:00-12:00` and a list of ISO dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PERIOD = re.compile(r"^(\w{3})(?:-(\w{3}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class BusinessHours:
    hours: dict[int, tuple[time, time]]
    """Opening and closing time per weekday (0 = Monday)."""
    holidays: frozenset[date]
    zone: ZoneInfo

    @classmethod
    def parse(cls, spec: str, holidays: str = "", zone: str = "Europe/Amsterdam") -> BusinessHours:
        hours: dict[int, tuple[time, time]] = {}
        for part in filter(None, (p.strip().lower() for p in spec.split(";"))):
            match = _PERIOD.match(part)
            if not match or match[1] not in DAYS or (match[2] and match[2] not in DAYS):
                raise ValueError(f"not business hours like 'mon-fri 08:30-17:00': {part!r}")
            first, last = DAYS.index(match[1]), DAYS.index(match[2] or match[1])
            opens = time(int(match[3]), int(match[4]))
            closes = time(int(match[5]), int(match[6]))
            if closes <= opens:
                raise ValueError(f"closing before opening: {part!r}")
            for day in range(first, last + 1):
                hours[day] = (opens, closes)
        days = frozenset(date.fromisoformat(d.strip()) for d in holidays.split(",") if d.strip())
        return cls(hours, days, ZoneInfo(zone))

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        period = self.hours.get(local.weekday())
        if period is None or local.date() in self.holidays:
            return False
        return period[0] <= local.time() < period[1]

    def next_opening(self, moment: datetime) -> datetime | None:
        """When the team is next at work (now, if it is), or None if it never is."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(self.zone)
        for offset in range(0, 400):
            day = local.date() + timedelta(days=offset)
            period = self.hours.get(day.weekday())
            if period is None or day in self.holidays:
                continue
            opening = datetime.combine(day, period[0], tzinfo=self.zone)
            if opening > local:
                return opening
        return None


_DAY_NAMES: Final = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS: Final = {
    "nl": (
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
        "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
}  # fmt: skip


def when(moment: datetime, language: str) -> str:
    """ "maandag 23 november om 08.30 uur" / "Monday 23 November at 08:30"."""
    language = "en" if language == "en" else "nl"
    day = _DAY_NAMES[language][moment.weekday()]
    month = _MONTHS[language][moment.month - 1]
    if language == "en":
        return f"{day} {moment.day} {month} at {moment:%H:%M}"
    return f"{day} {moment.day} {month} om {moment:%H.%M} uur"
