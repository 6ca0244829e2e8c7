"""Co-signing and voting at the same moment, on both databases, each caller in its own session and thread.

Residents co-signing together are each counted once and the topic opens exactly once; the same account
pressing twice at once is refused once (``topic.cosigned``); two clerks entering the same member's vote at
once leave one ballot. Never a 500.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.civic.councils import meetings, topics
from linli.civic.councils.models import Ballot, Topic, TopicSigner
from linli.civic.councils.schemas import BallotIn, BallotsIn
from linli.errors import Conflict
from linli.runtime import Runtime
from tests.civic.councils.helpers import (
    add_residents,
    attend,
    make_council,
    motion,
    plan,
    raise_topic,
    resident_account,
)
from tests.courses.test_race import Act, together
from tests.factories import World


def test_co_signers_at_the_same_moment_are_each_counted_once(runtime: Runtime, db: Session, world: World) -> None:
    council = make_council(db, world, cosigners_needed=4)
    names = ["qianming", "linjua", "linjub", "linjuc", "linjud"]
    for name in names:
        resident_account(db, world, name)
    topic = raise_topic(db, names[0], council.id, "停车难")
    sign = [(name, lambda s, scope: topics.cosign(s, scope, topic.id)) for name in names[1:]]
    twice = [("linjua", lambda s, scope: topics.cosign(s, scope, topic.id))]
    results, errors = together(runtime, sign + twice)
    assert errors == []
    refused = [r for r in results if isinstance(r, Conflict)]
    assert sorted(r.code for r in refused) in (
        ["topic.cosigned", "topic.not_proposed"],  # linjua twice; the fifth signature after it opened
        ["topic.cosigned", "topic.cosigned"],
        ["topic.not_proposed", "topic.not_proposed"],
    )
    db.expire_all()
    row = db.get(Topic, topic.id)
    assert row is not None and row.state == "open"
    signers = db.scalar(select(func.count()).where(TopicSigner.topic_id == topic.id)) or 0
    assert row.cosigners == signers >= 4
    opened = db.scalars(select(AuditEvent.changes).where(AuditEvent.action == "council.topic_cosign")).all()
    assert sum(1 for c in opened if "state" in (c or {})) == 1


def test_one_members_vote_entered_twice_at_once_leaves_one_ballot(runtime: Runtime, db: Session, world: World) -> None:
    council = make_council(db, world)
    ids = add_residents(db, world, council.id, 2)
    topic = raise_topic(db, "secretary", council.id)
    meeting = plan(db, council.id, [topic.id])
    attend(db, meeting.id, ids)
    resolution = motion(db, meeting.id, topic.id)

    def cast(choice: Literal["for", "against"]) -> Act:
        data = BallotsIn(ballots=[BallotIn(member_id=ids[0], choice=choice)])
        return lambda s, scope: meetings.record_ballots(s, scope, resolution.id, data)

    results, errors = together(runtime, [("secretary", cast("for")), ("secretary", cast("against"))])
    assert errors == [] and len(results) == 2
    db.expire_all()
    assert db.scalar(select(func.count()).where(Ballot.resolution_id == resolution.id)) == 1
