"""The demo's 微故事 of 阳台山社区 for the collection 《远亲不如近邻》, written through the stories' services.

Three stories are published, each naming neighbours whose consent was given in person before a witness (one
of them the resident ``jumin`` of grid 1, who can read it and withdraw the consent online); one waits in
review because a neighbour it names has not yet said yes; and one is a draft collected from a grid log whose
story worth keeping the grid worker of grid 1 wrote down this week. Deterministic: the same residents are
chosen from the same registry.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import Scope
from linli.accounts.services import load_scope
from linli.areas.models import Area
from linli.civic.stories import consent, services, workflow
from linli.civic.stories.models import Story
from linli.civic.stories.schemas import CollectIn, ConsentIn, PersonIn, StoryIn
from linli.registry.models import Household, Resident
from linli.synth import layout
from linli.visits import logs
from linli.visits.schemas import GridLogIn

# (title, where: grid 1 / grid 2 / the community, the story)
PUBLISHED = (
    (
        "老邻居帮忙照看独居老人",
        1,
        "图强小区3号楼的陈阿婆今年八十六岁，一个人住。对门的老李退休后，每天早上七点准时去敲她的门，"
        "问一声“吃了没”。\n去年冬天的一个早上，门敲了很久没人应。老李赶紧给网格员打电话，"
        "大家一起把门打开，才发现阿婆在卫生间滑倒了。送医及时，阿婆很快就出院了。\n"
        "阿婆说：“远亲不如近邻，他们就是我的好邻居、好帮手。”",
    ),
    (
        "楼道里的共享雨伞",
        1,
        "厦门的雨说来就来。一楼的住户在楼道口钉了一个木架，挂上了十几把旧雨伞，旁边写着：“借伞请用，用完请还。”\n"
        "三年过去了，伞越挂越多，有人修好了坏伞，有人添上了新伞。楼道里从来没有丢过一把伞。",
    ),
    (
        "一碗饺子",
        0,
        "冬至那天，百事帮服务队的厨师队员在社区活动室包了三百多个饺子，一碗一碗送到独居老人家里。\n"
        "送到最后一家时，饺子还冒着热气。老人拉着队员的手说，这是他这些年过得最热闹的一个冬至。",
    ),
)
IN_REVIEW = (
    "小喇叭巡逻队的夜晚",
    2,
    "每天晚上八点，小喇叭巡逻队的队员们打着手电，在小区里走一圈，提醒大家关好门窗、看好孩子。",
)
LOG_STORY = "曾伯年轻时在鼓浪屿当渡船船工，常给楼里的孩子们讲海上的故事，孩子们都叫他“船长爷爷”。"


def grow_stories(session: Session, seed: int) -> int:
    """Return how many stories were written for 阳台山社区 (0 without its accounts or grids, or with stories)."""
    del seed  # the stories are the source's; the residents named come from the registry in id order
    community = session.scalar(select(Area).where(Area.code == layout.COMMUNITY[0]))
    if community is None:
        return 0
    known = select(Area.id).where(Area.path.startswith(community.path))
    if session.scalar(select(Story.id).where(Story.area_id.in_(known)).limit(1)):
        return 0
    grids = dict(session.execute(select(Area.code, Area.id).where(Area.parent_id == community.id)).all())
    areas = {0: community.id, 1: grids.get(layout.COMMUNITY[0] + "001"), 2: grids.get(layout.COMMUNITY[0] + "002")}
    scopes = _scopes(session, ("shequ", "wangge1", "wangge2"))
    if None in areas.values() or len(scopes) < 3:
        return 0
    jumin = session.scalar(select(User.resident_id).where(User.username == "jumin"))
    elders = _elders(session, areas[1] or 0)
    witness = {"wangge1": scopes["wangge1"].display_name, "shequ": scopes["shequ"].display_name}
    made = 0
    for index, (title, where, body) in enumerate(PUBLISHED):
        author = "shequ" if where == 0 else "wangge1"
        story = services.create_story(
            session, scopes[author], StoryIn(area_id=areas[where] or 0, title=title, body=body)
        )
        people: list[PersonIn] = []
        if index == 0:
            people = [PersonIn(name=n, resident_id=r) for r, n in elders[:1]] or [PersonIn(name="陈阿婆")]
            people.append(PersonIn(name="老李", note="对门邻居"))
        elif index == 1 and jumin is not None:
            people = [PersonIn(resident_id=jumin, note="钉雨伞架的住户")]
        else:
            people = [PersonIn(name="百事帮厨师队员")]
        for person in people:
            shown = consent.add_person(session, scopes[author], story.id, person)
            given = ConsentIn(consent="given", way="in_person", witness=witness[author], note="当面征得同意")
            consent.record_consent(session, scopes[author], story.id, shown.people[-1].id, given)
        workflow.submit(session, scopes[author], story.id)
        workflow.publish(session, scopes["shequ"], story.id)
        made += 1
    title, where, body = IN_REVIEW
    waiting = services.create_story(
        session, scopes["wangge2"], StoryIn(area_id=areas[where] or 0, title=title, body=body)
    )
    consent.add_person(session, scopes["wangge2"], waiting.id, PersonIn(name="巡逻队队长老陈", note="待当面确认"))
    workflow.submit(session, scopes["wangge2"], waiting.id)
    made += 1
    household = session.scalar(
        select(Household.id).where(Household.area_id == areas[1]).order_by(Household.id).offset(2).limit(1)
    )
    if household is not None:
        log = logs.create_log(
            session,
            scopes["wangge1"],
            GridLogIn(household_id=household, channel="door", narrative="入户走访，老人精神不错。", story=LOG_STORY),
        )
        services.collect(session, scopes["wangge1"], CollectIn(log_id=log.id))
        made += 1
    return made


def _scopes(session: Session, usernames: tuple[str, ...]) -> dict[str, Scope]:
    users = session.scalars(select(User).where(User.username.in_(usernames))).all()
    return {u.username: load_scope(session, u.id, u.session_version) for u in users}


def _elders(session: Session, grid_id: int) -> list[tuple[int, str]]:
    """Return ``(id, name)`` of grid 1's oldest residents, oldest first."""
    rows = session.execute(
        select(Resident.id, Resident.name)
        .where(Resident.area_id == grid_id, Resident.status == "active", Resident.birth_date.is_not(None))
        .order_by(Resident.birth_date, Resident.id)
        .limit(3)
    ).all()
    return [(i, n) for i, n in rows]
