"""Building visit situations: dates moved into the past, logs written, rhythms read."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linli.db.engine import transaction
from linli.lib import clock
from linli.registry.models import Household
from linli.visits import logs
from linli.visits.models import GridLog, HouseholdRhythm
from linli.visits.rhythm import recompute_rhythm
from linli.visits.schemas import GridLogIn
from tests.factories import root_scope


def registered(session: Session, household_id: int, on: date) -> None:
    """Say the household was registered on ``on`` and recompute its rhythm."""
    with transaction(session):
        session.execute(update(Household).where(Household.id == household_id).values(registered_on=on))
        recompute_rhythm(session, [household_id])


def at(day: date, hour: int = 10) -> datetime:
    """Return ``hour`` o'clock Asia/Shanghai on ``day``, in UTC — for today, no later than a minute ago.

    A visit cannot start in the future: run between midnight and ``hour`` in Shanghai (16:00–02:00 UTC),
    today's ``hour`` o'clock has not come yet, so today's visit starts a minute ago (or just after midnight).
    """
    moment = datetime.combine(day, time(hour), tzinfo=clock.LOCAL).astimezone(UTC)
    if day == clock.today():
        midnight = datetime.combine(day, time(0, 0, 1), tzinfo=clock.LOCAL).astimezone(UTC)
        moment = min(moment, max(midnight, datetime.now(UTC) - timedelta(minutes=1)))
    return moment


def log(session: Session, household_id: int, channel: str, day: date, **extra: Any) -> int:
    """Write a log through the service (as the system scope) and return its id."""
    data = GridLogIn(household_id=household_id, channel=channel, started_at=at(day), **extra)
    return logs.create_log(session, root_scope(), data).id


def rhythm(session: Session, household_id: int) -> Any:
    """Return the household's rhythm row (read fresh)."""
    session.rollback()  # a fresh read: end any snapshot the session holds
    return session.execute(
        select(HouseholdRhythm.__table__).where(HouseholdRhythm.household_id == household_id)
    ).first()


def days_ago(n: int) -> date:
    return clock.today() - timedelta(days=n)


def written_ago(session: Session, log_id: int, hours: int) -> None:
    """Pretend the log was written ``hours`` ago."""
    with transaction(session):
        moment = datetime.now(UTC) - timedelta(hours=hours)
        session.execute(update(GridLog).where(GridLog.id == log_id).values(created_at=moment))


def grid1_log(session: Session, world: Any) -> int:
    """Return a grid log on grid 1's household (for the route walk's ``log_id``)."""
    return log(session, world.household1, "door", clock.today())


def grid1_rule(session: Session, world: Any) -> int:
    """Return a visit rule of grid 1's community (for the route walk's ``rule_id``)."""
    from linli.visits.models import VisitRule

    with transaction(session):
        from linli.visits.rules import ensure_default_policy

        ensure_default_policy(session, world.community.id)
    rule = session.scalar(select(VisitRule.id).where(VisitRule.community_id == world.community.id).limit(1))
    assert rule is not None
    return rule


def grid1_alert(session: Session, world: Any) -> int:
    """Return an open alert on grid 1's household, raised by an urgent log (for the walk's ``alert_id``)."""
    from linli.visits.models import VisitAlert

    log(session, world.household1, "phone", clock.today(), urgency="urgent", problem="燃气味")
    alert = session.scalar(select(VisitAlert.id).where(VisitAlert.household_id == world.household1).limit(1))
    assert alert is not None
    return alert
