"""The last seat on both databases: two families signing up at the same moment, each in its own session.

Exactly one takes the seat and the other is put on the waitlist; the seat counter never passes the
capacity; the same child signed up twice at once is refused once with ``course.already``, never a 500.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope
from linli.courses import classes, enrolment, services
from linli.courses.models import Course, Enrolment
from linli.courses.schemas import EnrolmentIn, HelperIn
from linli.errors import Conflict, DomainError
from linli.runtime import Runtime
from tests.courses.helpers import first_day, guardian, make_child, make_course
from tests.factories import World, scope_of

ROUNDS = 5


Act = Callable[[Session, Scope], Any]


def together(runtime: Runtime, calls: list[tuple[str, Act]]) -> tuple[list[Any], list[BaseException]]:
    """Run each (username, act) in its own thread and session, all released at once; return results and errors.

    A refusal (``DomainError``) is a result; anything else raised (an IntegrityError, a 500) is an error.
    """
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(calls))
    lock = threading.Lock()

    def run(username: str, act: Act) -> None:
        try:
            with runtime.sessions() as session:
                scope = scope_of(session, username)
                session.commit()  # end the read of the scope: each thread starts its write at the barrier
                start.wait(timeout=30)
                out = act(session, scope)
            with lock:
                results.append(out)
        except DomainError as refused:
            with lock:
                results.append(refused)
        except BaseException as error:  # pragma: no cover - reported below
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=run, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a call hung"
    return results, errors


def signing_up(course_id: int, child_id: int) -> Act:
    return lambda session, scope: enrolment.enrol(session, scope, course_id, EnrolmentIn(child_resident_id=child_id))


def at_once(runtime: Runtime, calls: list[tuple[str, int, int]]) -> tuple[list[Any], list[BaseException]]:
    """Run ``enrolment.enrol`` for each (username, course, child) in its own thread and session, all together."""
    return together(runtime, [(username, signing_up(course_id, child)) for username, course_id, child in calls])


def test_the_last_seat_goes_to_exactly_one_family(runtime: Runtime, db: Session, world: World) -> None:
    for i in range(ROUNDS):
        # Each round a course of one seat on its own day (no clash), and two children of two households.
        day = first_day(10 + i)
        made = make_course(db, world, title=f"最后一座{'甲乙丙丁戊'[i]}", capacity=1, start=day)
        mine = make_child(db, world.household1, 6, name=f"曾{'甲乙丙丁戊'[i]}", on=day)
        theirs = make_child(db, world.household2, 7, name=f"李{'甲乙丙丁戊'[i]}", on=day)
        results, errors = at_once(runtime, [("grid1", made.id, mine), ("grid2", made.id, theirs)])
        assert errors == [], errors
        assert sorted(r.status for r in results) == ["enrolled", "waitlisted"], results
        assert [r.position for r in results if r.status == "waitlisted"] == [1]
        db.expire_all()
        course = db.get(Course, made.id)
        assert course is not None and course.taken == 1 and course.next_queue == 2
        assert db.scalar(select(func.count()).where(Enrolment.course_id == made.id)) == 2


def test_the_same_child_signed_up_twice_at_once_is_refused_once(runtime: Runtime, db: Session, world: World) -> None:
    for i in range(ROUNDS):
        day = first_day(10 + i)
        made = make_course(db, world, title=f"同一孩子{'甲乙丙丁戊'[i]}", capacity=1 + i % 2, start=day)
        child = make_child(db, world.household1, 6, name=f"曾{'甲乙丙丁戊'[i]}", on=day)
        results, errors = at_once(runtime, [("grid1", made.id, child), ("secretary", made.id, child)])
        assert errors == [], errors
        refused = [r for r in results if isinstance(r, DomainError)]
        signed = [r for r in results if not isinstance(r, DomainError)]
        assert [type(r) for r in refused] == [Conflict] and refused[0].code == "course.already"
        assert [s.status for s in signed] == ["enrolled"]
        db.expire_all()
        course = db.get(Course, made.id)
        assert course is not None and course.taken == 1
        assert db.scalar(select(func.count()).where(Enrolment.course_id == made.id)) == 1


def test_a_crowd_fills_the_seats_and_queues_the_rest_in_order(runtime: Runtime, db: Session, world: World) -> None:
    """Six families at once for three seats: three seated, three waiting at places 1, 2 and 3."""
    made = make_course(db, world, capacity=3, age_max=12)
    households = [world.household1, world.household2] * 3
    kids = [make_child(db, h, 5 + i, name=f"童{'甲乙丙丁戊己'[i]}") for i, h in enumerate(households)]
    users = ["grid1" if h == world.household1 else "grid2" for h in households]
    results, errors = at_once(runtime, [(u, made.id, k) for u, k in zip(users, kids, strict=True)])
    assert errors == [], errors
    assert sorted(r.status for r in results) == ["enrolled"] * 3 + ["waitlisted"] * 3
    assert sorted(r.position for r in results if r.status == "waitlisted") == [1, 2, 3]
    db.expire_all()
    course = db.get(Course, made.id)
    assert course is not None and (course.taken, course.next_queue) == (3, 4)


def test_two_parents_for_the_last_helper_place_at_once(runtime: Runtime, db: Session, world: World) -> None:
    """One helper wanted, two guardians at the same moment: one helps, the other hears the session is full."""
    guardian(db, world, "mum", world.household1)
    guardian(db, world, "dad", world.household2)
    for i in range(ROUNDS):
        made = make_course(db, world, title=f"助教{'甲乙丙丁戊'[i]}", helpers_wanted=1, start=first_day(10 + i))
        session_id = made.sessions[0].id

        def helping(session: Session, scope: Scope, session_id: int = session_id) -> Any:
            return classes.add_helper(session, scope, session_id, HelperIn())

        results, errors = together(runtime, [("mum", helping), ("dad", helping)])
        assert errors == [], errors
        refused = [r for r in results if isinstance(r, DomainError)]
        assert len(results) == 2 and [r.code for r in refused] == ["course.helpers_full"], results
        assert services.get_course(db, scope_of(db, "secretary"), made.id).sessions[0].helpers == 1
