"""The demo's disputes (矛盾纠纷) of 阳台山社区 and what its grid notices (网格公示) print.

Two disputes, written through the disputes' services: in grid 1, neighbours quarrelling over a leak, mediated
by the community's secretary with grid 1's worker in two sessions, agreed and visited again since; in grid 2,
a quarrel with the property company over a parking fee, referred to the people's mediation committee after
one session. Grid 2's worker is not a mediator of it: signed in as ``wangge2``, the register shows it without
names. Each grid gets a boundary in words, each grid worker a work phone, the community a supervision phone.
Deterministic: the parties are the first residents of each grid in id order.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import Scope
from linli.accounts.services import load_scope
from linli.areas.models import Area
from linli.disputes import notice, services
from linli.disputes.models import Dispute
from linli.disputes.schemas import AreaNoticeIn, DisputeIn, FollowUpIn, MediationIn, OutcomeIn, PartyIn
from linli.lib import clock
from linli.registry.models import Resident
from linli.synth import layout

BOUNDARIES = (
    "东至文园路，西至阳台山路，南至图强小区南门，北至公园南路；含图强小区1—8号楼。",
    "东至阳台山路，西至湖滨东路，南至华新路，北至公园南路；含华新小区全部楼栋。",
    "东至湖滨东路，西至金榜路，南至仙岳路辅路，北至华新路；含学校宿舍区和金榜花园。",
    "东至金榜路，西至文屏路，南至仙岳路辅路，北至厦门市第一医院宿舍；含医院宿舍区。",
    "东至文屏路，西至梧村路，南至阳台山公园，北至文园路；含阳台山公园周边楼栋。",
)
SUPERVISION_PHONE = "0592-2345678"


def grow_disputes(session: Session, seed: int) -> int:
    """Return how many disputes were registered for 阳台山社区 (0 without its accounts or grids, or when it has some).

    The boundaries, work phones and supervision phone are written on the same run.
    """
    del seed  # the disputes are fixed; the parties come from the registry in id order
    community = session.scalar(select(Area).where(Area.code == layout.COMMUNITY[0]))
    if community is None:
        return 0
    grids = dict(session.execute(select(Area.code, Area.id).where(Area.parent_id == community.id)).all())
    grid1, grid2 = grids.get(layout.COMMUNITY[0] + "001"), grids.get(layout.COMMUNITY[0] + "002")
    scopes = _scopes(session, ("shequ", "wangge1", "wangge2", "wangge3", "wangge4", "wangge5"))
    if grid1 is None or grid2 is None or "shequ" not in scopes or "wangge1" not in scopes:
        return 0
    under = select(Area.id).where(Area.path.startswith(community.path))
    if session.scalar(select(Dispute.id).where(Dispute.area_id.in_(under)).limit(1)):
        return 0
    _notice(session, scopes, community.id, grids)
    shequ, wangge1 = scopes["shequ"], scopes["wangge1"]
    today = clock.today()

    residents = _residents(session, grid1, 2)
    leak = services.register_dispute(
        session,
        wangge1,
        DisputeIn(
            area_id=grid1,
            kind="neighbour",
            summary="楼上卫生间渗水，楼下天花板发霉，双方多次争吵。",
            found_on=today - timedelta(days=20),
            parties=[
                PartyIn(resident_id=r, role=role) for r, role in zip(residents, ("楼下住户", "楼上住户"), strict=False)
            ],
        ),
    )
    services.set_mediators(session, shequ, leak.id, [u for u in (shequ.user_id, wangge1.user_id) if u])
    for days, notes, result in (
        (14, "双方各自陈述，楼上住户不认为是自家漏水。", "约定请物业检测渗水点。"),
        (7, "物业检测确认为楼上卫生间防水层老化。", "楼上住户同意修复防水并承担楼下修补费用。"),
    ):
        services.record_mediation(
            session,
            shequ,
            leak.id,
            MediationIn(
                held_on=today - timedelta(days=days),
                place="阳台山社区调解室",
                attendees="双方当事人、网格员、物业工程师",
                notes=notes,
                result=result,
            ),
        )
    services.state_outcome(
        session,
        shequ,
        leak.id,
        OutcomeIn(outcome="agreed", agreement="楼上住户于两周内修复卫生间防水层，并承担楼下天花板修补费用800元。"),
    )
    services.record_follow_up(
        session,
        wangge1,
        leak.id,
        FollowUpIn(visited_on=today - timedelta(days=2), note="防水已修复，楼下已修补，双方和好。"),
    )

    others = _residents(session, grid2, 1)
    parking = services.register_dispute(
        session,
        scopes.get("wangge2", shequ),
        DisputeIn(
            area_id=grid2,
            kind="property",
            summary="业主与物业公司就车位管理费上涨发生争执。",
            found_on=today - timedelta(days=10),
            parties=[
                *(PartyIn(resident_id=r, role="业主代表") for r in others),
                PartyIn(name="陈经理", phone="13906001234", role="物业公司项目经理"),
            ],
        ),
    )
    services.set_mediators(session, shequ, parking.id, [shequ.user_id] if shequ.user_id else [])
    services.record_mediation(
        session,
        shequ,
        parking.id,
        MediationIn(
            held_on=today - timedelta(days=6),
            place="华新小区物业办公室",
            attendees="业主代表、物业公司项目经理、社区书记",
            notes="物业坚持按新标准收费，业主要求公开成本。",
            result="未达成一致。",
        ),
    )
    services.state_outcome(
        session,
        shequ,
        parking.id,
        OutcomeIn(outcome="referred", referred_to="mediation_committee", note="涉及收费标准，移交街道人民调解委员会。"),
    )
    return 2


def _notice(session: Session, scopes: dict[str, Scope], community_id: int, grids: dict[str, int]) -> None:
    shequ = scopes["shequ"]
    notice.set_area_notice(session, shequ, community_id, AreaNoticeIn(supervision_phone=SUPERVISION_PHONE))
    for i, boundary in enumerate(BOUNDARIES, start=1):
        grid = grids.get(f"{layout.COMMUNITY[0]}{i:03d}")
        if grid is not None:
            notice.set_area_notice(session, shequ, grid, AreaNoticeIn(boundary=boundary))
        worker = scopes.get(f"wangge{i}")
        if worker is not None and worker.user_id is not None:
            notice.set_work_phone(session, shequ, worker.user_id, f"1380592000{i}")


def _scopes(session: Session, usernames: tuple[str, ...]) -> dict[str, Scope]:
    users = session.scalars(select(User).where(User.username.in_(usernames))).all()
    return {u.username: load_scope(session, u.id, u.session_version) for u in users}


def _residents(session: Session, grid_id: int, count: int) -> list[int]:
    """Return the ids of a grid's first active residents of different households."""
    rows = session.execute(
        select(Resident.id, Resident.household_id)
        .where(Resident.area_id == grid_id, Resident.status == "active")
        .order_by(Resident.id)
        .limit(200)
    ).all()
    chosen: list[int] = []
    households: set[int | None] = set()
    for rid, household in rows:
        if household not in households:
            chosen.append(rid)
            households.add(household)
        if len(chosen) == count:
            break
    return chosen
