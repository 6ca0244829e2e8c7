"""The figures, measured from the raw tables: one month, every area at once, grouped queries only.

Each figure has a code (``section.name``), an English label, a kind and the function that measures it
(``docs/figures.md`` gives the definitions in words). Kinds:

- ``flow``: what happened in the month (orders received, logs written, hours served); a period's value is
  the sum of its months.
- ``stock``: a count as of the month's last day (today, for the month under way), which the raw tables
  can answer for any past day (residents by their registration and leaving dates; visit coverage from
  the logs); a period's value is its last month's.
- ``now``: a count the tables only know for today (people under care by tag, open findings, active
  volunteers); a closed month keeps the value its last refresh while it was current saw.

``measure(session, month)`` returns ``{(area_id, code): value}`` for the areas that hold the rows (grids,
mostly; a community for an order not yet placed in a grid); ``rollup`` adds each value to the area's
ancestors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope
from linli.areas.models import Area
from linli.civic.councils.models import FollowUp, Topic
from linli.civic.stories.models import Story
from linli.courses.models import Course, CourseSession, Enrolment
from linli.db.values import count_where
from linli.disputes.models import OPEN_STATES as DISPUTE_OPEN_STATES
from linli.disputes.models import Dispute
from linli.events.models import GridEvent
from linli.institutions.models import Finding, Institution
from linli.lib import clock
from linli.lib.clock import LOCAL
from linli.needs.figures import by_area as orders_by_area
from linli.needs.models import CLOCK_STATES, WorkOrder
from linli.registry.models import Household, Resident, ResidentTag, Tag
from linli.resources.models import Resource
from linli.visits.coverage import coverage
from linli.volunteers.models import ServiceHours, Volunteer

Values = dict[tuple[int, str], int]


@dataclass(frozen=True)
class Figure:
    code: str
    label: str  # English msgid
    kind: str  # flow | stock | now
    section: str


FIGURES: tuple[Figure, ...] = (
    Figure("residents.total", "Residents on record", "stock", "registry"),
    Figure("residents.with_id", "Residents with an ID number", "stock", "registry"),
    Figure("residents.with_phone", "Residents with a phone", "stock", "registry"),
    Figure("households.total", "Households", "stock", "registry"),
    Figure("households.with_head", "Households with a head", "stock", "registry"),
    Figure("care.residents", "People under care", "now", "registry"),
    Figure("visits.households", "Households with a visit rhythm", "stock", "visits"),
    Figure("visits.on_time", "Visited on time", "stock", "visits"),
    Figure("visits.overdue", "Overdue households", "stock", "visits"),
    Figure("visits.logs", "Grid logs written", "flow", "visits"),
    Figure("orders.received", "Work orders received", "flow", "needs"),
    Figure("orders.cases", "Work orders taken up", "flow", "needs"),
    Figure("orders.resolved", "Work orders resolved", "flow", "needs"),
    Figure("orders.on_time", "Resolved on time", "flow", "needs"),
    Figure("orders.rated", "Rated at the callback", "flow", "needs"),
    Figure("orders.satisfied", "Satisfied", "flow", "needs"),
    Figure("orders.overdue", "Overdue work orders", "now", "needs"),
    Figure("supply.volunteers", "Active volunteers", "now", "supply"),
    Figure("supply.hours", "Hours served", "flow", "supply"),
    Figure("supply.resources", "Resources", "now", "supply"),
    Figure("courses.running", "Courses running", "flow", "courses"),
    Figure("courses.signups", "Course sign-ups", "flow", "courses"),
    Figure("institutions.open_findings", "Open inspection findings", "now", "institutions"),
    Figure("events.reported", "Events reported", "flow", "events"),
    Figure("events.on_spot", "Events handled on the spot", "flow", "events"),
    Figure("events.escalated", "Events escalated", "flow", "events"),
    Figure("events.closed_on_time", "Events closed on time", "flow", "events"),
    Figure("civic.topics", "Topics raised", "flow", "civic"),
    Figure("civic.follow_ups_late", "Late follow-ups", "now", "civic"),
    Figure("civic.stories", "Stories published", "now", "civic"),
    Figure("disputes.registered", "Disputes registered", "flow", "disputes"),
    Figure("disputes.agreed", "Disputes agreed", "flow", "disputes"),
    Figure("disputes.referred", "Disputes referred", "flow", "disputes"),
    Figure("disputes.open", "Open disputes", "now", "disputes"),
)
BY_CODE = {f.code: f for f in FIGURES}
# Figures by category and by tag carry the category's or tag's id in their code.
CATEGORY_PREFIX, TAG_PREFIX = "orders.category.", "care.tag."


def kind_of(code: str) -> str:
    """Return the kind of a figure code (the per-category orders are a flow, the per-tag counts ``now``)."""
    if code.startswith(CATEGORY_PREFIX):
        return "flow"
    if code.startswith(TAG_PREFIX):
        return "now"
    return BY_CODE[code].kind


def first_of(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    """Return the last day of ``month`` (any day of it)."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def utc_start(day: date) -> datetime:
    """Return the instant a local (Asia/Shanghai) day begins, in UTC."""
    return datetime.combine(day, time(0), LOCAL).astimezone(UTC)


ALL_KINDS = ("flow", "stock", "now")


def measure(session: Session, month: date, today: date | None = None, kinds: Iterable[str] = ALL_KINDS) -> Values:
    """Return every figure of ``kinds`` for ``month``, by the area holding the rows."""
    today = today or clock.today()
    first, last = first_of(month), month_end(month)
    as_of = min(last, today)
    wanted = set(kinds)
    out: Values = defaultdict(int)
    for kind, measurer in MEASURERS:
        if kind in wanted:
            for key, value in measurer(session, first, last, as_of).items():
                out[key] += value
    return dict(out)


def _registry(session: Session, first: date, last: date, as_of: date) -> Values:
    """Residents and households on record on ``as_of``, and how complete their records are."""
    on_record = and_(Resident.registered_on <= as_of, or_(Resident.left_on.is_(None), Resident.left_on > as_of))
    out: Values = {}
    rows = session.execute(
        select(
            Resident.area_id,
            func.count(),
            func.count(Resident.id_number_hash),
            func.count(Resident.phone_hash),
        )
        .where(on_record)
        .group_by(Resident.area_id)
    )
    for area, total, with_id, with_phone in rows:
        out[(area, "residents.total")] = total
        out[(area, "residents.with_id")] = with_id
        out[(area, "residents.with_phone")] = with_phone
    held = and_(Household.registered_on <= as_of, or_(Household.dissolved_on.is_(None), Household.dissolved_on > as_of))
    for area, total, with_head in session.execute(
        select(Household.area_id, func.count(), func.count(Household.head_id)).where(held).group_by(Household.area_id)
    ):
        out[(area, "households.total")] = total
        out[(area, "households.with_head")] = with_head
    return out


def _care(session: Session, first: date, last: date, as_of: date) -> Values:
    """People under care today: active residents holding a care tag, in all and by tag."""
    cared = (
        select(Resident.area_id, ResidentTag.tag_id, ResidentTag.resident_id)
        .join(ResidentTag, ResidentTag.resident_id == Resident.id)
        .join(Tag, Tag.id == ResidentTag.tag_id)
        .where(Resident.status == "active", Tag.kind == "care")
        .subquery()
    )
    out: Values = {}
    for area, n in session.execute(
        select(cared.c.area_id, func.count(distinct(cared.c.resident_id))).group_by(cared.c.area_id)
    ):
        out[(area, "care.residents")] = n
    for area, tag, n in session.execute(
        select(cared.c.area_id, cared.c.tag_id, func.count()).group_by(cared.c.area_id, cared.c.tag_id)
    ):
        out[(area, f"{TAG_PREFIX}{tag}")] = n
    return out


def _visits(session: Session, first: date, last: date, as_of: date) -> Values:
    """Visit coverage on ``as_of`` and the logs of the month, per grid (``visits.coverage``'s definitions)."""
    out: Values = {}
    for root_id, root_path, root_name in session.execute(
        select(Area.id, Area.path, Area.name).where(Area.parent_id.is_(None))
    ):
        figures = coverage(session, Scope.system(root_id, root_path, root_name), first, last, root_id, today=as_of)
        for row in figures.grids:
            if row.area_id is None:
                continue
            out[(row.area_id, "visits.households")] = row.visit_households
            out[(row.area_id, "visits.on_time")] = row.visited_on_time
            out[(row.area_id, "visits.overdue")] = row.overdue
            out[(row.area_id, "visits.logs")] = row.logs
    return out


def _orders(session: Session, first: date, last: date, as_of: date) -> Values:
    """The month's cohort of work orders (``needs.figures``' definitions), per area and per category."""
    out: Values = {}
    for (area, category), c in orders_by_area(session, first, last).items():
        out[(area, f"{CATEGORY_PREFIX}{category}")] = c.received
        for code, value in (
            ("orders.received", c.received),
            ("orders.cases", c.received - c.dismissed),
            ("orders.resolved", c.resolved),
            ("orders.on_time", c.on_time),
            ("orders.rated", c.rated),
            ("orders.satisfied", c.satisfied),
        ):
            out[(area, code)] = out.get((area, code), 0) + value
    return out


def _overdue_orders(session: Session, first: date, last: date, as_of: date) -> Values:
    """Open work orders past their deadline today."""
    rows = session.execute(
        select(WorkOrder.area_id, func.count())
        .where(WorkOrder.overdue.is_(True), WorkOrder.state.in_(CLOCK_STATES))
        .group_by(WorkOrder.area_id)
    )
    return {(area, "orders.overdue"): n for area, n in rows}


def _supply_now(session: Session, first: date, last: date, as_of: date) -> Values:
    """Active volunteers by their home grid; active resources by their area."""
    out: Values = {}
    for area, n in session.execute(
        select(Volunteer.area_id, func.count()).where(Volunteer.status == "active").group_by(Volunteer.area_id)
    ):
        out[(area, "supply.volunteers")] = n
    for area, n in session.execute(
        select(Resource.area_id, func.count()).where(Resource.active.is_(True)).group_by(Resource.area_id)
    ):
        out[(area, "supply.resources")] = n
    return out


def _hours(session: Session, first: date, last: date, as_of: date) -> Values:
    """Hours served in the month, by the volunteer's home grid, rounded to whole hours."""
    rows = session.execute(
        select(Volunteer.area_id, func.sum(ServiceHours.served_hours))
        .join(Volunteer, Volunteer.id == ServiceHours.volunteer_id)
        .where(ServiceHours.day >= first, ServiceHours.day <= last)
        .group_by(Volunteer.area_id)
    )
    return {(area, "supply.hours"): round(float(hours or 0)) for area, hours in rows}


def _courses(session: Session, first: date, last: date, as_of: date) -> Values:
    """Courses with a session in the month, and sign-ups made in it, by the course's area."""
    start, end = utc_start(first), utc_start(last + timedelta(days=1))
    out: Values = {}
    for area, n in session.execute(
        select(Course.area_id, func.count(distinct(Course.id)))
        .join(CourseSession, CourseSession.course_id == Course.id)
        .where(CourseSession.starts_at >= start, CourseSession.starts_at < end, Course.status == "open")
        .group_by(Course.area_id)
    ):
        out[(area, "courses.running")] = n
    for area, n in session.execute(
        select(Course.area_id, func.count())
        .join(Enrolment, Enrolment.course_id == Course.id)
        .where(Enrolment.created_at >= start, Enrolment.created_at < end)
        .group_by(Course.area_id)
    ):
        out[(area, "courses.signups")] = n
    return out


def _findings(session: Session, first: date, last: date, as_of: date) -> Values:
    """Inspection findings open today, by the institution's area."""
    rows = session.execute(
        select(Resource.area_id, func.count())
        .select_from(Finding)
        .join(Institution, Institution.id == Finding.institution_id)
        .join(Resource, Resource.id == Institution.resource_id)
        .where(Finding.status == "open")
        .group_by(Resource.area_id)
    )
    return {(area, "institutions.open_findings"): n for area, n in rows}


def _events(session: Session, first: date, last: date, as_of: date) -> Values:
    """The month's grid events (reported in it), by their grid: how many, handled on the spot, escalated past a
    level, closed by their deadline (by now)."""
    start, end = utc_start(first), utc_start(last + timedelta(days=1))

    rows = session.execute(
        select(
            GridEvent.area_id,
            func.count(),
            count_where(GridEvent.handling == "on_spot"),
            count_where(GridEvent.escalated_at.is_not(None)),
            count_where(and_(GridEvent.closed_at.is_not(None), GridEvent.late.is_(False))),
        )
        .where(GridEvent.created_at >= start, GridEvent.created_at < end)
        .group_by(GridEvent.area_id)
    )
    out: Values = {}
    for area, n, on_spot, escalated, on_time in rows:
        out[(area, "events.reported")] = n
        out[(area, "events.on_spot")] = int(on_spot or 0)
        out[(area, "events.escalated")] = int(escalated or 0)
        out[(area, "events.closed_on_time")] = int(on_time or 0)
    return out


def _civic_topics(session: Session, first: date, last: date, as_of: date) -> Values:
    """Council topics raised in the month, by the area the topic concerns."""
    start, end = utc_start(first), utc_start(last + timedelta(days=1))
    rows = session.execute(
        select(Topic.area_id, func.count())
        .where(Topic.created_at >= start, Topic.created_at < end)
        .group_by(Topic.area_id)
    )
    return {(area, "civic.topics"): n for area, n in rows}


def _civic_now(session: Session, first: date, last: date, as_of: date) -> Values:
    """Follow-ups of council decisions open past their deadline today; stories published now."""
    out: Values = {}
    for area, n in session.execute(
        select(Topic.area_id, func.count())
        .join(FollowUp, FollowUp.topic_id == Topic.id)
        .where(FollowUp.state == "open", FollowUp.due_on < as_of)
        .group_by(Topic.area_id)
    ):
        out[(area, "civic.follow_ups_late")] = n
    for area, n in session.execute(
        select(Story.area_id, func.count()).where(Story.state == "published").group_by(Story.area_id)
    ):
        out[(area, "civic.stories")] = n
    return out


def _disputes(session: Session, first: date, last: date, as_of: date) -> Values:
    """Disputes registered in the month (by the day found), and those whose outcome was stated in it; counts only."""
    start, end = utc_start(first), utc_start(last + timedelta(days=1))
    out: Values = {}
    for area, n in session.execute(
        select(Dispute.area_id, func.count())
        .where(Dispute.found_on >= first, Dispute.found_on <= last)
        .group_by(Dispute.area_id)
    ):
        out[(area, "disputes.registered")] = n
    for area, outcome, n in session.execute(
        select(Dispute.area_id, Dispute.outcome, func.count())
        .where(Dispute.outcome_at >= start, Dispute.outcome_at < end)
        .group_by(Dispute.area_id, Dispute.outcome)
    ):
        out[(area, f"disputes.{outcome}")] = n
    return out


def _disputes_open(session: Session, first: date, last: date, as_of: date) -> Values:
    """Disputes without a stated outcome today (registered or mediating)."""
    rows = session.execute(
        select(Dispute.area_id, func.count()).where(Dispute.state.in_(DISPUTE_OPEN_STATES)).group_by(Dispute.area_id)
    )
    return {(area, "disputes.open"): n for area, n in rows}


Measurer = Callable[[Session, date, date, date], Values]
MEASURERS: tuple[tuple[str, Measurer], ...] = (
    ("stock", _registry),
    ("now", _care),
    ("stock", _visits),  # its logs are a flow of the same month: measured with the stock
    ("flow", _orders),
    ("now", _overdue_orders),
    ("now", _supply_now),
    ("flow", _hours),
    ("flow", _courses),
    ("now", _findings),
    ("flow", _events),
    ("flow", _civic_topics),
    ("now", _civic_now),
    ("flow", _disputes),
    ("now", _disputes_open),
)
