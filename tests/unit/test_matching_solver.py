"""The exact matching solver: the best total score under capacities, checked against brute force and an LP."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, vstack

from linli.matching import solver
from linli.matching.solver import UNMATCHED, Solution, greedy, solve

Instance = tuple[int, list[int], NDArray[np.intp], NDArray[np.intp], NDArray[np.float64], float]


def _arrays(pairs: list[tuple[int, int, float]]) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    needs = np.array([p[0] for p in pairs], dtype=np.intp)
    suppliers = np.array([p[1] for p in pairs], dtype=np.intp)
    return needs, suppliers, np.array([p[2] for p in pairs], dtype=np.float64)


def _best_scores(instance: Instance) -> dict[tuple[int, int], float]:
    """Return each listed pair at its highest score, for pairs at or above the minimum."""
    _, _, needs, suppliers, scores, minimum = instance
    best: dict[tuple[int, int], float] = {}
    for i, j, s in zip(needs.tolist(), suppliers.tolist(), scores.tolist(), strict=True):
        best[(i, j)] = max(best.get((i, j), s), s)
    return {pair: s for pair, s in best.items() if s >= minimum}


def _brute_force(instance: Instance) -> float:
    """Return the best total by trying every way to give each need one supplier or none."""
    n, capacity, *_ = instance
    best = _best_scores(instance)
    options = [[None, *(j for j in range(len(capacity)) if (i, j) in best)] for i in range(n)]
    optimum = 0.0
    for choice in itertools.product(*options):
        taken = [j for j in choice if j is not None]
        if all(taken.count(j) <= c for j, c in enumerate(capacity)):
            optimum = max(optimum, sum(best[(i, j)] for i, j in enumerate(choice) if j is not None))
    return optimum


def _lp_optimum(instance: Instance) -> float:
    """Return the best total from HiGHS on the integer programme over the admissible pairs."""
    n, capacity, *_ = instance
    best = _best_scores(instance)
    pairs = sorted(best)
    k = np.arange(len(pairs))
    need_rows = csr_array((np.ones(len(pairs)), ([i for i, _ in pairs], k)), shape=(n, len(pairs)))
    supplier_rows = csr_array((np.ones(len(pairs)), ([j for _, j in pairs], k)), shape=(len(capacity), len(pairs)))
    limits = np.concatenate([np.ones(n), np.array(capacity, dtype=float)])
    result = milp(
        -np.array([best[p] for p in pairs]),
        constraints=LinearConstraint(vstack([need_rows, supplier_rows]), -np.inf, limits),
        bounds=Bounds(0, 1),
        integrality=np.ones(len(pairs)),
    )
    assert result.success
    return float(-result.fun)


def _solve(instance: Instance) -> Solution:
    n, capacity, needs, suppliers, scores, minimum = instance
    return solve(n, capacity, needs, suppliers, scores, minimum)


def _assert_feasible(instance: Instance, solution: Solution) -> None:
    """Assert one supplier or none per need, admissible pairs only, no capacity exceeded, a true total."""
    n, capacity, *_ = instance
    best = _best_scores(instance)
    assert solution.supplier_of.shape == (n,)
    chosen = [(i, int(j)) for i, j in enumerate(solution.supplier_of) if j != UNMATCHED]
    assert all(pair in best for pair in chosen)
    loads = np.bincount([j for _, j in chosen], minlength=len(capacity))
    assert (loads <= np.array(capacity, dtype=int)).all()
    assert solution.objective == pytest.approx(sum(best[pair] for pair in chosen), abs=1e-9)


@st.composite
def small_instances(draw: st.DrawFn) -> Instance:
    n = draw(st.integers(1, 5))
    capacity = draw(st.lists(st.integers(0, 2), min_size=1, max_size=4))
    # Quarter points make ties and zero scores common; arbitrary floats make them rare.
    score = st.one_of(st.integers(0, 40).map(lambda q: q / 4), st.floats(0.01, 10.0))
    pair = st.tuples(st.integers(0, n - 1), st.integers(0, len(capacity) - 1), score)
    pairs = draw(st.lists(pair, max_size=14))
    minimum = draw(st.one_of(st.just(0.0), st.floats(0.0, 6.0)))
    return (n, capacity, *_arrays(pairs), minimum)


@pytest.fixture(params=[None, 1, 0], ids=["as shipped", "one spare shared column", "no spare shared column"])
def spare_margin(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run as shipped, and with too few shared left-out columns to spare, so they often or always run out."""
    with pytest.MonkeyPatch.context() as patch:
        if request.param is not None:
            patch.setattr(solver, "SPARE_MARGIN", request.param)
        yield


@pytest.mark.usefixtures("spare_margin")
@settings(max_examples=300, deadline=None)
@given(small_instances())
def test_it_finds_the_brute_force_optimum_within_capacity_and_minimum(instance: Instance) -> None:
    solution = _solve(instance)
    _assert_feasible(instance, solution)
    assert solution.objective == pytest.approx(_brute_force(instance), abs=1e-9)
    assert solution.greedy_objective <= solution.objective + 1e-9


def _reference_greedy(instance: Instance) -> list[int]:
    """Return the greedy assignment as the brief words it: best score first, then need, then supplier."""
    n, capacity, *_ = instance
    left = list(capacity)
    supplier_of = [UNMATCHED] * n
    for (i, j), s in sorted(_best_scores(instance).items(), key=lambda item: (-item[1], item[0])):
        if s > 0 and supplier_of[i] == UNMATCHED and left[j] > 0:
            supplier_of[i] = j
            left[j] -= 1
    return supplier_of


@settings(max_examples=200, deadline=None)
@given(small_instances())
def test_it_takes_the_best_pair_first_for_the_greedy_baseline(instance: Instance) -> None:
    n, capacity, needs, suppliers, scores, minimum = instance
    supplier_of, total = greedy(n, capacity, needs, suppliers, scores, minimum)
    assert supplier_of.tolist() == _reference_greedy(instance)
    _assert_feasible(instance, Solution(supplier_of, total, total, "greedy"))
    assert _solve(instance).greedy_objective == total


def _medium_instance(seed: int, most: int) -> Instance:
    rng = np.random.default_rng(seed)
    n, m = 200, 100
    capacity = rng.integers(0, most + 1, size=m).tolist()
    per_need = rng.integers(10, 31, size=n)
    needs = np.repeat(np.arange(n), per_need)
    suppliers = rng.integers(0, m, size=needs.size)
    # Some scores on a coarse grid, so ties and repeated pairs happen as they do in real scoring.
    scores = np.where(rng.random(needs.size) < 0.3, np.round(rng.random(needs.size), 1), rng.random(needs.size))
    return n, capacity, needs, suppliers, scores, 0.2


@pytest.mark.usefixtures("spare_margin")
@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("most", [4, 1], ids=["about a slot per need", "half a slot per need"])
def test_it_reaches_the_integer_programmes_optimum_on_a_medium_instance(seed: int, most: int) -> None:
    instance = _medium_instance(seed, most)
    solution = _solve(instance)
    _assert_feasible(instance, solution)
    assert solution.objective == pytest.approx(_lp_optimum(instance), abs=1e-6)
    assert solution.greedy_objective <= solution.objective + 1e-9
    assert solution.method == "lapjvsp"


def test_it_beats_greedy_where_the_best_pair_first_blocks_a_better_pairing() -> None:
    needs, suppliers, scores = _arrays([(0, 0, 10.0), (0, 1, 9.0), (1, 0, 9.0)])
    solution = solve(2, [1, 1], needs, suppliers, scores)
    assert solution.supplier_of.tolist() == [1, 0]
    assert solution.objective == 18.0
    assert solution.greedy_objective == 10.0
    supplier_of, total = greedy(2, [1, 1], needs, suppliers, scores)
    assert supplier_of.tolist() == [0, UNMATCHED]
    assert total == 10.0


def test_it_leaves_a_need_unmatched_when_matching_it_would_cost_more() -> None:
    needs, suppliers, scores = _arrays([(0, 0, 10.0), (0, 1, 1.0), (1, 0, 1.0)])
    solution = solve(2, [1, 1], needs, suppliers, scores)
    assert solution.supplier_of.tolist() == [0, UNMATCHED]
    assert solution.objective == 10.0


def test_it_solves_again_with_private_columns_when_the_shared_ones_run_out(monkeypatch: pytest.MonkeyPatch) -> None:
    # Twenty pairs of needs that could all be matched, but each pair scores best with one of them left out,
    # beside sixty needs that fill sixty slots: the optimum leaves more needs out than the shared columns.
    # A weak pair from each first need to supplier 40 joins it all into one problem (the solver splits
    # problems that share no supplier), and is never worth taking.
    pairs = []
    for t in range(20):
        a, b, p, q = 2 * t, 2 * t + 1, 2 * t, 2 * t + 1
        pairs += [(a, p, 10.0), (a, q, 1.0), (b, p, 1.0), (a, 40, 0.1)]
    pairs += [(40 + i, 40 + j, 5.0) for i in range(60) for j in range(30)]
    capacity = [1] * 40 + [2] * 30
    shared: list[int | None] = []
    lapjvsp = solver._lapjvsp

    def recorded(
        rows: NDArray[np.intp],
        columns: NDArray[np.intp],
        costs: NDArray[np.float64],
        shape: tuple[int, int],
        spare: int | None,
    ) -> NDArray[np.intp]:
        shared.append(spare)
        return lapjvsp(rows, columns, costs, shape, spare)

    monkeypatch.setattr(solver, "_lapjvsp", recorded)

    solution = solve(100, capacity, *_arrays(pairs))

    assert shared == [solver.SPARE_MARGIN, None]
    assert solution.objective == 20 * 10.0 + 60 * 5.0
    assert solution.supplier_of[1:40:2].tolist() == [UNMATCHED] * 20


@pytest.mark.parametrize(
    ("n", "capacity", "pairs", "minimum"),
    [
        (0, [1, 2], [], 0.0),
        (3, [], [], 0.0),
        (2, [1, 1], [(0, 0, 1.0), (1, 1, 2.0)], 5.0),
        (2, [0, 0], [(0, 0, 1.0), (1, 1, 2.0)], 0.0),
        (1, [1], [(0, 0, 0.0)], 0.0),
    ],
    ids=["no needs", "no suppliers", "every pair below the minimum", "no capacity", "a zero score"],
)
def test_it_leaves_every_need_unmatched_when_no_pair_is_admissible(
    n: int, capacity: list[int], pairs: list[tuple[int, int, float]], minimum: float
) -> None:
    solution = solve(n, capacity, *_arrays(pairs), minimum)
    assert solution.supplier_of.tolist() == [UNMATCHED] * n
    assert solution.objective == 0.0
    assert solution.greedy_objective == 0.0
    assert solution.method == "empty"


def test_it_never_chooses_a_supplier_with_no_capacity_left() -> None:
    needs, suppliers, scores = _arrays([(0, 0, 9.0), (0, 1, 1.0)])
    assert solve(1, np.array([0, 1]), needs, suppliers, scores).supplier_of.tolist() == [1]


def test_it_counts_a_pair_listed_twice_at_its_highest_score() -> None:
    needs, suppliers, scores = _arrays([(0, 0, 1.0), (1, 0, 3.0), (0, 0, 5.0), (0, 0, 2.0)])
    solution = solve(2, [1], needs, suppliers, scores, minimum=4.0)
    assert solution.supplier_of.tolist() == [0, UNMATCHED]
    assert solution.objective == 5.0


@pytest.mark.parametrize(
    ("n", "capacity", "pairs", "minimum"),
    [
        (1, [1], [(0, 0, float("nan"))], 0.0),
        (1, [1], [(0, 0, -1.0)], 0.0),
        (1, [1], [(0, 0, float("inf"))], 0.0),
        (1, [-1], [(0, 0, 1.0)], 0.0),
        (1, [1], [(1, 0, 1.0)], 0.0),
        (1, [1], [(0, 1, 1.0)], 0.0),
        (1, [1], [(0, 0, 1.0)], float("nan")),
        (-1, [1], [], 0.0),
    ],
    ids=[
        "a NaN score",
        "a negative score",
        "an infinite score",
        "a negative capacity",
        "a need out of range",
        "a supplier out of range",
        "a NaN minimum",
        "a negative count of needs",
    ],
)
def test_it_refuses_input_it_cannot_match(
    n: int, capacity: list[int], pairs: list[tuple[int, int, float]], minimum: float
) -> None:
    with pytest.raises(ValueError):
        solve(n, capacity, *_arrays(pairs), minimum)
    with pytest.raises(ValueError):
        greedy(n, capacity, *_arrays(pairs), minimum)


def test_it_refuses_arrays_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        solve(2, [1], np.array([0, 1]), np.array([0, 0]), np.array([1.0]))


def test_it_gives_the_same_assignment_for_the_same_input() -> None:
    rng = np.random.default_rng(7)
    needs = np.repeat(np.arange(300), 12)
    suppliers = rng.integers(0, 120, size=needs.size)
    scores = rng.integers(1, 4, size=needs.size).astype(float)  # few distinct scores: ties everywhere
    capacity = rng.integers(0, 4, size=120)
    first = solve(300, capacity, needs, suppliers, scores)
    second = solve(300, capacity.copy(), needs.copy(), suppliers.copy(), scores.copy())
    assert np.array_equal(first.supplier_of, second.supplier_of)
    assert first.objective == second.objective
    assert np.array_equal(
        greedy(300, capacity, needs, suppliers, scores)[0], greedy(300, capacity, needs, suppliers, scores)[0]
    )


def test_it_solves_parts_that_share_no_supplier_apart_and_reaches_the_same_optimum() -> None:
    rng = np.random.default_rng(7)
    pairs = []
    for community in range(5):  # five communities: needs 20c…20c+19, suppliers 10c…10c+9
        for need in range(20 * community, 20 * community + 20):
            for supplier in rng.choice(10, size=4, replace=False):
                pairs.append((need, 10 * community + int(supplier), float(rng.integers(1, 100))))
    capacity = rng.integers(1, 3, size=50).tolist()
    instance: Instance = (100, capacity, *_arrays(pairs), 0.0)
    assert len(solver._parts(100, solver._admissible(*instance))) == 5
    solution = _solve(instance)
    _assert_feasible(instance, solution)
    assert abs(solution.objective - _lp_optimum(instance)) < 1e-6
