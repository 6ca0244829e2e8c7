"""``linli demo`` as an operator runs it, and the worker that makes rows ahead of the writer."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from linli.cli import main
from linli.synth.community import Batch, ahead
from tests.conftest import TEST_KEY


def linli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    env.update(
        LINLI_DATABASE_URL=f"sqlite:///{folder / 'linli.db'}",
        LINLI_DATA_KEY=TEST_KEY,
        LINLI_SECRET_KEY="s" * 40,
        LINLI_ARGON2_TIME_COST="1",
        LINLI_ARGON2_MEMORY_COST="8192",
        LINLI_LANG="en",
    )
    return subprocess.run(
        [sys.executable, "-m", "linli", *args], env=env, cwd=folder, capture_output=True, text=True, timeout=120
    )


def test_it_loads_the_demo_once_and_prints_the_accounts(tmp_path: Path) -> None:
    first = linli(tmp_path, "demo", "--residents", "60")
    assert first.returncode == 0, first.stderr
    assert "Linli-Demo-2026" in first.stdout
    for username in ("admin", "jiedao", "shequ", "wangge1", "wangge5", "zhiyuan", "jumin"):
        assert f"  {username} " in first.stdout
    again = linli(tmp_path, "demo", "--residents", "60")
    assert again.returncode == 2
    assert again.stderr.strip().splitlines() == [
        "linli: The database already has data; the demo loads only into an empty database."
    ]


def test_it_refuses_an_unknown_scale_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["linli", "demo", "--scale", "town"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    assert capsys.readouterr().err.strip() == "linli: unknown scale 'town': choose community or district"


def batch(n: int) -> Batch:
    return Batch(f"c{n}", {"resident": [{"id": n}]}, n, n, 0, 1, 1, 0)


def test_it_makes_batches_in_a_child_process_in_order() -> None:
    def make() -> Iterator[Batch]:
        for n in range(5):
            yield batch(n)

    assert [b.name for b in ahead(make, background=True)] == ["c0", "c1", "c2", "c3", "c4"]


def test_it_raises_an_error_of_the_child_process_here() -> None:
    def make() -> Iterator[Batch]:
        yield batch(0)
        raise ValueError("no more people")

    made = ahead(make, background=True)
    assert next(made).name == "c0"
    with pytest.raises(ValueError, match="no more people"):
        next(made)
