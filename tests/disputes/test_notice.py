"""The grid's public notice: name, boundary, grid workers' work phones, the supervision phone, a QR code."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.disputes import notice
from linli.disputes.schemas import AreaNoticeIn
from linli.errors import Forbidden, Invalid, NotFound
from tests.conftest import login
from tests.factories import World, scope_of


def fill(db: Session, world: World) -> None:
    notice.set_area_notice(
        db, scope_of(db, "secretary"), world.grid1.id, AreaNoticeIn(boundary="东至文园路，西至阳台山路")
    )
    notice.set_area_notice(
        db, scope_of(db, "secretary"), world.community.id, AreaNoticeIn(supervision_phone="0592-5551234")
    )
    grid1 = scope_of(db, "grid1")
    notice.set_work_phone(db, grid1, grid1.user_id or 0, "13700002222")


def test_the_notice_holds_the_boundary_workers_phones_and_the_ask_link(db: Session, world: World) -> None:
    fill(db, world)
    n = notice.grid_notice(db, scope_of(db, "grid1"), world.grid1.id)
    assert (n.grid, n.community, n.boundary) == ("第一网格", "阳台山社区", "东至文园路，西至阳台山路")
    assert [(w.name, w.work_phone) for w in n.workers] == [("grid1", "13700002222")]
    assert n.supervision_phone == "0592-5551234"
    assert n.ask_path == f"/ask?community={world.community.code}"


def test_the_notice_page_prints_the_qr_code_and_its_address(client: TestClient, db: Session, world: World) -> None:
    fill(db, world)
    login(client, "grid1")
    page = client.get(f"/notice/{world.grid1.id}")
    assert page.status_code == 200
    text = page.text
    assert "<svg" in text and 'class="segno"' in text and "style=" not in text.split('id="notice-qr"')[1][:4000]
    assert f"/ask?community={world.community.code}" in text
    for shown in ("第一网格", "东至文园路", "13700002222", "0592-5551234"):
        assert shown in text
    assert "13912345678" not in text  # a resident's personal phone never


def test_a_work_phone_is_set_by_its_holder_or_a_user_manager_only(db: Session, world: World) -> None:
    grid1 = scope_of(db, "grid1").user_id or 0
    assert notice.set_work_phone(db, scope_of(db, "secretary"), grid1, "13700003333").work_phone == "13700003333"
    with pytest.raises(NotFound):
        notice.set_work_phone(db, scope_of(db, "grid2"), grid1, "13700004444")
    with pytest.raises(Invalid):
        notice.set_work_phone(db, scope_of(db, "grid1"), grid1, "12")


def test_the_boundary_is_kept_by_staff_and_the_supervision_phone_by_the_secretary(db: Session, world: World) -> None:
    with pytest.raises(NotFound):  # the community lies above a grid worker's reach
        notice.set_area_notice(
            db, scope_of(db, "grid1"), world.community.id, AreaNoticeIn(supervision_phone="0592-5551234")
        )
    with pytest.raises(Forbidden):  # a supervisor reads the grid but keeps nothing of it
        notice.set_area_notice(db, scope_of(db, "supervisor"), world.community.id, AreaNoticeIn(supervision_phone="1"))
    with pytest.raises(Forbidden):
        notice.set_area_notice(db, scope_of(db, "supervisor"), world.grid1.id, AreaNoticeIn(boundary="x"))
    with pytest.raises(NotFound):
        notice.set_area_notice(db, scope_of(db, "outsider"), world.grid1.id, AreaNoticeIn(boundary="x"))
    assert (
        notice.set_area_notice(db, scope_of(db, "grid1"), world.grid1.id, AreaNoticeIn(boundary="南至海"))["boundary"]
        == "南至海"
    )


def test_an_area_that_is_not_a_grid_has_no_notice(db: Session, world: World) -> None:
    with pytest.raises(NotFound):
        notice.grid_notice(db, scope_of(db, "secretary"), world.community.id)
    with pytest.raises(NotFound):
        notice.grid_notice(db, scope_of(db, "outsider"), world.grid1.id)


def test_the_edit_form_saves_and_shows_the_notice(client: TestClient, world: World) -> None:
    login(client, "secretary")
    assert client.get(f"/notice/{world.grid1.id}/edit").status_code == 200
    saved = client.post(
        f"/notice/{world.grid1.id}/edit",
        data={"boundary": "北至湖滨南路", "supervision_phone": "0592-5551234"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "北至湖滨南路" in client.get(f"/notice/{world.grid1.id}").text
    bad = client.post(f"/notice/{world.grid1.id}/edit", data={"boundary": "x", "supervision_phone": "99"})
    assert bad.status_code == 422


def test_the_work_phone_page(client: TestClient, world: World) -> None:
    login(client, "grid1")
    assert client.get("/notice/work-phone").status_code == 200
    assert "13700005555" in client.post("/notice/work-phone", data={"work_phone": "137 0000 5555"}).text
