"""The monthly or yearly report of an area as an Excel workbook: the dashboard's figures, its children compared.

One sheet per section (values, not formulas; Chinese headers by default; the header row frozen; column
widths set): a summary, then 人口与户籍, 走访, 诉求工单, 志愿服务与资源, 阳光小课堂 and 托教机构 — each with
the area's own row and one row per child —, needs by category, the months, and the grid-worker
evaluation of each month. Writing it is audited as an export.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope
from linli.audit.services import record_by
from linli.db.engine import transaction
from linli.i18n import translate
from linli.reports.dashboard import RATES, dashboard
from linli.reports.evaluation import evaluation
from linli.reports.measure import FIGURES

SECTIONS = (
    ("registry", "Population and households"),
    ("visits", "Visits"),
    ("needs", "Work orders"),
    ("supply", "Volunteers and resources"),
    ("courses", "Courses"),
    ("institutions", "Institutions"),
    ("events", "Grid events"),
    ("civic", "Self-governance"),
    ("disputes", "Disputes"),
)
HEADER = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E7F1EC")


def report_workbook(
    session: Session, scope: Scope, area_id: int | None, period: str, weights: dict[str, float], locale: str = "zh"
) -> tuple[bytes, str]:
    """Return the workbook of ``area_id`` for ``period`` (a month or a year) and a file name for it."""
    data = dashboard(session, scope, area_id, period, locale)
    _ = lambda message, **fields: translate(message, locale).format(**fields)  # noqa: E731
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Summary")
    rows: list[list[Any]] = [
        [_("Area"), data.area.name],
        [_("Period"), data.period],
        [_("Figures as of"), data.refreshed_at.strftime("%Y-%m-%d %H:%M") if data.refreshed_at else ""],
        [],
        [_("Figure"), _("Value")],
    ]
    rows += [[data.labels[f.code], data.figures.get(f.code, 0)] for f in FIGURES]
    rows += [[data.labels[code], _percent(data.rates[code])] for code in RATES]
    _sheet(summary, rows, header_row=5)

    everyone = [(_("{area} (all)", area=data.area.name), data.figures, data.rates)]
    everyone += [(c.area.name, c.figures, c.rates) for c in data.children]
    for section, title in SECTIONS:
        codes = [f.code for f in FIGURES if f.section == section]
        rates = [code for code, (part, _w, _l) in RATES.items() if part in codes]
        sheet = book.create_sheet(_(title))
        head = [_("Area"), *(data.labels[c] for c in codes), *(data.labels[r] for r in rates)]
        body = [[name, *(f.get(c, 0) for c in codes), *(_percent(r.get(x)) for x in rates)] for name, f, r in everyone]
        _sheet(sheet, [head, *body])

    categories = book.create_sheet(_("Needs by category"))
    _sheet(categories, [[_("Category"), data.labels["orders.received"]], *([c.name, c.value] for c in data.categories)])

    months = book.create_sheet(_("By month"))
    trend_codes = ("orders.received", "orders.resolved", "visits.logs", "visits.overdue")
    head = [_("Month"), *(data.labels[c] for c in trend_codes), data.labels["visits.rate"]]
    body = [
        [t.month.strftime("%Y-%m"), *(t.figures.get(c, 0) for c in trend_codes), _percent(t.rates["visits.rate"])]
        for t in data.trend
    ]
    _sheet(months, [head, *body])

    ranking = book.create_sheet(_("Grid workers"))
    head = [
        _("Month"),
        _("Rank"),
        _("Grid worker"),
        _("Score"),
        _("Households"),
        data.labels["visits.rate"],
        _("Contacted on time"),
        _("Logs"),
        _("Needs raised"),
        data.labels["orders.resolved"],
        data.labels["orders.on_time_rate"],
        data.labels["orders.satisfaction_rate"],
    ]
    body = []
    for month in data.months:
        for w in evaluation(session, scope, data.area.id, month.strftime("%Y-%m"), weights).workers:
            body.append(
                [
                    month.strftime("%Y-%m"),
                    w.rank,
                    w.name,
                    w.score,
                    w.households,
                    _percent(w.visit_rate),
                    _percent(w.contact_rate),
                    w.logs,
                    w.needs,
                    w.resolved,
                    _percent(w.on_time_rate),
                    _percent(w.satisfaction_rate),
                ]
            )
    _sheet(ranking, [head, *body])

    out = BytesIO()
    book.save(out)
    with transaction(session):
        record_by(
            session,
            scope,
            "report.export",
            entity="area",
            entity_id=data.area.id,
            area_id=data.area.id,
            changes={"period": [None, data.period]},
        )
    return out.getvalue(), f"linli-{data.area.name}-{data.period}.xlsx"


def _percent(value: float | None) -> float | None:
    """Return a share 0–1 as a percentage with one decimal (None stays empty)."""
    return None if value is None else round(value * 100, 1)


def _sheet(sheet: Worksheet, rows: list[list[Any]], header_row: int = 1) -> None:
    """Write ``rows``, bold and freeze the header row, and size each column to its longest cell."""
    for row in rows:
        sheet.append(row)
    for cell in sheet[header_row]:
        cell.font = HEADER
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    widths: dict[int, int] = {}
    for row in rows:
        for i, value in enumerate(row, start=1):
            text = "" if value is None else str(value)
            # A Chinese character takes about two columns' width.
            width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
            widths[i] = max(widths.get(i, 0), min(width, 40))
    for i, width in widths.items():
        sheet.column_dimensions[get_column_letter(i)].width = max(width + 2, 8)
