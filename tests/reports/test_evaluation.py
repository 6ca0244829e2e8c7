"""The grid-worker evaluation ranks by weighted parts; the workbook and the command write the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.config import EVALUATION_WEIGHTS
from linli.db.engine import transaction
from linli.errors import Invalid, NotFound
from linli.lib import clock
from linli.needs.models import WorkOrder
from linli.reports import rollup
from linli.reports.evaluation import evaluation, score
from linli.reports.workbook import report_workbook
from linli.visits import logs
from linli.visits.schemas import GridLogIn
from tests.conftest import login
from tests.factories import root_scope, scope_of
from tests.reports.test_rollup import order
from tests.visits.helpers import at

MONTH = clock.today().strftime("%Y-%m")


def test_the_score_is_the_weighted_mean_of_the_parts_with_a_value() -> None:
    assert score({"visits": 1.0, "on_time": None, "logs": 0.5}, {"visits": 3, "on_time": 2, "logs": 1}) == 87.5
    assert score({"visits": None}, {"visits": 3}) is None
    assert score({"visits": 1.0, "logs": 0.0}, {"visits": 0, "logs": 1}) == 0.0


def test_the_worker_who_visited_and_resolved_ranks_first(db: Session, world) -> None:
    data = GridLogIn(household_id=world.household1, channel="door", started_at=at(clock.today()))
    logs.create_log(db, scope_of(db, "grid1"), data)
    mine = order(db, world.household1)
    with transaction(db):
        db.execute(
            update(WorkOrder)
            .where(WorkOrder.id == mine)
            .values(
                state="rated",
                rating="satisfied",
                assignee_user_id=scope_of(db, "grid1").user_id,
                closed_at=datetime.now(UTC),
                due_at=datetime.now(UTC) + timedelta(days=3),
            )
        )
    ranked = evaluation(db, scope_of(db, "secretary"), world.community.id, MONTH, dict(EVALUATION_WEIGHTS))
    first, second = ranked.workers
    assert (first.user_id, first.rank, second.rank) == (scope_of(db, "grid1").user_id, 1, 2)
    assert first.visit_rate == 1.0 and first.resolved == 1 and first.satisfaction_rate == 1.0 and first.needs == 1
    assert first.on_time_rate == 1.0 and first.logs == 1
    assert second.parts["on_time"] is None and second.visit_rate == 0.0
    assert first.score is not None and second.score is not None and first.score > second.score
    # With every weight on logs, the order is the logs'.
    by_logs = evaluation(db, root_scope(), world.community.id, MONTH, {"logs": 1.0})
    assert by_logs.workers[0].logs == 1 and by_logs.workers[0].score == 100.0


def test_the_evaluation_wants_a_month_and_the_users_area(db: Session, world) -> None:
    with pytest.raises(Invalid) as refused:
        evaluation(db, root_scope(), world.community.id, clock.today().strftime("%Y"), {})
    assert refused.value.code == "evaluation.month"
    with pytest.raises(NotFound):
        evaluation(db, scope_of(db, "grid1"), world.community.id, MONTH, {})


def test_the_workbook_has_a_sheet_per_section_with_the_children_compared(db: Session, world, tmp_path: Path) -> None:
    order(db, world.household1)
    rollup.refresh_due(db)
    content, name = report_workbook(db, scope_of(db, "secretary"), world.community.id, MONTH, dict(EVALUATION_WEIGHTS))
    path = tmp_path / name
    path.write_bytes(content)
    book = load_workbook(path)
    assert book.sheetnames == [
        *("概况", "人口与户籍", "走访", "工单", "志愿服务与资源"),
        *("阳光小课堂", "托教机构", "网格事件", "居民自治", "矛盾纠纷", "需求分类", "按月", "网格员"),
    ]
    orders = book["工单"]
    assert orders.freeze_panes == "A2" and orders["A1"].value == "区域" and orders["B1"].value == "受理工单"
    rows = {r[0]: r for r in orders.iter_rows(min_row=2, values_only=True)}
    assert rows["阳台山社区（合计）"][1] == 1 and rows["第一网格"][1] == 1 and rows["第二网格"][1] == 0
    assert all(not str(c.value).startswith("=") for sheet in book for row in sheet.iter_rows() for c in row if c.value)
    assert orders.column_dimensions["A"].width >= 10
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "report.export")) == "report.export"


def test_the_report_downloads_and_the_evaluation_page(client, db: Session, world) -> None:
    login(client, "secretary")
    got = client.get(f"/dashboard/report.xlsx?area_id={world.community.id}&period={MONTH}")
    assert got.status_code == 200 and got.content[:2] == b"PK" and "attachment" in got.headers["content-disposition"]
    page = client.get(f"/dashboard/evaluation?area_id={world.community.id}")
    assert page.status_code == 200 and "网格员考评" in page.text
    assert client.get("/dashboard/evaluation?period=2026").status_code == 422
    api = client.get("/api/v1/evaluation", params={"period": MONTH})
    assert api.status_code == 200 and len(api.json()["workers"]) == 2
    login(client, "grid1")
    assert client.get(f"/dashboard/report.xlsx?area_id={world.community.id}&period={MONTH}").status_code == 404
