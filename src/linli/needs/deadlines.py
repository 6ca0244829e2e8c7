"""Deadlines: an urgency level's amount of time, counted from dispatch on the working-day calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from linli.lib.workdays import WorkCalendar
from linli.needs.models import UrgencyLevel


def due_at(urgency: UrgencyLevel, start: datetime, calendar: WorkCalendar) -> datetime:
    """Return when an order of ``urgency`` dispatched at ``start`` is due, in UTC.

    ``hours`` and ``days`` run on the clock (an emergency does not wait for Monday); ``working_hours``
    and ``working_days`` skip holidays and weekends and count the swapped working days (调休).
    """
    if urgency.unit == "hours":
        return start.astimezone(UTC) + timedelta(hours=urgency.amount)
    if urgency.unit == "days":
        return start.astimezone(UTC) + timedelta(days=urgency.amount)
    if urgency.unit == "working_hours":
        return calendar.add_working_hours(start, urgency.amount)
    return calendar.add_working_days(start, urgency.amount)
