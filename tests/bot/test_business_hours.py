from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.business_hours import BusinessHours, when

HOURS = BusinessHours.parse("mon-fri 08:30-17:00; sat 10:00-12:00", "2026-12-25")


def amsterdam(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HOURS.zone)


def test_open_on_a_weekday_afternoon_closed_in_the_evening() -> None:
    assert HOURS.is_open(amsterdam("2026-11-23T14:00"))  # Monday
    assert not HOURS.is_open(amsterdam("2026-11-23T17:00"))
    assert HOURS.is_open(amsterdam("2026-11-28T11:00"))  # Saturday
    assert not HOURS.is_open(amsterdam("2026-11-29T11:00"))  # Sunday


def test_after_closing_the_team_is_back_the_next_working_day() -> None:
    assert HOURS.next_opening(amsterdam("2026-11-27T20:00")) == amsterdam("2026-11-28T10:00")
    assert HOURS.next_opening(amsterdam("2026-11-28T13:00")) == amsterdam("2026-11-30T08:30")


def test_a_holiday_is_skipped() -> None:
    assert not HOURS.is_open(amsterdam("2026-12-25T10:00"))
    assert HOURS.next_opening(amsterdam("2026-12-24T18:00")) == amsterdam("2026-12-26T10:00")


def test_utc_moments_are_judged_in_the_municipalitys_time() -> None:
    # 07:45 UTC in winter is 08:45 in Amsterdam.
    assert HOURS.is_open(datetime(2026, 11, 23, 7, 45, tzinfo=UTC))


def test_the_moment_reads_naturally() -> None:
    moment = amsterdam("2026-11-30T08:30")
    assert when(moment, "nl") == "maandag 30 november om 08.30 uur"
    assert when(moment, "en") == "Monday 30 November at 08:30"


@pytest.mark.parametrize("spec", ["ma-vr 08:30-17:00", "mon 17:00-08:00", "mon-fri"])
def test_unreadable_hours_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="mon"):
        BusinessHours.parse(spec)
