"""Grid 1's objects of the packages beyond the registry, made for the route walk (one per path parameter)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.lib import clock
from tests.factories import World, scope_of


def grid1_order(db: Session, world: World) -> int:
    """Return a work order on grid 1's household, filed by its grid worker."""
    from linli.needs import catalogue, intake
    from linli.needs.models import WorkOrder
    from linli.needs.schemas import NeedIn

    existing = db.scalar(select(WorkOrder.id).where(WorkOrder.household_id == world.household1).limit(1))
    if existing:
        return existing
    catalogue.seed(db)
    data = NeedIn(category="repairs", description="水龙头漏水", household_id=world.household1)
    return intake.create_order(db, scope_of(db, "grid1"), data).id


def first_category(db: Session, world: World) -> int:
    from linli.needs import catalogue
    from linli.needs.models import ServiceCategory

    catalogue.seed(db)
    return db.scalars(select(ServiceCategory.id).order_by(ServiceCategory.id)).first() or 0


def grid1_notification(db: Session, world: World) -> int:
    """Return a notification addressed to grid 1's worker about grid 1's order."""
    from linli.db.engine import transaction
    from linli.needs import notify
    from linli.needs.models import Notification, WorkOrder

    order = db.get(WorkOrder, grid1_order(db, world))
    user = scope_of(db, "grid1").user_id
    with transaction(db):
        notify.send(db, [user or 0], "assigned", order)  # type: ignore[arg-type]
    return db.scalars(select(Notification.id).where(Notification.user_id == user)).first() or 0


def grid1_log_item(db: Session, world: World) -> int:
    """Return an open item (a need raised in a visit) on grid 1's household."""
    from linli.visits import logs
    from linli.visits.models import GridLogItem
    from linli.visits.schemas import GridLogIn, NeedIn
    from tests.visits.helpers import at

    data = GridLogIn(
        household_id=world.household1,
        channel="door",
        started_at=at(clock.today()),
        needs=[NeedIn(category="维修", description="水管漏水")],
    )
    logs.create_log(db, scope_of(db, "grid1"), data)
    return db.scalars(select(GridLogItem.id).where(GridLogItem.household_id == world.household1)).first() or 0


def more_grid1_ids() -> dict[str, Any]:
    from tests.civic.councils.helpers import (
        grid1_council,
        grid1_document,
        grid1_follow_up,
        grid1_meeting,
        grid1_member,
        grid1_resolution,
        grid1_topic,
    )
    from tests.civic.honours.helpers import grid1_nomination, grid1_selection, grid1_vote
    from tests.civic.stories.helpers import grid1_person, grid1_story, grid1_story_photo
    from tests.courses.helpers import grid1_course, grid1_enrolment, grid1_session
    from tests.disputes.helpers import grid1_dispute, grid1_party
    from tests.events.helpers import grid1_event, grid1_event_photo
    from tests.houses.helpers import walk_ids as house_ids
    from tests.institutions.helpers import grid1_finding, grid1_inspection, grid1_institution, grid1_template
    from tests.ledger.helpers import make_job
    from tests.matching.helpers import grid1_proposal, grid1_standing, grid1_task, grid1_volunteer
    from tests.resources.helpers import grid1_resource
    from tests.visits.helpers import grid1_alert, grid1_log, grid1_rule

    return {
        "log_id": grid1_log,
        "rule_id": grid1_rule,
        "alert_id": grid1_alert,
        "log_item_id": grid1_log_item,
        "job_id": lambda db, w: make_job(db, "grid1"),
        "need_id": grid1_order,
        "category_id": first_category,
        "urgency_code": lambda db, w: "ordinary",
        "notification_id": grid1_notification,
        "photo_name": lambda db, w: "photo.jpg",
        "resource_id": grid1_resource,
        "volunteer_id": grid1_volunteer,
        "proposal_id": grid1_proposal,
        "task_id": grid1_task,
        "service_id": grid1_standing,
        "institution_id": grid1_institution,
        "inspection_id": grid1_inspection,
        "finding_id": grid1_finding,
        "template_id": grid1_template,
        "course_id": grid1_course,
        "enrolment_id": grid1_enrolment,
        "session_id": grid1_session,
        "council_id": grid1_council,
        "member_id": grid1_member,
        "topic_id": grid1_topic,
        "meeting_id": grid1_meeting,
        "resolution_id": grid1_resolution,
        "follow_up_id": grid1_follow_up,
        "document_id": grid1_document,
        "selection_id": grid1_selection,
        "nomination_id": grid1_nomination,
        "vote_id": grid1_vote,
        "story_id": grid1_story,
        "person_id": grid1_person,
        "story_photo_id": grid1_story_photo,
        **house_ids(),
        "event_id": grid1_event,
        "event_photo_name": grid1_event_photo,
        "dispute_id": grid1_dispute,
        "party_id": grid1_party,
    }
