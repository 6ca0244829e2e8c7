"""Each community of the demo as one batch of rows, made here and written by ``synth.demo``.

Making the rows (people, ID numbers, encryption, search keys) costs as much as writing them; at
district scale the making runs in a forked process a few communities ahead of the writing, so the
machine's second core is not idle.
"""

from __future__ import annotations

import multiprocessing
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from linli.synth import layout
from linli.synth.bulk import HOUSEHOLD, RowBuffer, Rows
from linli.synth.care import tag_people
from linli.synth.housing import house
from linli.synth.people import Home, household
from linli.synth.rows import RowMaker

# Share of households registered here (户籍); the rest are migrants (流动人口).
LOCAL_SHARE = 0.78
AHEAD = 3  # batches the maker may run ahead of the writer


@dataclass
class Batch:
    """One community's rows, the household ids it used (to point them at their heads) and its counts."""

    name: str
    rows: Rows
    first_household: int
    last_household: int
    buildings: int
    households: int
    residents: int
    cared: int


def batches(
    plan: layout.DistrictPlan, seed: int, area_ids: dict[str, int], maker: RowMaker, buffer: RowBuffer
) -> Iterator[Batch]:
    """Yield the rows of each community of ``plan`` in turn (deterministic for ``seed``)."""
    used_ids: set[str] = set()
    for community in plan.communities:
        # One generator per community: its people do not depend on how many came before.
        rng = random.Random(f"{seed}/{community.code}")
        grids: list[tuple[layout.GridPlan, list[Home]]] = []
        for grid in community.grids:
            homes: list[Home] = []
            people = 0
            while people < grid.residents:
                home = household(rng, grid.profile, rng.random() < LOCAL_SHARE, used_ids)
                homes.append(home)
                people += len(home.members)
            grids.append((grid, homes))
        cared = tag_people(rng, [h for _, homes in grids for h in homes])
        before = (maker.buildings, maker.households, maker.residents)
        first = buffer.peek(HOUSEHOLD)
        for grid, homes in grids:
            first_compound = "图强小区" if grid.code == layout.COMMUNITY[0] + "001" else None
            for building in house(rng, homes, first_compound):
                maker.building(area_ids[grid.code], building)
        yield Batch(
            community.name,
            buffer.take(),
            first,
            buffer.peek(HOUSEHOLD) - 1,
            maker.buildings - before[0],
            maker.households - before[1],
            maker.residents - before[2],
            cared,
        )


def ahead(make: Callable[[], Iterator[Batch]], background: bool) -> Iterator[Batch]:
    """Yield the batches of ``make()``, made in a forked process when ``background`` (Linux only).

    The child inherits the cipher and everything else by fork, and touches no database; an error
    in it is raised here.
    """
    if not background or sys.platform != "linux":
        yield from make()
        return
    context = multiprocessing.get_context("fork")
    queue: Any = context.Queue(maxsize=AHEAD)
    child = context.Process(target=_produce, args=(make, queue), daemon=True)
    child.start()
    try:
        while (item := queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        child.terminate()
        child.join()


def _produce(make: Callable[[], Iterator[Batch]], queue: Any) -> None:
    try:
        for batch in make():
            queue.put(batch)
    except BaseException as error:  # handed to the parent, which raises it
        queue.put(error)
        return
    queue.put(None)
