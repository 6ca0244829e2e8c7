"""What every bench script shares: the machine it ran on, latency percentiles, its bench/README.md section."""

from __future__ import annotations

import mmap
import os
import platform
import re
import secrets
import statistics
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
OUT = ROOT / "bench" / "out"


def machine(url: str) -> dict[str, Any]:
    """Return what the figures were measured on: CPU model and count, memory, Python, the database, the load."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.processor())
    meminfo = Path("/proc/meminfo")
    found = re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()) if meminfo.exists() else None
    sqlite = url.startswith("sqlite")
    engine = create_engine(url)
    with engine.connect() as conn:
        version = conn.scalar(text("SELECT sqlite_version()" if sqlite else "SHOW server_version"))
    engine.dispose()
    return {
        "cpu": f"{cpu} × {os.cpu_count()}",
        "memory": f"{int(found[1]) / 2**20:.0f} GB" if found else "",
        "python": platform.python_version(),
        "database": f"{'SQLite' if sqlite else 'PostgreSQL'} {version}",
        "load": [round(x, 1) for x in os.getloadavg()],
        "nice": os.nice(0),
        "python_loop_s": python_loop_s(),
        "first_touch_gb_s": first_touch_gb_s(),
    }


def first_touch_gb_s() -> float:
    """Return the seconds (best of 3) this machine takes to touch 1 GB of fresh memory, a page at a time.

    Page faults are what varies most between these virtual machines (0.1 s to over 2 s a GB): a
    bench that allocates a lot, such as a 100,000-row import, runs up to twice as long on a slow day.
    """
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        with mmap.mmap(-1, 1 << 30) as memory:
            for offset in range(0, 1 << 30, mmap.PAGESIZE):
                memory[offset] = 1
        best = min(best, time.perf_counter() - started)
    return round(best, 2)


def python_loop_s() -> float:
    """Return the seconds (best of 3) this machine takes for 10 M additions in a Python loop.

    The machines are shared and their speed differs from day to day by a factor of two: this figure,
    printed beside every result with ``first_touch_gb_s``, says how fast the one that measured them was.
    """
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return round(best, 2)


def machine_lines(results: dict[str, dict[str, Any]], extra: Any = None) -> list[str]:
    """Return one line a database: ``- sqlite: SQLite 3.40.1, Python 3.11.7, AMD EPYC × 2, 24 GB.``"""
    lines = []
    for db, r in results.items():
        m = r["machine"]
        more = f" {extra(r)}" if extra else ""
        speed = (
            f"; speed: 10 M additions in a Python loop {m['python_loop_s']} s, "
            f"first touch of 1 GB {m['first_touch_gb_s']} s"
            if "first_touch_gb_s" in m
            else ""
        )
        lines.append(f"- {db}: {m['database']}, Python {m['python']}, {m['cpu']}, {m['memory']}{speed}.{more}")
    return lines


def percentiles(samples: list[float]) -> dict[str, float]:
    """Return the count, median, 95th percentile and maximum of ``samples`` (seconds), in milliseconds."""
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(int(len(ordered) * 0.95) - 1, 0)] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def write_section(name: str, body: str, first: bool = False) -> None:
    """Put ``body`` between the ``<!-- name:begin/end -->`` marks of bench/README.md, replacing an older one.

    A new section goes at the end, or right under the title when ``first``.
    """
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    current = README.read_text() if README.exists() else "# Benchmarks\n"
    block = f"{begin}\n{body}{end}\n"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        current = head + block + rest.split(end, 1)[1].lstrip("\n")
    elif first:
        title, _, rest = current.partition("\n")
        current = f"{title}\n\n{block}\n{rest.lstrip()}"
    else:
        current = current.rstrip("\n") + "\n\n" + block
    README.write_text(current)


def linli_environment(url: str) -> dict[str, str]:
    """Return the environment of ``linli`` subprocesses on the bench database ``url`` (the demo's key and secret)."""
    OUT.mkdir(parents=True, exist_ok=True)
    secret = OUT / "demo.secret"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(40))
    return os.environ | {
        "LINLI_DATABASE_URL": url,
        "LINLI_DATA_KEY_FILE": str(OUT / "demo.key"),
        "LINLI_SECRET_KEY": secret.read_text(),
        "LINLI_ENV": "development",
        "LINLI_LANG": "en",
    }
