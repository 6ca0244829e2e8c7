"""The demo's deliberation: 阳台山社区's council with a decided lift topic and 图强小区's group.

``grow_councils`` runs after the rest of the demo (``synth.demo`` calls it); checked here on a
small demo, and again to prove a second call adds nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.civic.councils import follow_ups, meetings, services, topics
from linli.civic.councils.models import Ballot, TopicOrder
from linli.needs import escalation
from linli.needs.models import Notification
from linli.synth.councils import grow_councils
from linli.synth.demo import build_demo
from tests.factories import scope_of


def test_the_demo_has_a_council_with_a_decided_topic_and_a_group(db: Session) -> None:
    assert build_demo(db, residents=400).councils == 2
    assert grow_councils(db, 7) == 0  # once per build
    shequ = scope_of(db, "shequ")
    listed = services.list_councils(db, shequ, services.CouncilFilter()).items
    assert sorted((c.name, c.kind, c.members) for c in listed) == [
        ("图强小区自治共管小组", "group", 5),
        ("阳台山社区事务协商议事会", "council", 9),
    ]
    council = next(c for c in listed if c.kind == "council")
    decided = topics.list_topics(db, shequ, topics.TopicFilter(council_id=council.id, source="needs")).items
    assert [t.state for t in decided] == ["decided"]
    lift = topics.get_topic(db, shequ, decided[0].id)
    assert len(lift.orders) == db.scalar(select(func.count()).where(TopicOrder.topic_id == lift.id)) == 4
    [resolution] = lift.resolutions
    assert (resolution.outcome, resolution.votes_for, resolution.present) == ("passed", 5, 7)
    assert resolution.published_at is not None
    assert db.scalar(select(func.count()).where(Ballot.resolution_id == resolution.id)) == 7
    meeting = meetings.get_meeting(db, shequ, resolution.meeting_id)
    assert (meeting.members_count, meeting.present_count, meeting.quorate) == (9, 7, True)
    assert sorted((f.state, f.late) for f in lift.follow_ups) == [("done", False), ("open", True)]
    assert lift.progress == 70  # (100 + 40) / 2
    late = follow_ups.list_follow_ups(db, shequ, follow_ups.FollowUpFilter(state="late")).items
    wangge1 = scope_of(db, "wangge1").user_id
    assert [f.owner_user_id for f in late] == [wangge1]
    assert escalation.tick(db).others["civic.follow_ups_late"] == 0  # already marked, told once
    told = db.scalars(select(Notification.user_id).where(Notification.kind == "follow_up_late")).all()
    assert told == [wangge1]
    residents = topics.list_topics(db, shequ, topics.TopicFilter(council_id=council.id, source="residents")).items
    assert sorted((t.state, t.cosigners) for t in residents) == [("open", 2), ("proposed", 1)]
    jumin = scope_of(db, "jumin")
    seen = topics.get_topic(db, jumin, lift.id)
    assert seen.resolutions and seen.orders == []  # published; the orders are staff's
