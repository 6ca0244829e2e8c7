"""Course use cases on both databases: courses kept and seen, sign-ups with the waitlist, promotion and the hold
period, the class list and attendance, parent helpers, and the figures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import linli.courses  # noqa: F401  (registers the lapse of offers with the SLA tick)
from linli.accounts.services import create_user
from linli.audit.models import AuditEvent
from linli.courses import classes, enrolment, seats, services
from linli.courses.figures import course_figures
from linli.courses.models import Course, CourseSession, Enrolment
from linli.courses.schemas import (
    AttendanceIn,
    CancelCourseIn,
    CourseOut,
    CourseUpdate,
    EnrolmentIn,
    HelperIn,
)
from linli.courses.services import CourseFilter
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden, Invalid, NotFound, ValidationErrors
from linli.lib import clock
from linli.needs import escalation
from linli.needs.models import Notification
from linli.runtime import Runtime
from tests.courses.helpers import (
    at,
    course_in,
    enrol,
    first_day,
    guardian,
    han,
    make_child,
    make_course,
    sessions_from,
    user_id,
    years_before,
)
from tests.factories import PASSWORD, World, make_household, scope_of


def listed(db: Session, username: str, page: int = 1, page_size: int = 100, **filters: Any) -> list[str]:
    found = services.list_courses(db, scope_of(db, username), CourseFilter(**filters), page, page_size)
    return [c.title for c in found.items]


def course(db: Session, course_id: int, username: str = "secretary") -> CourseOut:
    return services.get_course(db, scope_of(db, username), course_id)


def states(db: Session, ids: list[int], username: str = "secretary") -> list[tuple[str, int | None]]:
    """Return each sign-up's (status, waitlist position), read afresh."""
    scope = scope_of(db, username)
    return [(e.status, e.position) for e in (enrolment.get_enrolment(db, scope, i) for i in ids)]


def notes(db: Session, username: str) -> list[tuple[str, str, str]]:
    rows = db.execute(
        select(Notification.kind, Notification.subject, Notification.link)
        .where(Notification.user_id == user_id(db, username))
        .order_by(Notification.id)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def children(db: Session, household_id: int, count: int, age: int = 6, prefix: str = "孩子") -> list[int]:
    return [make_child(db, household_id, age, name=f"{prefix}{han(i)}") for i in range(count)]


# ---- keeping courses --------------------------------------------------------------------------------


def test_it_keeps_a_course_with_its_sessions_grids_and_an_audit_line(db: Session, world: World) -> None:
    made = make_course(db, world, organising_area_ids=[world.grid2.id, world.grid1.id])
    assert made.area == "阳台山社区" and made.category == "calligraphy" and made.teacher == "陈老师"
    assert (made.capacity, made.taken, made.waitlisted, made.version) == (2, 0, 0, 1)
    assert made.open_now and made.status == "open"
    assert [a.name for a in made.organising_areas] == ["第一网格", "第二网格"]
    assert [clock.local(s.starts_at) for s in made.sessions] == [
        at(first_day() + timedelta(days=7 * i), 9) for i in range(3)
    ]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "course.create")).one()
    assert event.entity == "course" and event.entity_id == str(made.id) and event.username == "secretary"
    assert event.area_id == world.community.id and event.changes["capacity"] == [None, 2]
    assert event.changes["sessions"] == [None, 3]


def test_it_refuses_every_problem_of_a_new_course_at_once(db: Session, world: World) -> None:
    start = first_day()
    bad = course_in(
        world,
        category="knitting",
        age_min=9,
        age_max=6,
        signup_opens_on=start + timedelta(days=2),  # after it closes, and it closes after the first session
        signup_closes_on=start + timedelta(days=1),
        sessions=[
            *sessions_from(start, 1),
            {"starts_at": at(start + timedelta(days=7), 10), "ends_at": at(start + timedelta(days=7), 9)},
        ],
        organising_area_ids=[world.grid1.id, world.other_grid.id],
    )
    with pytest.raises(ValidationErrors) as refused:
        services.create_course(db, scope_of(db, "secretary"), bad)
    found = {e.code: e.field for e in refused.value.errors}
    assert found == {
        "course.category": "category",
        "course.age_range": "age_max",
        "course.window": "signup_closes_on",
        "course.session_time": "sessions",
        "course.window_after_start": "signup_closes_on",
        "course.organiser": "organising_area_ids",
    }
    assert db.scalar(select(func.count()).select_from(Course)) == 0
    # Sign-ups may close on the first session's day, not after it; an unknown grid is no organiser.
    make_course(db, world, signup_closes_on=start)
    with pytest.raises(ValidationErrors) as unknown:
        make_course(db, world, organising_area_ids=[2**40])
    assert [e.code for e in unknown.value.errors] == ["course.organiser"]


def test_it_refuses_a_course_outside_the_callers_reach(db: Session, world: World) -> None:
    create_user(db, "other_secretary", PASSWORD, roles=[("secretary", world.other_community.code)])
    with pytest.raises(NotFound) as outside:
        make_course(db, world, "other_secretary")
    assert outside.value.code == "area.not_found"
    with pytest.raises(NotFound):
        make_course(db, world, area_id=2**40)
    for username in ("grid1", "outsider", "supervisor"):  # they read (and grid workers sign up), never keep
        with pytest.raises(Forbidden):
            make_course(db, world, username)
    assert db.scalar(select(func.count()).select_from(Course)) == 0
    assert db.scalar(select(func.count()).where(AuditEvent.action == "course.create")) == 0


# ---- seeing courses ---------------------------------------------------------------------------------


def test_a_community_course_is_seen_by_its_grid_workers_and_families_not_by_others(db: Session, world: World) -> None:
    guardian(db, world, "mum", world.household1)
    made = make_course(db, world, title="社区书法")
    make_course(db, world, title="网格一美术", area_id=world.grid1.id, start=first_day(12))
    for username in ("grid1", "mum", "secretary", "supervisor", "admin"):
        assert "社区书法" in listed(db, username), username
    assert listed(db, "grid2") == ["社区书法"]  # grid 1's own course stays in grid 1
    assert listed(db, "grid1") == ["社区书法", "网格一美术"]
    assert listed(db, "outsider") == []
    with pytest.raises(NotFound):
        course(db, made.id, "outsider")
    with pytest.raises(NotFound):
        course(db, 2**40)
    assert course(db, made.id, "mum") == made


def test_the_list_filters_by_window_area_category_and_text_and_pages(db: Session, world: World) -> None:
    today = clock.today()
    make_course(db, world, title="开放中", organising_area_ids=[world.grid1.id])
    past: dict[str, Any] = {"signup_opens_on": today - timedelta(days=5), "signup_closes_on": today - timedelta(days=1)}
    future: dict[str, Any] = {
        "signup_opens_on": today + timedelta(days=1),
        "signup_closes_on": today + timedelta(days=3),
    }
    make_course(
        db, world, title="已截止", category="art", organising_area_ids=[world.grid2.id], start=first_day(11), **past
    )
    make_course(db, world, title="未开始", category="art", start=first_day(12), **future)
    assert listed(db, "secretary") == ["开放中", "已截止", "未开始"]
    assert listed(db, "secretary", open_only=True) == ["开放中"]
    assert listed(db, "secretary", area_id=world.grid1.id) == ["开放中"]
    assert listed(db, "secretary", area_id=world.grid2.id) == ["已截止"]
    assert listed(db, "secretary", area_id=world.community.id) == ["开放中", "已截止", "未开始"]
    assert listed(db, "secretary", category="art") == ["已截止", "未开始"]
    assert listed(db, "secretary", q="截止") == ["已截止"]
    assert listed(db, "secretary", q="%") == []
    with pytest.raises(NotFound):
        listed(db, "secretary", area_id=world.other_community.id)
    with pytest.raises(NotFound):
        listed(db, "secretary", area_id=2**40)
    first = services.list_courses(db, scope_of(db, "secretary"), CourseFilter(), 1, 2)
    second = services.list_courses(db, scope_of(db, "secretary"), CourseFilter(), 2, 2)
    assert [c.title for c in first.items] == ["开放中", "已截止"] and first.total == 3
    assert [c.title for c in second.items] == ["未开始"] and second.total == 3
    assert [c.open_now for c in services.list_courses(db, scope_of(db, "secretary"), CourseFilter()).items] == [
        True,
        False,
        False,
    ]


def test_a_course_whose_sessions_began_is_no_longer_open(db: Session, world: World) -> None:
    """A course whose first session was yesterday (made by hand: the service refuses such a window)."""
    made = make_course(db, world, title="进行中")
    with transaction(db):
        db.get(Course, made.id).signup_closes_on = clock.today() + timedelta(days=1)  # type: ignore[union-attr]
        first = db.scalars(select(CourseSession).where(CourseSession.course_id == made.id)).first()
        assert first is not None
        first.starts_at = at(clock.today() - timedelta(days=1), 9)
        first.ends_at = at(clock.today() - timedelta(days=1), 10)
    assert listed(db, "secretary") == ["进行中"]
    assert listed(db, "secretary", open_only=True) == []
    child = make_child(db, world.household1, 6)
    with pytest.raises(Conflict) as closed:
        enrol(db, "grid1", made.id, child)
    assert closed.value.code == "course.closed"


def test_the_list_runs_as_many_statements_for_20_courses_as_for_3(runtime: Runtime, db: Session, world: World) -> None:
    from tests.api.test_query_counts import counted

    scope = scope_of(db, "grid1")

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            made = make_course(
                db,
                world,
                title=f"课程{i}",
                capacity=1,
                organising_area_ids=[world.grid1.id, world.grid2.id],
                start=first_day(10 + i % 5),
                hour=8 + i % 10,
            )
            for j in range(2):  # one seated, one waiting
                enrol(
                    db,
                    "grid1",
                    made.id,
                    make_child(db, world.household1, 6, name=f"童{han(i)}之{han(j)}", on=first_day(10 + i % 5)),
                )

    def statements() -> tuple[int, int]:
        db.expunge_all()
        with counted(runtime) as run:
            page = services.list_courses(db, scope, CourseFilter(area_id=world.community.id), 1, 100)
        assert all(c.taken == 1 and c.waitlisted == 1 and len(c.organising_areas) == 2 for c in page.items)
        return len(run), len(page.items)

    add(3, 0)
    few, three = statements()
    add(17, 3)
    many, twenty = statements()
    assert (three, twenty) == (3, 20)
    assert few == many


# ---- signing up ---------------------------------------------------------------------------------------


def test_the_age_is_taken_on_the_first_day(db: Session, world: World) -> None:
    made = make_course(db, world)  # ages 5 to 8
    day = first_day()
    five_that_day = make_child(db, world.household1, born=years_before(day, 5), name="刚满五岁")
    a_day_short = make_child(db, world.household1, born=years_before(day, 5) + timedelta(days=1), name="差一天")
    nine = make_child(db, world.household1, born=years_before(day, 9), name="九岁")
    unknown = make_child(db, world.household1, name="无生日")
    signed = enrol(db, "grid1", made.id, five_that_day)
    assert (signed.status, signed.age, signed.child_name) == ("enrolled", 5, "刚满五岁")
    for child, age in ((a_day_short, 4), (nine, 9)):
        with pytest.raises(Invalid) as refused:
            enrol(db, "grid1", made.id, child)
        assert refused.value.code == "course.age" and refused.value.params["age"] == age
        assert refused.value.field == "child_resident_id"
    with pytest.raises(Invalid) as no_birthday:
        enrol(db, "grid1", made.id, unknown)
    assert no_birthday.value.code == "course.age" and not no_birthday.value.params
    assert course(db, made.id).taken == 1
    assert db.scalar(select(func.count()).select_from(Enrolment)) == 1


def test_a_child_cannot_be_in_two_courses_at_the_same_time(db: Session, world: World) -> None:
    calligraphy = make_course(db, world, title="书法入门")
    art = make_course(db, world, title="少儿美术", category="art")  # the same hours
    afternoon = make_course(db, world, title="下午科学", category="science", hour=14)
    half_past = make_course(db, world, title="错开半小时", category="sport", hour=10)  # 10:00, the other ends 10:30
    child = make_child(db, world.household1, 6)
    first = enrol(db, "grid1", calligraphy.id, child)
    for other in (art, half_past):
        with pytest.raises(Conflict) as clash:
            enrol(db, "grid1", other.id, child)
        assert clash.value.code == "course.clash" and clash.value.params["other"] == "书法入门"
        assert clash.value.params["when"] == at(first_day(), 9).strftime("%Y-%m-%d %H:%M")
    assert enrol(db, "grid1", afternoon.id, child).status == "enrolled"
    enrolment.cancel(db, scope_of(db, "grid1"), first.id)  # a cancelled sign-up no longer clashes
    assert enrol(db, "grid1", art.id, child).status == "enrolled"


def test_a_full_course_puts_children_on_the_waitlist_and_a_cancellation_promotes_the_first(
    db: Session, world: World
) -> None:
    guardian(db, world, "mum", world.household1)
    made = make_course(db, world)  # two seats
    kids = children(db, world.household1, 4)
    signed = [enrol(db, "mum", made.id, k) for k in kids]
    ids = [s.id for s in signed]
    assert [(s.status, s.position) for s in signed] == [
        ("enrolled", None),
        ("enrolled", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    now = course(db, made.id)
    assert (now.taken, now.waitlisted) == (2, 2)
    assert notes(db, "mum") == []
    cancelled = enrolment.cancel(db, scope_of(db, "mum"), ids[0])
    assert (cancelled.status, cancelled.position) == ("cancelled", None)
    assert states(db, ids) == [("cancelled", None), ("enrolled", None), ("enrolled", None), ("waitlisted", 1)]
    now = course(db, made.id)
    assert (now.taken, now.waitlisted) == (2, 1)
    assert notes(db, "mum") == [("course_promoted", "书法入门", "/courses/family")]
    promoted = db.scalars(select(AuditEvent).where(AuditEvent.action == "course.promote")).one()
    assert promoted.entity_id == str(ids[2]) and promoted.username == "mum"
    with pytest.raises(Conflict) as twice:
        enrolment.cancel(db, scope_of(db, "mum"), ids[0])
    assert twice.value.code == "course.not_active"
    with pytest.raises(Conflict) as again:
        enrol(db, "mum", made.id, kids[1])
    assert again.value.code == "course.already"
    back = enrol(db, "mum", made.id, kids[0])  # the cancelled child signs up again: the same row, last in line
    assert (back.id, back.status, back.position) == (ids[0], "waitlisted", 2)
    assert course(db, made.id).taken == 2
    # Cancelling a waiting child frees no seat and promotes no one; the queue closes up.
    enrolment.cancel(db, scope_of(db, "mum"), ids[3])
    assert states(db, ids) == [("waitlisted", 1), ("enrolled", None), ("enrolled", None), ("cancelled", None)]
    assert len(notes(db, "mum")) == 1


def test_staff_sign_up_for_the_family_and_the_household_account_is_told(db: Session, world: World) -> None:
    guardian(db, world, "dad", world.household2)
    create_user(db, "staff", PASSWORD, roles=[("staff", world.community.code)])
    made = make_course(db, world, capacity=1)
    first = make_child(db, world.household1, 6, name="一号")
    second = make_child(db, world.household2, 7, name="二号")
    seated = enrol(db, "staff", made.id, first)
    waiting = enrol(db, "secretary", made.id, second)
    assert (seated.status, waiting.status) == ("enrolled", "waitlisted")
    row = db.get(Enrolment, waiting.id)
    assert row is not None and row.guardian_user_id == user_id(db, "dad")
    assert row.created_by_id == user_id(db, "secretary")
    enrolment.cancel(db, scope_of(db, "staff"), seated.id)
    assert notes(db, "dad") == [("course_promoted", "书法入门", "/courses/family")]


# ---- the hold period ---------------------------------------------------------------------------------


def held_course(db: Session, world: World) -> tuple[int, list[int]]:
    """Return a course of one seat held 24 hours, and the sign-ups of three children (one seated, two waiting)."""
    guardian(db, world, "mum", world.household1)
    made = make_course(db, world, capacity=1, hold_hours=24)
    return made.id, [enrol(db, "mum", made.id, k).id for k in children(db, world.household1, 3)]


def test_a_freed_seat_is_offered_for_the_hold_period_and_confirmed(db: Session, world: World) -> None:
    course_id, ids = held_course(db, world)
    before = utcnow()
    enrolment.cancel(db, scope_of(db, "mum"), ids[0])
    offered = enrolment.get_enrolment(db, scope_of(db, "mum"), ids[1])
    assert (offered.status, offered.position) == ("offered", None)
    assert offered.offered_until is not None
    assert before + timedelta(hours=24) <= offered.offered_until <= utcnow() + timedelta(hours=24)
    assert course(db, course_id).taken == 1  # the offered seat is held
    assert states(db, ids[1:]) == [("offered", None), ("waitlisted", 1)]
    assert notes(db, "mum") == [("course_offered", "书法入门", "/courses/family")]
    confirmed = enrolment.confirm(db, scope_of(db, "mum"), ids[1])
    assert (confirmed.status, confirmed.offered_until) == ("enrolled", None)
    with pytest.raises(Conflict) as twice:
        enrolment.confirm(db, scope_of(db, "mum"), ids[1])
    assert twice.value.code == "course.not_offered"
    assert course(db, course_id).taken == 1


def test_an_offer_not_confirmed_lapses_at_the_tick_and_passes_on(
    db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert seats.lapse_offers in escalation.ALSO  # importing linli.courses registers it
    # The tick runs with the courses' hook alone: the other modules' hooks are their own tests' concern.
    monkeypatch.setattr(escalation, "ALSO", [seats.lapse_offers])
    course_id, ids = held_course(db, world)
    enrolment.cancel(db, scope_of(db, "mum"), ids[0])
    assert escalation.tick(db).others == {"course.lapsed": 0, "course.promoted": 0}  # not yet due
    later = utcnow() + timedelta(hours=25)
    result = escalation.tick(db, now=later)
    assert result.others["course.lapsed"] == 1 and result.others["course.promoted"] == 1
    assert states(db, ids) == [("cancelled", None), ("lapsed", None), ("offered", None)]
    passed = enrolment.get_enrolment(db, scope_of(db, "mum"), ids[2])
    assert passed.offered_until is not None and abs(passed.offered_until - (later + timedelta(hours=24))) < timedelta(
        seconds=1
    )
    assert course(db, course_id).taken == 1
    with pytest.raises(Conflict) as lapsed:
        enrolment.confirm(db, scope_of(db, "mum"), ids[1])
    assert lapsed.value.code == "course.not_offered"
    assert escalation.tick(db, now=later).others["course.lapsed"] == 0  # once
    lapse = db.scalars(select(AuditEvent).where(AuditEvent.action == "course.lapse")).one()
    assert lapse.entity_id == str(ids[1]) and lapse.username == "system"


def test_an_offer_confirmed_while_the_tick_runs_does_not_lapse(
    runtime: Runtime, db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The family confirms between the tick's reading of the offers due and its lock of the course.

    PostgreSQL only: on SQLite the tick's write transaction holds the whole database from its start.
    """
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time")
    monkeypatch.setattr(escalation, "ALSO", [seats.lapse_offers])
    course_id, ids = held_course(db, world)
    enrolment.cancel(db, scope_of(db, "mum"), ids[0])
    held = db.get(Enrolment, ids[1])  # the tick's session holds the offer as it was
    assert held is not None and held.status == "offered"
    lock = seats.lock

    def confirmed_first(session: Session, locked_id: int) -> Course:
        if session is db:  # the tick; the family's confirmation takes the lock as usual
            with runtime.sessions() as family_phone:
                enrolment.confirm(family_phone, scope_of(family_phone, "mum"), ids[1])
        return lock(session, locked_id)

    monkeypatch.setattr(seats, "lock", confirmed_first)
    result = escalation.tick(db, now=utcnow() + timedelta(hours=25))
    assert result.others == {"course.lapsed": 0, "course.promoted": 0}
    assert held.status == "enrolled"
    assert states(db, ids) == [("cancelled", None), ("enrolled", None), ("waitlisted", 1)]
    assert course(db, course_id).taken == 1


def test_an_offer_past_its_hold_cannot_be_confirmed_even_before_the_tick(db: Session, world: World) -> None:
    _, ids = held_course(db, world)
    enrolment.cancel(db, scope_of(db, "mum"), ids[0])
    with transaction(db):
        row = db.get(Enrolment, ids[1])
        assert row is not None
        row.offered_until = utcnow() - timedelta(minutes=1)
    with pytest.raises(Conflict) as late:
        enrolment.confirm(db, scope_of(db, "mum"), ids[1])
    assert late.value.code == "course.offer_lapsed"


def test_cancelling_an_offered_seat_passes_it_on_at_once(db: Session, world: World) -> None:
    course_id, ids = held_course(db, world)
    enrolment.cancel(db, scope_of(db, "mum"), ids[0])
    enrolment.cancel(db, scope_of(db, "mum"), ids[1])
    assert states(db, ids) == [("cancelled", None), ("cancelled", None), ("offered", None)]
    assert course(db, course_id).taken == 1


# ---- changing the capacity -----------------------------------------------------------------------------


def test_more_seats_promote_the_waitlist_and_fewer_than_taken_are_refused(db: Session, world: World) -> None:
    made = make_course(db, world)
    ids = [enrol(db, "grid1", made.id, k).id for k in children(db, world.household1, 4)]
    secretary = scope_of(db, "secretary")
    raised = services.update_course(db, secretary, made.id, CourseUpdate(version=made.version, capacity=3))
    assert (raised.capacity, raised.taken, raised.waitlisted, raised.version) == (3, 3, 1, made.version + 1)
    assert states(db, ids) == [("enrolled", None)] * 3 + [("waitlisted", 1)]
    with pytest.raises(Invalid) as fewer:
        services.update_course(db, secretary, made.id, CourseUpdate(version=raised.version, capacity=2))
    assert fewer.value.code == "course.capacity" and fewer.value.params["taken"] == 3
    with pytest.raises(Conflict) as stale:
        services.update_course(db, secretary, made.id, CourseUpdate(version=made.version, title="新名字"))
    assert stale.value.code == "course.stale"
    assert course(db, made.id).title == "书法入门"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "course.update")).one()
    assert event.changes == {"capacity": [2, 3]}
    with pytest.raises(ValidationErrors) as reversed_ages:
        services.update_course(db, secretary, made.id, CourseUpdate(version=raised.version, age_min=9))
    assert [e.code for e in reversed_ages.value.errors] == ["course.age_range"]
    with pytest.raises(Forbidden):
        services.update_course(db, scope_of(db, "grid1"), made.id, CourseUpdate(version=raised.version, capacity=9))


def test_fewer_seats_than_taken_are_refused_when_the_course_was_read_before_the_sign_ups(
    runtime: Runtime, db: Session, world: World
) -> None:
    """The course row the session holds from before the sign-ups is read afresh under the lock."""
    made = make_course(db, world)
    held = db.get(Course, made.id)  # held in the session (a reference kept) with nothing taken
    assert held is not None and held.taken == 0
    for k in children(db, world.household1, 2):
        enrol(db, "grid1", made.id, k)
    with pytest.raises(Invalid) as fewer:  # not the CHECK's IntegrityError
        services.update_course(db, scope_of(db, "secretary"), made.id, CourseUpdate(version=made.version, capacity=1))
    assert fewer.value.code == "course.capacity" and fewer.value.params["taken"] == 2
    assert held.taken == 2
    # The same for a version changed by another session since this one read the course.
    with runtime.sessions() as other:
        services.update_course(other, scope_of(other, "secretary"), made.id, CourseUpdate(version=1, title="改名"))
    with pytest.raises(Conflict) as stale:
        services.update_course(db, scope_of(db, "secretary"), made.id, CourseUpdate(version=1, capacity=3))
    assert stale.value.code == "course.stale"
    assert held.title == "改名" and held.version == 2


# ---- who may sign up whom ------------------------------------------------------------------------------


def test_a_guardian_acts_for_their_own_household_only(db: Session, world: World) -> None:
    guardian(db, world, "mum", world.household1)
    guardian(db, world, "dad", world.household2)
    made = make_course(db, world)
    mine = make_child(db, world.household1, 6, name="自家孩子")
    theirs = make_child(db, world.household2, 7, name="邻家孩子")
    signed = enrol(db, "mum", made.id, mine)
    with pytest.raises(NotFound) as other_child:
        enrol(db, "mum", made.id, theirs)
    assert other_child.value.code == "resident.not_found"
    with pytest.raises(NotFound):
        enrol(db, "mum", made.id, world.resident2.id)  # an adult of the other household
    for act in (enrolment.cancel, enrolment.get_enrolment, enrolment.confirm):
        with pytest.raises(NotFound) as other_row:
            act(db, scope_of(db, "dad"), signed.id)
        assert other_row.value.code == "enrolment.not_found"
    with pytest.raises(NotFound):
        enrolment.cancel(db, scope_of(db, "mum"), 2**40)
    family = enrolment.family(db, scope_of(db, "mum"))
    assert [(c.name, [e.id for e in c.enrolments]) for c in family] == [("自家孩子", [signed.id])]
    assert [c.name for c in enrolment.family(db, scope_of(db, "dad"))] == ["邻家孩子"]
    assert enrolment.family(db, scope_of(db, "grid1")) == []


def test_a_grid_worker_signs_up_the_children_of_their_own_grid_only(db: Session, world: World) -> None:
    made = make_course(db, world)
    grid1_child = make_child(db, world.household1, 6)
    other_child = make_child(db, world.other_household, 6, name="外社区孩子")
    with pytest.raises(NotFound) as outside:
        enrol(db, "grid2", made.id, grid1_child)
    assert outside.value.code == "resident.not_found"
    with pytest.raises(NotFound):
        enrol(db, "secretary", made.id, other_child)
    for username in ("supervisor", "outsider"):  # reads only; does not see the course
        with pytest.raises(NotFound):
            enrol(db, username, made.id, grid1_child)
    signed = enrol(db, "grid1", made.id, grid1_child)
    with pytest.raises(NotFound):
        enrolment.cancel(db, scope_of(db, "grid2"), signed.id)
    with pytest.raises(NotFound):
        enrol(db, "grid1", made.id, 2**40)
    assert enrolment.cancel(db, scope_of(db, "secretary"), signed.id).status == "cancelled"


# ---- closed and cancelled courses ------------------------------------------------------------------------


def test_sign_ups_are_refused_outside_the_window_and_after_a_cancellation(db: Session, world: World) -> None:
    today = clock.today()
    not_yet = make_course(db, world, title="未开始", signup_opens_on=today + timedelta(days=1))
    past: dict[str, Any] = {"signup_opens_on": today - timedelta(days=5), "signup_closes_on": today - timedelta(days=1)}
    closed = make_course(db, world, title="已截止", start=first_day(11), **past)
    open_course = make_course(db, world, title="将取消", start=first_day(12))
    child = make_child(db, world.household1, 6)
    for made in (not_yet, closed):
        with pytest.raises(Conflict) as refused:
            enrol(db, "grid1", made.id, child)
        assert refused.value.code == "course.closed"
    services.cancel_course(db, scope_of(db, "secretary"), open_course.id, CancelCourseIn(version=1, reason="老师生病"))
    with pytest.raises(Conflict) as cancelled:
        enrol(db, "grid1", open_course.id, child)
    assert cancelled.value.code == "course.closed"


def test_cancelling_a_course_tells_every_family_once(db: Session, world: World) -> None:
    guardian(db, world, "mum", world.household1)
    guardian(db, world, "dad", world.household2)
    guardian(db, world, "aunt", world.other_household)
    made = make_course(db, world, capacity=1)
    for k in children(db, world.household1, 2):
        enrol(db, "mum", made.id, k)
    enrol(db, "dad", made.id, make_child(db, world.household2, 7))
    secretary = scope_of(db, "secretary")
    with pytest.raises(Conflict) as stale:
        services.cancel_course(db, secretary, made.id, CancelCourseIn(version=7, reason="场地维修"))
    assert stale.value.code == "course.stale"
    with pytest.raises(Forbidden):
        services.cancel_course(db, scope_of(db, "grid1"), made.id, CancelCourseIn(version=1, reason="场地维修"))
    gone = services.cancel_course(db, secretary, made.id, CancelCourseIn(version=1, reason="场地维修"))
    assert gone.status == "cancelled" and not gone.open_now
    assert notes(db, "mum") == [("course_cancelled", "书法入门", "/courses/family")]
    assert notes(db, "dad") == [("course_cancelled", "书法入门", "/courses/family")]
    assert notes(db, "aunt") == []
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "course.cancel")).one()
    assert event.changes["told"] == [None, 2] and event.changes["reason"] == [None, "场地维修"]
    with pytest.raises(Conflict) as twice:
        services.cancel_course(db, secretary, made.id, CancelCourseIn(version=gone.version, reason="场地维修"))
    assert twice.value.code == "course.cancelled"
    assert listed(db, "secretary") == [] and listed(db, "secretary", status="cancelled") == ["书法入门"]


# ---- the class list and attendance -----------------------------------------------------------------------


def test_attendance_marks_the_enrolled_present_or_absent(db: Session, world: World) -> None:
    made = make_course(db, world, organising_area_ids=[world.grid1.id])
    ids = [enrol(db, "grid1", made.id, k).id for k in children(db, world.household1, 3)]  # the third waits
    first_session = made.sessions[0].id
    secretary = scope_of(db, "secretary")
    marked = classes.record_attendance(db, secretary, first_session, AttendanceIn(present=[ids[0]]))
    assert (marked.present, marked.absent) == (1, 1)
    for stranger in ([ids[2]], [2**40]):
        with pytest.raises(Invalid) as refused:
            classes.record_attendance(db, secretary, first_session, AttendanceIn(present=stranger))
        assert refused.value.code == "course.attendance"
    again = classes.record_attendance(db, secretary, first_session, AttendanceIn(present=[ids[0], ids[1], ids[0]]))
    assert (again.present, again.absent) == (2, 0)
    with pytest.raises(Forbidden):
        classes.record_attendance(db, scope_of(db, "grid1"), first_session, AttendanceIn(present=[]))
    with pytest.raises(NotFound):
        classes.record_attendance(db, secretary, 2**40, AttendanceIn(present=[]))
    rows = classes.roster(db, scope_of(db, "grid1"), made.id).rows
    assert [r.attended for r in rows] == [{first_session: True}, {first_session: True}, {}]
    # Sessions with attendance can no longer be replaced.
    with pytest.raises(Conflict) as attended:
        services.update_course(
            db, secretary, made.id, CourseUpdate(version=made.version, sessions=sessions_from(first_day(20)))
        )
    assert attended.value.code == "course.sessions_attended"


def test_the_class_list_shows_age_guardian_and_a_masked_phone_to_those_who_read_courses(
    db: Session, world: World
) -> None:
    made = make_course(db, world, organising_area_ids=[world.grid1.id])
    kids = [
        make_child(db, world.household1, age, name=name) for age, name in ((7, "曾小乙"), (5, "曾小甲"), (6, "曾小丙"))
    ]
    ids = [enrol(db, "grid1", made.id, k).id for k in kids]
    roster = classes.roster(db, scope_of(db, "secretary"), made.id)
    assert [(r.child_name, r.age, r.status, r.position) for r in roster.rows] == [
        ("曾小乙", 7, "enrolled", None),  # the enrolled by name (乙 U+4E59 before 甲 U+7532), then the waitlist
        ("曾小甲", 5, "enrolled", None),
        ("曾小丙", 6, "waitlisted", 1),
    ]
    assert {r.enrolment_id for r in roster.rows} == set(ids)
    assert all(r.guardian == "曾伟" and r.guardian_phone == "*******5678" and r.grid == "第一网格" for r in roster.rows)
    assert "13912345678" not in roster.model_dump_json()
    assert roster.course.id == made.id and roster.course.waitlisted == 1
    assert classes.roster(db, scope_of(db, "grid1"), made.id).rows == roster.rows  # grid 1 organises it
    guardian(db, world, "mum", world.household1)
    for username in ("outsider", "grid2", "mum"):  # grid 2 does not organise it; a family reads no class list
        with pytest.raises(NotFound):
            classes.roster(db, scope_of(db, username), made.id)


# ---- parent helpers ------------------------------------------------------------------------------------------


def test_parents_help_at_a_session_up_to_the_number_wanted(db: Session, world: World) -> None:
    guardian(db, world, "mum", world.household1)
    guardian(db, world, "dad", world.household2)
    guardian(db, world, "aunt", world.household1, name="曾阿姨")
    made = make_course(db, world, helpers_wanted=2)
    first_session = made.sessions[0].id
    helped = classes.add_helper(db, scope_of(db, "mum"), first_session, HelperIn())
    assert (helped.session_id, helped.name) == (first_session, "曾伟")
    with pytest.raises(Conflict) as twice:
        classes.add_helper(db, scope_of(db, "mum"), first_session, HelperIn())
    assert twice.value.code == "course.helper_already"
    classes.add_helper(db, scope_of(db, "dad"), first_session, HelperIn())
    for username in ("aunt", "mum"):  # full: a newcomer is refused; the one already helping is told so
        with pytest.raises(Conflict) as full:
            classes.add_helper(db, scope_of(db, username), first_session, HelperIn())
        assert full.value.code == ("course.helpers_full" if username == "aunt" else "course.helper_already")
    assert course(db, made.id).sessions[0].helpers == 2
    assert classes.roster(db, scope_of(db, "secretary"), made.id).helpers == {first_session: ["曾伟", "李娜"]}
    aunt = classes.add_helper(db, scope_of(db, "aunt"), made.sessions[1].id, HelperIn())
    assert aunt.name == "曾阿姨"
    with pytest.raises(Invalid) as no_record:
        classes.add_helper(db, scope_of(db, "grid1"), made.sessions[1].id, HelperIn())
    assert no_record.value.code == "course.helper"
    staff_named = classes.add_helper(
        db, scope_of(db, "secretary"), made.sessions[2].id, HelperIn(resident_id=world.resident1.id)
    )
    assert staff_named.name == "曾伟"
    with pytest.raises(NotFound):
        classes.add_helper(db, scope_of(db, "outsider"), made.sessions[2].id, HelperIn())


def test_a_course_wanting_no_helpers_takes_none(db: Session, world: World) -> None:
    guardian(db, world, "mum", world.household1)
    made = make_course(db, world)
    with pytest.raises(Conflict) as full:
        classes.add_helper(db, scope_of(db, "mum"), made.sessions[0].id, HelperIn())
    assert full.value.code == "course.helpers_full"


def test_no_helpers_are_taken_for_a_cancelled_course(db: Session, world: World) -> None:
    guardian(db, world, "mum", world.household1)
    made = make_course(db, world, helpers_wanted=2)
    services.cancel_course(db, scope_of(db, "secretary"), made.id, CancelCourseIn(version=1, reason="老师生病"))
    with pytest.raises(Conflict) as closed:
        classes.add_helper(db, scope_of(db, "mum"), made.sessions[0].id, HelperIn())
    assert closed.value.code == "course.closed"


# ---- figures ---------------------------------------------------------------------------------------------------


def test_the_figures_agree_with_a_hand_count(db: Session, world: World) -> None:
    create_user(db, "other_secretary", PASSWORD, roles=[("secretary", world.other_community.code)])
    grid1_course = make_course(db, world, title="一", capacity=2, organising_area_ids=[world.grid1.id])
    grid2_course = make_course(
        db, world, title="二", category="art", capacity=3, start=first_day(11), organising_area_ids=[world.grid2.id]
    )
    make_course(db, world, title="三", category="art", capacity=4, start=first_day(12))  # the whole community
    make_course(db, world, "other_secretary", title="外", area_id=world.other_community.id, capacity=5)
    gone = make_course(db, world, title="取消", capacity=6, start=first_day(13))
    services.cancel_course(db, scope_of(db, "secretary"), gone.id, CancelCourseIn(version=1, reason="取消"))
    ones = [enrol(db, "grid1", grid1_course.id, k).id for k in children(db, world.household1, 3)]
    enrol(db, "grid2", grid2_course.id, make_child(db, world.household2, 6, on=first_day(11)))
    classes.record_attendance(
        db, scope_of(db, "secretary"), grid1_course.sessions[0].id, AttendanceIn(present=[ones[0]])
    )
    classes.record_attendance(
        db, scope_of(db, "secretary"), grid1_course.sessions[1].id, AttendanceIn(present=ones[:2])
    )
    figures = course_figures(db, scope_of(db, "secretary"), world.community.id)

    def row(r: Any) -> tuple[Any, ...]:
        return (r.label, r.courses, r.places, r.enrolled, r.waitlisted, r.attendance_rate)

    assert [row(r) for r in figures.by_grid[:2]] == [("第一网格", 1, 2, 2, 1, 0.75), ("第二网格", 1, 3, 1, 0, None)]
    assert [row(r)[1:] for r in figures.by_grid[2:]] == [(1, 4, 0, 0, None)]  # run by the community itself
    assert [(r.key, *row(r)[1:]) for r in figures.by_category] == [
        ("art", 2, 7, 1, 0, None),
        ("calligraphy", 1, 2, 2, 1, 0.75),
    ]
    assert row(figures.total)[1:] == (3, 9, 3, 1, 0.75)
    grid = course_figures(db, scope_of(db, "grid1"), world.grid1.id)
    assert row(grid.total)[1:] == (1, 2, 2, 1, 0.75)
    street = course_figures(db, scope_of(db, "supervisor"), world.street.id)
    assert [(r.label, r.courses, r.places) for r in street.by_grid] == [("阳台山社区", 3, 9), ("厦禾社区", 1, 5)]
    assert street.total.courses == 4
    for username, area in (("outsider", world.community.id), ("grid1", world.grid2.id), ("secretary", 2**40)):
        with pytest.raises(NotFound):
            course_figures(db, scope_of(db, username), area)


def test_a_guardian_signs_up_a_child_by_the_api_payload(db: Session, world: World) -> None:
    """``EnrolmentIn`` takes the child's resident id as is (the schema bounds nothing; the service does)."""
    guardian(db, world, "mum", world.household1)
    made = make_course(db, world)
    child = make_child(db, world.household1, 6)
    out = enrolment.enrol(db, scope_of(db, "mum"), made.id, EnrolmentIn(child_resident_id=child))
    assert out.course_title == "书法入门" and out.age == 6
    assert db.get(Enrolment, out.id).guardian_user_id == user_id(db, "mum")  # type: ignore[union-attr]
    household = make_household(db, world.grid1, "909", "9号楼")
    stranger = make_child(db, household, 6, name="新邻居")
    with pytest.raises(NotFound):
        enrolment.enrol(db, scope_of(db, "mum"), made.id, EnrolmentIn(child_resident_id=stranger))
