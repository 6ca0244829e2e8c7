"""The 五好 selection's use cases: windows, nominations and their checks, one vote per household or resident,
paper votes and the recount, the tie rule, and results that exist only once published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.civic.honours import nominations, results, services, voting
from linli.civic.honours.models import Nomination, Selection, SelectionVote
from linli.civic.honours.schemas import (
    CategoryIn,
    CheckIn,
    CorrectionIn,
    NominationIn,
    PaperVoteIn,
    SelectionUpdate,
    VoteIn,
)
from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden, Invalid, NotFound, ValidationErrors
from linli.lib import clock
from tests.civic.honours.helpers import (
    ballot,
    eligible,
    make_selection,
    move_to,
    new_household,
    nominate,
    resident_account,
    votes_of,
)
from tests.factories import World, scope_of


def cast(db: Session, username: str, selection_id: int, nominee_id: int, category: str = "neighbour") -> int:
    return voting.vote(db, scope_of(db, username), selection_id, VoteIn(category=category, nominee_id=nominee_id)).id


def paper(db: Session, selection_id: int, nominee_id: int, household_id: int, username: str = "grid1") -> int:
    data = PaperVoteIn(category="neighbour", nominee_id=nominee_id, household_id=household_id)
    return voting.paper_vote(db, scope_of(db, username), selection_id, data).id


# ---- windows and state -------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["upcoming", "nominating", "checking", "voting", "counting"])
def test_its_state_is_read_off_the_dates(db: Session, world: World, phase: str) -> None:
    made = make_selection(db, world)
    move_to(db, made.id, "recount" if phase == "counting" else phase)
    got = services.get_selection(db, scope_of(db, "secretary"), made.id)
    assert got.state == phase
    listed = services.list_selections(db, scope_of(db, "secretary"), services.SelectionFilter(state=phase))
    assert [s.id for s in listed.items] == [made.id]


def test_it_counts_the_recount_window_and_after_as_counting_until_published(db: Session, world: World) -> None:
    made = make_selection(db, world)
    move_to(db, made.id, "after")
    selection = db.get(Selection, made.id)
    assert selection is not None
    assert services.state_of(selection) == "counting"
    assert services.state_of(selection, clock.today() - timedelta(days=13)) == "checking"
    results.publish_results(db, scope_of(db, "secretary"), made.id)
    assert services.get_selection(db, scope_of(db, "secretary"), made.id).state == "published"


def test_it_refuses_windows_out_of_order(db: Session, world: World) -> None:
    today = clock.today()
    with pytest.raises(ValidationErrors) as refused:
        make_selection(db, world, vote_from=today + timedelta(days=2))  # the day nominations close
    assert refused.value.code == "selection.windows" and refused.value.field == "vote_from"
    with pytest.raises(ValidationErrors):
        make_selection(db, world, recount_until=today)


def test_it_gives_a_new_selection_the_five_good_categories(db: Session, world: World) -> None:
    made = make_selection(db, world)
    assert [(c.name, c.nominee_kind) for c in made.categories] == [
        ("好党员", "resident"),
        ("好家庭", "household"),
        ("好邻居", "resident"),
        ("好志愿者", "resident"),
        ("好网格员", "user"),
    ]
    assert all(c.winners >= 1 for c in made.categories)


def test_only_those_who_keep_selections_make_or_change_them(db: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        make_selection(db, world, username="grid1")
    with pytest.raises(Forbidden):
        make_selection(db, world, username="outsider")
    made = make_selection(db, world)
    changed = services.update_selection(
        db, scope_of(db, "secretary"), made.id, SelectionUpdate(version=made.version, title="五好先锋")
    )
    assert changed.title == "五好先锋" and changed.version == made.version + 1
    with pytest.raises(Conflict) as stale:
        services.update_selection(db, scope_of(db, "secretary"), made.id, SelectionUpdate(version=made.version))
    assert stale.value.code == "selection.stale"


def test_it_lists_by_area_and_search_for_a_resident_and_hides_other_communities(db: Session, world: World) -> None:
    made = make_selection(db, world)
    make_selection(db, world, title="厦禾社区评选", area_id=world.other_community.id, username="admin")
    resident_account(db, world, "jumin", world.household1)
    mine = services.list_selections(db, scope_of(db, "jumin"), services.SelectionFilter())
    assert [s.id for s in mine.items] == [made.id] and mine.items[0].state == "nominating"
    by_grid = services.list_selections(db, scope_of(db, "secretary"), services.SelectionFilter(area_id=world.grid1.id))
    assert [s.id for s in by_grid.items] == [made.id]
    assert services.list_selections(db, scope_of(db, "secretary"), services.SelectionFilter(q="厦禾")).items == []
    with pytest.raises(NotFound):
        services.get_selection(db, scope_of(db, "outsider"), made.id)


# ---- nominations ----------------------------------------------------------------------------------------


def test_a_resident_nominates_in_the_window_only(db: Session, world: World) -> None:
    resident_account(db, world, "jumin", world.household1)
    made = make_selection(db, world, phase="upcoming")
    with pytest.raises(Conflict) as early:
        nominate(db, "jumin", made.id, "陈阿姨")
    assert early.value.code == "selection.not_nominating"
    move_to(db, made.id, "nominating")
    nominee = nominations.nominate(
        db,
        scope_of(db, "jumin"),
        made.id,
        NominationIn(
            category="neighbour", display_name="陈阿姨", place="图强小区3号楼", reason="常帮独居老人买菜", resident_id=1
        ),
    )
    assert (nominee.state, nominee.mine, nominee.resident_id) == ("pending", True, None)  # no link from a resident
    move_to(db, made.id, "checking")
    with pytest.raises(Conflict):
        nominate(db, "jumin", made.id, "林师傅")


def test_the_same_nominee_twice_in_a_category_is_refused(db: Session, world: World) -> None:
    resident_account(db, world, "jumin", world.household1)
    made = make_selection(db, world)
    nominate(db, "jumin", made.id, "陈阿姨", place="3号楼")
    with pytest.raises(Conflict) as twin:
        nominate(db, "secretary", made.id, "陈阿姨", place="3号楼")
    assert twin.value.code == "selection.nominee_taken"
    nominate(db, "secretary", made.id, "陈阿姨", category="volunteer", place="3号楼")  # another category is fine
    linked = nominate(db, "secretary", made.id, "曾伟", resident_id=world.resident1.id)
    with pytest.raises(Conflict) as again:  # the unique (category, resident) under another spelling
        nominate(db, "secretary", made.id, "曾 伟", resident_id=world.resident1.id)
    assert again.value.code == "selection.nominee_taken"
    assert db.get(Nomination, linked) is not None


def test_staff_check_eligibility_and_only_eligible_nominees_reach_the_ballot(db: Session, world: World) -> None:
    resident_account(db, world, "jumin", world.household1)
    resident_account(db, world, "linju", world.household2)
    made = make_selection(db, world)
    good = nominate(db, "jumin", made.id, "陈阿姨")
    bad = nominate(db, "jumin", made.id, "王某")
    waiting = nominate(db, "linju", made.id, "林师傅")
    with pytest.raises(Forbidden):
        nominations.check_nomination(db, scope_of(db, "grid1"), good, CheckIn(state="eligible"))
    with pytest.raises(Invalid) as no_note:
        nominations.check_nomination(db, scope_of(db, "secretary"), bad, CheckIn(state="ineligible"))
    assert no_note.value.code == "selection.note"
    checked = nominations.check_nomination(
        db, scope_of(db, "secretary"), good, CheckIn(state="eligible", resident_id=world.resident1.id)
    )
    assert checked.resident_id == world.resident1.id and checked.place == "图强小区 3号楼 301"
    nominations.check_nomination(db, scope_of(db, "secretary"), bad, CheckIn(state="ineligible", note="非本社区居民"))
    with pytest.raises(Invalid) as kind:
        nominations.check_nomination(
            db, scope_of(db, "secretary"), good, CheckIn(state="eligible", household_id=world.household1)
        )
    assert kind.value.code == "selection.link_kind"
    with pytest.raises(Invalid):
        nominations.check_nomination(
            db, scope_of(db, "secretary"), good, CheckIn(state="eligible", resident_id=world.other_resident.id)
        )
    neighbours = {c.code: c for c in services.get_selection(db, scope_of(db, "jumin"), made.id).categories}["neighbour"]
    assert [(n.id, n.state) for n in neighbours.nominees] == [(good, "eligible"), (bad, "ineligible")]  # own ones too
    assert neighbours.nominees[1].check_note is None  # the note is for staff
    other = {c.code: c for c in services.get_selection(db, scope_of(db, "grid2"), made.id).categories}["neighbour"]
    assert {n.id for n in other.nominees} == {good, bad, waiting}
    move_to(db, made.id, "voting")
    with pytest.raises(Conflict) as fixed:
        nominations.check_nomination(db, scope_of(db, "secretary"), waiting, CheckIn(state="eligible"))
    assert fixed.value.code == "selection.ballot_fixed"
    with pytest.raises(Invalid) as off_ballot:
        cast(db, "linju", made.id, bad)
    assert off_ballot.value.code == "selection.nominee"
    ballot_for_linju = services.get_selection(db, scope_of(db, "linju"), made.id).categories
    assert [n.id for n in ballot_for_linju[2].nominees] == [good, waiting]  # eligible + own pending


# ---- one vote per household or resident ---------------------------------------------------------------


def test_one_vote_per_household_per_category(db: Session, world: World) -> None:
    selection_id, (chen, lin) = ballot(db, world)
    resident_account(db, world, "baba", world.household1, "曾大")
    resident_account(db, world, "mama", world.household1, "曾妈")
    cast(db, "baba", selection_id, chen)
    with pytest.raises(Conflict) as second:
        cast(db, "mama", selection_id, lin)
    assert second.value.code == "selection.voted" and second.value.status == 409
    mine = services.get_selection(db, scope_of(db, "mama"), selection_id)
    assert {c.code: (c.my_vote, c.my_channel) for c in mine.categories}["neighbour"] == (chen, "online")
    assert [v.voter_key for v in votes_of(db, selection_id)] == [f"h{world.household1}"]


def test_one_vote_per_resident_under_the_resident_rule(db: Session, world: World) -> None:
    made = make_selection(db, world, rule="resident")
    chen = nominate(db, "secretary", made.id, "陈阿姨")
    eligible(db, chen)
    move_to(db, made.id, "voting")
    resident_account(db, world, "baba", world.household1)
    resident_account(db, world, "mama", world.household1)
    cast(db, "baba", made.id, chen)
    cast(db, "mama", made.id, chen)
    with pytest.raises(Conflict):
        cast(db, "mama", made.id, chen)
    assert len(votes_of(db, made.id)) == 2


def test_votes_are_taken_only_in_the_window_and_only_from_residents_of_the_area(db: Session, world: World) -> None:
    selection_id, (chen, _) = ballot(db, world)
    resident_account(db, world, "jumin", world.household1)
    with pytest.raises(Forbidden):
        cast(db, "grid1", selection_id, chen)  # staff enter paper votes, they do not vote online
    other_home = new_household(db, world, "101", world.other_grid)
    resident_account(db, world, "waidi", other_home)
    with pytest.raises(NotFound):
        cast(db, "waidi", selection_id, chen)
    move_to(db, selection_id, "recount")
    with pytest.raises(Conflict) as late:
        cast(db, "jumin", selection_id, chen)
    assert late.value.code == "selection.not_voting"


def test_a_household_that_voted_on_paper_cannot_vote_online_nor_the_other_way(db: Session, world: World) -> None:
    selection_id, (chen, lin) = ballot(db, world)
    resident_account(db, world, "jumin", world.household1)
    resident_account(db, world, "linju", world.household2)
    paper(db, selection_id, chen, world.household1)
    with pytest.raises(Conflict) as online:
        cast(db, "jumin", selection_id, lin)
    assert online.value.code == "selection.voted"
    cast(db, "linju", selection_id, lin)
    with pytest.raises(Conflict) as on_paper:
        paper(db, selection_id, chen, world.household2, username="grid2")
    assert on_paper.value.code == "selection.voted"
    with pytest.raises(Invalid):  # grid 1's worker cannot enter a vote for grid 2's household
        paper(db, selection_id, chen, world.household2, username="grid1")


# ---- recount, results, ties ------------------------------------------------------------------------------


def test_a_paper_vote_is_corrected_or_struck_in_the_recount_and_audited(db: Session, world: World) -> None:
    selection_id, (chen, lin) = ballot(db, world)
    resident_account(db, world, "jumin", world.household1)
    online = cast(db, "jumin", selection_id, chen)
    first = paper(db, selection_id, chen, world.household2, username="grid2")
    move_to(db, selection_id, "recount")
    staff = scope_of(db, "secretary")
    with pytest.raises(Conflict) as fixed:
        voting.correct_paper_vote(db, staff, online, CorrectionIn(nominee_id=lin, note="改票"))
    assert fixed.value.code == "selection.online_fixed"
    corrected = voting.correct_paper_vote(db, staff, first, CorrectionIn(nominee_id=lin, note="选票上勾的是林师傅"))
    assert (corrected.nominee_id, corrected.nominee) == (lin, "林师傅")
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "vote.correct")).one()
    assert event.changes["nomination_id"] == [chen, lin] and event.changes["note"][1] == "选票上勾的是林师傅"
    struck = voting.correct_paper_vote(db, staff, first, CorrectionIn(nominee_id=None, note="重复录入"))
    assert struck.struck is True
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "vote.strike")).one().changes["nomination_id"] == [
        lin,
        None,
    ]
    assert [v.id for v in votes_of(db, selection_id)] == [online]
    move_to(db, selection_id, "after")
    with pytest.raises(Conflict) as closed:
        voting.correct_paper_vote(db, staff, online, CorrectionIn(nominee_id=None, note="晚了"))
    assert closed.value.code in ("selection.online_fixed", "selection.recount_closed")


def test_results_exist_only_once_published_after_the_recount(db: Session, world: World) -> None:
    selection_id, (chen, lin) = ballot(db, world)
    resident_account(db, world, "jumin", world.household1)
    cast(db, "jumin", selection_id, chen)
    staff = scope_of(db, "secretary")
    for phase in ("voting", "recount"):
        move_to(db, selection_id, phase)
        with pytest.raises(Conflict) as hidden:
            results.results(db, scope_of(db, "jumin"), selection_id)
        assert hidden.value.code == "selection.not_published"
        with pytest.raises(Conflict) as early:
            results.publish_results(db, staff, selection_id)
        assert early.value.code == "selection.recount_open"
    assert all(n.votes is None for n in db.scalars(select(Nomination)))
    move_to(db, selection_id, "after")
    with pytest.raises(Forbidden):
        results.publish_results(db, scope_of(db, "grid1"), selection_id)
    with pytest.raises(Conflict):
        results.publish_stats(db, staff, selection_id)
    published = results.publish_results(db, staff, selection_id)
    assert published is not None and published.statistics is None
    rows = {r.id: (r.votes, r.rank, r.winner) for r in published.categories[2].nominees}
    assert rows == {chen: (1, 1, True), lin: (0, 2, False)}
    read = results.results(db, scope_of(db, "jumin"), selection_id)
    assert read.categories[2].nominees[0].display_name == "陈阿姨" and read.statistics is None
    stats = results.publish_stats(db, staff, selection_id).statistics
    assert stats is not None and (stats.voters, stats.online, stats.paper) == (1, 1, 0)
    assert stats.eligible == 2 and stats.turnout == 0.5
    assert [(c.code, c.votes) for c in stats.categories if c.votes] == [("neighbour", 1)]
    results.publish_results(db, staff, selection_id, published=False)
    with pytest.raises(Conflict):
        results.results(db, scope_of(db, "jumin"), selection_id)
    assert db.get(Selection, selection_id).stats_published_at is None  # type: ignore[union-attr]


def test_a_tie_goes_to_who_reached_the_final_count_first_then_to_the_earlier_nomination(
    db: Session, world: World
) -> None:
    one = [CategoryIn(code="neighbour", name="好邻居", winners=1)]
    made = make_selection(db, world, categories=one)
    chen, lin, huang, zhou = (nominate(db, "secretary", made.id, n) for n in ("陈阿姨", "林师傅", "黄老师", "周大姐"))
    eligible(db, chen, lin, huang, zhou)
    move_to(db, made.id, "voting")
    homes = [new_household(db, world, f"{i + 1}0{i + 1}") for i in range(4)]
    votes = [paper(db, made.id, who, home) for who, home in zip((chen, chen, lin, lin), homes, strict=True)]
    base = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    # 陈阿姨 reached 2 votes at 10:00 (local), 林师傅 at 09:30: equal counts, 林师傅 got there first.
    for vote_id, minutes in zip(votes, (0, 120, 30, 90), strict=True):
        with transaction(db):
            row = db.get(SelectionVote, vote_id)
            assert row is not None
            row.created_at = base + timedelta(minutes=minutes)
    move_to(db, made.id, "after")
    published = results.publish_results(db, scope_of(db, "secretary"), made.id)
    assert published is not None
    order = [(r.display_name, r.votes, r.rank, r.winner) for r in published.categories[0].nominees]
    assert order == [
        ("林师傅", 2, 1, True),
        ("陈阿姨", 2, 2, False),
        ("黄老师", 0, 3, False),  # no votes: the earlier nomination first, and never a winner
        ("周大姐", 0, 4, False),
    ]


def test_equal_counts_reached_at_the_same_moment_go_to_the_earlier_nomination() -> None:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    first = Nomination(id=1, created_at=at, display_name="甲", reason="", category_id=1, selection_id=1)
    second = Nomination(
        id=2, created_at=at + timedelta(hours=1), display_name="乙", reason="", category_id=1, selection_id=1
    )
    ranked = results.ranked([(second, 3, at), (first, 3, at)])
    assert [n.display_name for n, _ in ranked] == ["甲", "乙"]
    assert [n.display_name for n, _ in results.ranked([(first, 3, at + timedelta(seconds=1)), (second, 3, at)])] == [
        "乙",
        "甲",
    ]
