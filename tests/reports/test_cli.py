"""``linli rollup`` and ``linli report`` from the command line: a workbook written, wrong input in one line."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from tests.cli.test_cli import Linli, linli, refused_in_one_line  # noqa: F401  (the fixture)


def test_it_writes_a_report_and_refuses_wrong_input_in_one_line(linli: Linli, tmp_path: Path) -> None:  # noqa: F811
    assert linli.init("--area-code", "350203", "--area-name", "思明区").returncode == 0
    done = linli("rollup", "--months", "2")
    assert done.returncode == 0 and "2 months" in done.stdout, done.stderr
    out = tmp_path / "report.xlsx"
    done = linli("report", "--area", "350203", "--period", "2026", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "思明区" in str(load_workbook(out)["Summary"]["B1"].value)
    assert "no area" in refused_in_one_line(linli("report", "--area", "9", "--period", "2026", "--out", str(out)))
    assert "2026-11" in refused_in_one_line(linli("report", "--area", "350203", "--period", "13", "--out", str(out)))
    assert ".xlsx" in refused_in_one_line(linli("report", "--area", "350203", "--period", "2026", "--out", "r.csv"))
