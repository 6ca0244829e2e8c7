"""Stories through their services: the consent rule, withdrawal, collecting from grid logs, the workflow, reach."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.civic.stories import booklet, consent, services, workflow
from linli.civic.stories.schemas import CollectIn, ConsentIn, PersonIn, ReturnIn, StoryIn, StoryUpdate
from linli.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from linli.lib import clock
from tests.civic.stories.helpers import consent_of, log_with_story, make_story, name, published
from tests.factories import World, scope_of


def refused(call: Any, *args: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value


def submit(db: Session, story_id: int, username: str = "grid1") -> Any:
    return workflow.submit(db, scope_of(db, username), story_id)


def publish(db: Session, story_id: int, username: str = "secretary") -> Any:
    return workflow.publish(db, scope_of(db, username), story_id)


def seen_by(db: Session, username: str, **filters: Any) -> list[int]:
    page = services.list_stories(db, scope_of(db, username), services.StoryFilter(**filters), 1, 50)
    return [s.id for s in page.items]


# ---- the consent rule -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["pending", "refused"])
def test_it_refuses_to_publish_while_anyone_named_has_not_consented(db: Session, sw: World, state: str) -> None:
    story = make_story(db, sw)
    given, other = name(db, story.id, "陈阿婆"), name(db, story.id, "老李")
    consent_of(db, story.id, given)
    if state == "refused":
        consent_of(db, story.id, other, "refused", way="phone", witness="")
    submit(db, story.id)
    error = refused(publish, db, story.id)
    assert isinstance(error, Conflict) and error.code == "story.consent_missing"
    assert "老李" in error.text("zh") and "陈阿婆" not in error.text("zh")
    assert services.get_story(db, scope_of(db, "secretary"), story.id).state == "review"
    consent_of(db, story.id, other)
    shown = publish(db, story.id)
    assert shown.state == "published" and shown.published_at is not None and shown.missing_consent == []


def test_a_story_naming_nobody_is_published(db: Session, sw: World) -> None:
    story = make_story(db, sw)
    submit(db, story.id)
    assert publish(db, story.id).state == "published"


def test_a_consent_given_in_person_needs_a_witness(db: Session, sw: World) -> None:
    story = make_story(db, sw)
    person = name(db, story.id)
    error = refused(consent_of, db, story.id, person, "given", "grid1", witness="")
    assert isinstance(error, Invalid) and (error.code, error.field) == ("story.witness", "witness")
    shown = consent_of(db, story.id, person, "given", "grid1", way="signed", witness="")
    assert (shown.people[0].consent, shown.people[0].consent_way) == ("given", "signed")
    future = clock.today() + timedelta(days=1)
    assert refused(consent_of, db, story.id, person, "withdrawn", "grid1", on=future).code == "story.consent_date"


def test_every_consent_change_is_audited(db: Session, sw: World) -> None:
    story = make_story(db, sw)
    person = name(db, story.id)
    consent_of(db, story.id, person)
    consent_of(db, story.id, person, "withdrawn", way="phone", witness="")
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "story.consent", AuditEvent.entity_id == str(person))
    ).all()
    assert [e.changes["consent"] for e in events] == [["pending", "given"], ["given", "withdrawn"]]
    assert events[0].changes["witness"] == ["", "王主任"]


def test_consent_moves_in_order(db: Session, sw: World) -> None:
    story = make_story(db, sw)
    person = name(db, story.id)
    assert refused(consent_of, db, story.id, person, "withdrawn").code == "story.consent_not_given"
    consent_of(db, story.id, person)
    assert refused(consent_of, db, story.id, person, "given").code == "story.consent_recorded"
    assert refused(consent_of, db, story.id, person, "refused", way="phone", witness="").code == "story.consent_order"


# ---- withdrawal ---------------------------------------------------------------------------------


def test_a_withdrawal_unpublishes_the_story_at_once(db: Session, sw: World) -> None:
    story, person = published(db, sw)
    kept, _ = published(db, sw, title="一碗饺子")
    assert set(seen_by(db, "jumin")) == {story.id, kept.id}
    shown = consent_of(db, story.id, person, "withdrawn", way="phone", witness="")
    assert shown.state == "withdrawn" and shown.published_at is None
    assert seen_by(db, "jumin") == [kept.id]
    assert refused(services.get_story, db, scope_of(db, "jumin"), story.id).code == "story.not_found"
    assert [s.id for s in booklet.booklet(db, scope_of(db, "jumin")).stories] == [kept.id]
    trail = db.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(story.id))).all()
    assert "story.unpublish" in trail
    # Published again only through review, and once consent is given again (or the person removed).
    assert refused(publish, db, story.id).code == "story.not_in_review"
    submit(db, story.id)
    assert refused(publish, db, story.id).code == "story.consent_missing"
    consent.remove_person(db, scope_of(db, "grid1"), story.id, person)
    assert publish(db, story.id).state == "published"


def test_a_resident_withdraws_their_own_consent_online_and_nobody_elses(db: Session, sw: World) -> None:
    story, mine = published(db, sw, who="曾伟", resident_id=sw.resident1.id)
    online = ConsentIn(consent="withdrawn", way="online")
    second, theirs = published(db, sw, who="李娜", resident_id=sw.resident2.id, area_id=sw.community.id, author="staff")
    error = refused(consent.record_consent, db, scope_of(db, "jumin"), second.id, theirs, online)
    assert isinstance(error, Forbidden) and error.code == "story.not_you"
    staff_way = ConsentIn(consent="withdrawn", way="phone")
    assert isinstance(refused(consent.record_consent, db, scope_of(db, "jumin"), story.id, mine, staff_way), Forbidden)
    shown = consent.record_consent(db, scope_of(db, "jumin"), story.id, mine, online)
    assert shown.state == "withdrawn" and shown.people[0].consent == "withdrawn" and shown.people[0].is_me
    # Still named, the resident reads the withdrawn story (to consent again); others do not.
    assert story.id in seen_by(db, "jumin") and story.id not in seen_by(db, "jumin2")
    again = consent.record_consent(db, scope_of(db, "jumin"), story.id, mine, ConsentIn(consent="given"))
    assert (again.people[0].consent, again.people[0].consent_way, again.state) == ("given", "online", "withdrawn")
    assert services.get_story(db, scope_of(db, "jumin2"), second.id).state == "published"


def test_a_named_resident_reads_the_draft_they_are_asked_to_consent_to(db: Session, sw: World) -> None:
    story = make_story(db, sw, "staff", area_id=sw.community.id)
    name(db, story.id, "李娜", sw.resident2.id, "staff")
    assert seen_by(db, "jumin2") == [story.id] and seen_by(db, "jumin") == []
    shown = services.get_story(db, scope_of(db, "jumin2"), story.id)
    assert shown.people[0].is_me and shown.people[0].resident_id == sw.resident2.id


# ---- collecting from grid logs ----------------------------------------------------------------------


def test_a_log_with_a_story_is_collected_once(db: Session, sw: World) -> None:
    log = log_with_story(db, sw)
    empty = log_with_story(db, sw, story="")
    grid1 = scope_of(db, "grid1")
    assert [c.log_id for c in services.log_candidates(db, grid1).items] == [log]
    assert services.log_candidates(db, scope_of(db, "grid2")).items == []
    draft = services.collect(db, grid1, CollectIn(log_id=log))
    assert (draft.state, draft.source, draft.grid_log_id, draft.area_id) == ("draft", "log", log, sw.grid1.id)
    assert draft.title == "曾伯年轻时是渔民，常给孩子们讲出海的故事" and draft.body.startswith("曾伯")
    again = refused(services.collect, db, grid1, CollectIn(log_id=log))
    assert isinstance(again, Conflict) and again.code == "story.collected"
    assert services.log_candidates(db, grid1).items == []
    assert refused(services.collect, db, grid1, CollectIn(log_id=empty)).code == "story.log_empty"
    assert refused(services.collect, db, scope_of(db, "grid2"), CollectIn(log_id=log)).code == "grid_log.not_found"
    assert refused(services.collect, db, scope_of(db, "jumin"), CollectIn(log_id=log)).code == "forbidden"


# ---- the workflow -----------------------------------------------------------------------------------


def test_the_workflow_refuses_steps_out_of_order(db: Session, sw: World) -> None:
    story = make_story(db, sw)
    note = ReturnIn(note="请补充时间地点")
    assert refused(publish, db, story.id).code == "story.not_in_review"
    assert refused(workflow.return_story, db, scope_of(db, "secretary"), story.id, note).code == "story.not_in_review"
    assert refused(submit, db, story.id, "grid2").code == "story.not_found"
    assert submit(db, story.id).state == "review"
    assert refused(submit, db, story.id).code == "story.not_draft"
    assert isinstance(refused(publish, db, story.id, "grid1"), Forbidden)
    back = workflow.return_story(db, scope_of(db, "secretary"), story.id, note)
    assert (back.state, back.review_note) == ("draft", "请补充时间地点")
    submit(db, story.id)
    assert publish(db, story.id).state == "published"
    assert refused(publish, db, story.id).code == "story.not_in_review"
    assert refused(submit, db, story.id).code == "story.not_draft"


def test_only_the_author_or_a_reviewer_sends_a_story_for_review(db: Session, sw: World) -> None:
    story = make_story(db, sw, area_id=sw.community.id, username="secretary")
    error = refused(submit, db, story.id, "grid1")
    assert error.code == "story.not_found"  # grid 1's worker does not write at the community
    other = make_story(db, sw, username="staff")
    assert refused(submit, db, other.id, "grid1").code == "story.not_author"
    assert submit(db, other.id, "secretary").state == "review"


def test_editing_a_published_story_sends_it_back_to_review(db: Session, sw: World) -> None:
    story, _ = published(db, sw)
    changed = services.update_story(
        db, scope_of(db, "grid1"), story.id, StoryUpdate(version=story.version, body="改过的故事")
    )
    assert (changed.state, changed.body, changed.published_at) == ("review", "改过的故事", None)
    assert (
        refused(
            services.update_story,
            db,
            scope_of(db, "grid1"),
            story.id,
            StoryUpdate(version=story.version, title="旧版本"),
        ).code
        == "story.stale"
    )
    assert publish(db, story.id).state == "published"


def test_a_person_is_removed_only_while_the_story_is_not_published(db: Session, sw: World) -> None:
    story, person = published(db, sw)
    assert refused(consent.remove_person, db, scope_of(db, "grid1"), story.id, person).code == "story.published"
    draft = make_story(db, sw)
    someone = name(db, draft.id)
    assert consent.remove_person(db, scope_of(db, "grid1"), draft.id, someone).people == []


def test_a_linked_resident_must_live_in_the_storys_area(db: Session, sw: World) -> None:
    story = make_story(db, sw)
    error = refused(name, db, story.id, "李娜", sw.resident2.id)
    assert (error.code, error.field) == ("story.resident", "resident_id")
    found = consent.resident_choices(db, scope_of(db, "grid1"), story.id, "曾")
    assert [r.id for r in found] == [sw.resident1.id]
    assert consent.resident_choices(db, scope_of(db, "grid1"), story.id, "李") == []
    shown = consent.add_person(db, scope_of(db, "grid1"), story.id, PersonIn(resident_id=sw.resident1.id))
    assert shown.people[0].name == "曾伟"


def test_the_schemas_refuse_what_cannot_be_read(db: Session, sw: World) -> None:
    with pytest.raises(ValidationError):
        StoryIn(area_id=sw.grid1.id, title="", body="x")


# ---- reading ----------------------------------------------------------------------------------------


def test_residents_read_the_published_stories_of_their_area_and_staff_every_state(db: Session, sw: World) -> None:
    grid1, _ = published(db, sw, title="老邻居帮忙照看独居老人")
    community, _ = published(db, sw, title="一碗饺子", area_id=sw.community.id, author="staff")
    draft = make_story(db, sw, title="草稿")
    grid2 = make_story(db, sw, username="grid2", area_id=sw.grid2.id, title="第二网格的故事")
    submit(db, grid2.id, "grid2")
    publish(db, grid2.id)
    assert set(seen_by(db, "jumin")) == {grid1.id, community.id}
    assert set(seen_by(db, "jumin2")) == {grid2.id, community.id}
    assert set(seen_by(db, "grid1")) == {grid1.id, community.id, draft.id}
    assert set(seen_by(db, "secretary")) == {grid1.id, community.id, draft.id, grid2.id}
    assert seen_by(db, "secretary", state="draft") == [draft.id]
    assert seen_by(db, "secretary", q="饺子") == [community.id]
    assert set(seen_by(db, "secretary", area_id=sw.grid2.id)) == {grid2.id}
    assert seen_by(db, "outsider") == []
    for username, story_id in (("jumin", draft.id), ("jumin", grid2.id), ("outsider", grid1.id)):
        assert isinstance(refused(services.get_story, db, scope_of(db, username), story_id), NotFound)
    shown = services.get_story(db, scope_of(db, "jumin"), grid1.id)
    assert shown.people[0].witness == "" and shown.people[0].consent == "given"
    assert services.get_story(db, scope_of(db, "grid1"), grid1.id).people[0].witness == "王主任"


def test_the_booklet_holds_the_published_stories_only(db: Session, sw: World) -> None:
    first, _ = published(db, sw, title="楼道里的共享雨伞")
    second, _ = published(db, sw, title="一碗饺子", area_id=sw.community.id, author="staff")
    draft = make_story(db, sw, title="未发布")
    submit(db, draft.id)
    book = booklet.booklet(db, scope_of(db, "secretary"))
    assert (book.area, [s.id for s in book.stories]) == ("阳台山社区", [first.id, second.id])
    assert [s.id for s in booklet.booklet(db, scope_of(db, "jumin2")).stories] == [second.id]
    assert isinstance(refused(booklet.booklet, db, scope_of(db, "outsider"), sw.community.id), NotFound)
