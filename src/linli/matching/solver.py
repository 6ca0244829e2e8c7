"""The exact batch matching of needs to suppliers: the assignment with the highest total score.

Pure: numpy and scipy only. There are n needs and m suppliers (volunteers, teams, resources); supplier j
takes at most ``capacity[j]`` more needs, each need takes at most one supplier, only the listed candidate
pairs are possible, and a pair scoring below ``minimum`` is never chosen. A need may stay unmatched.

The method is LAPJVsp (scipy's ``min_weight_full_bipartite_matching``, the sparse Jonker–Volgenant
shortest augmenting path algorithm) on an expanded graph:

* each supplier becomes ``min(capacity, admissible needs)`` identical slot columns, the most it can use;
* each need gets a private "stay unmatched" column, so a full matching of the needs always exists;
* scores become positive costs, ``2 − score / best`` on a real pair and ``2`` on the private column, so
  the cheapest full matching is exactly the assignment with the highest total score. The costs are never
  zero, which LAPJVsp requires (an explicit zero would be lost as a missing edge).

Why this and not the alternatives, measured on the product's scale (10,000 needs, 5,000 suppliers with
capacities 1–3, 30–60 candidates per need) on a 2-core machine: LAPJVsp solves it in about 0.5 s;
``scipy.optimize.milp`` on the LP (exact because the constraint matrix is totally unimodular) took about
20 s; scipy has no min-cost flow. Greedy (best pair first) is computed alongside as a baseline only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

UNMATCHED = -1

IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Solution:
    """An assignment of needs to suppliers, with the greedy baseline's total for comparison."""

    supplier_of: IntArray  # chosen supplier of each need, or UNMATCHED (-1)
    objective: float  # total score of the chosen pairs
    greedy_objective: float  # total of the greedy baseline on the same input
    method: str  # "lapjvsp", or "empty" when no pair was admissible and nothing ran


@dataclass(frozen=True)
class _Pairs:
    """The admissible candidate pairs, one per (need, supplier), sorted by need then supplier."""

    needs: IntArray
    suppliers: IntArray
    scores: FloatArray
    capacity: IntArray


def solve(
    n_needs: int,
    capacity: Sequence[int] | np.ndarray,
    needs: np.ndarray,
    suppliers: np.ndarray,
    scores: np.ndarray,
    minimum: float = 0.0,
) -> Solution:
    """Return the assignment of needs to suppliers with the highest total score.

    Pair ``k`` is need ``needs[k]`` with supplier ``suppliers[k]`` at ``scores[k]``. A pair listed twice
    counts at its highest score; a pair below ``minimum``, scoring 0 (it adds nothing, so it is not worth
    a supplier's capacity) or with a supplier of capacity 0 is never chosen. With no admissible pair every
    need is unmatched and the method is "empty". The same input always gives the same assignment.
    Raises ValueError on NaN, infinite or negative scores, negative capacities, indices out of range,
    arrays of different lengths, or a NaN ``minimum``.
    """
    pairs = _admissible(n_needs, capacity, needs, suppliers, scores, minimum)
    _, greedy_total = _greedy(n_needs, pairs)
    if pairs.needs.size == 0:
        return Solution(np.full(n_needs, UNMATCHED, dtype=np.intp), 0.0, greedy_total, "empty")
    supplier_of = _lapjvsp(n_needs, pairs)
    return Solution(supplier_of, _total(supplier_of, pairs), greedy_total, "lapjvsp")


def greedy(
    n_needs: int,
    capacity: Sequence[int] | np.ndarray,
    needs: np.ndarray,
    suppliers: np.ndarray,
    scores: np.ndarray,
    minimum: float = 0.0,
) -> tuple[IntArray, float]:
    """Return the greedy assignment and its total: the best remaining pair first, while it still fits.

    Admissible pairs are taken by score descending, ties broken by need index then supplier index, when
    the need is still free and the supplier has capacity left. It is the baseline the exact solver is
    measured against, never the answer. Inputs and refusals are those of ``solve``.
    """
    return _greedy(n_needs, _admissible(n_needs, capacity, needs, suppliers, scores, minimum))


def _admissible(
    n_needs: int,
    capacity: Sequence[int] | np.ndarray,
    needs: np.ndarray,
    suppliers: np.ndarray,
    scores: np.ndarray,
    minimum: float,
) -> _Pairs:
    """Return the checked pairs that may be chosen, one per (need, supplier) at its highest score."""
    if n_needs < 0:
        raise ValueError("n_needs must not be negative")
    if np.isnan(minimum):
        raise ValueError("minimum must not be NaN")
    cap = _integers(capacity, "capacity")
    need = _integers(needs, "needs")
    supplier = _integers(suppliers, "suppliers")
    score = np.asarray(scores, dtype=np.float64)
    if score.ndim != 1 or not need.size == supplier.size == score.size:
        raise ValueError("needs, suppliers and scores must be 1-D arrays of the same length")
    if (cap < 0).any():
        raise ValueError("capacity must not be negative")
    if need.size and (need.min() < 0 or need.max() >= n_needs):
        raise ValueError("a need index is out of range")
    if supplier.size and (supplier.min() < 0 or supplier.max() >= cap.size):
        raise ValueError("a supplier index is out of range")
    if not np.isfinite(score).all() or (score < 0).any():
        raise ValueError("scores must be finite and not negative")

    keep = (score >= minimum) & (score > 0) & (cap[supplier] > 0)
    need, supplier, score = need[keep], supplier[keep], score[keep]
    # Sorted by (need, supplier) with the highest score first, the first of each run is the pair to keep.
    key = need.astype(np.int64) * max(cap.size, 1) + supplier
    order = np.lexsort((-score, key))
    key = key[order]
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    order = order[first]
    return _Pairs(need[order], supplier[order], score[order], cap)


def _integers(values: Sequence[int] | np.ndarray, name: str) -> IntArray:
    """Return ``values`` as a 1-D index array; an empty list (which numpy reads as floats) is fine."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integers")
    return array.astype(np.intp, copy=False)


def _lapjvsp(n_needs: int, pairs: _Pairs) -> IntArray:
    """Return each need's supplier in the cheapest full matching of needs to slots or their own column."""
    capacity = pairs.capacity
    # Only needs with a candidate become rows; the rest are unmatched without asking the solver.
    active, row = np.unique(pairs.needs, return_inverse=True)
    slots = np.minimum(capacity, np.bincount(pairs.suppliers, minlength=capacity.size))
    slot_start = np.cumsum(slots) - slots
    n_slots = int(slots.sum())

    # A pair becomes one edge to each slot of its supplier: edge e is pair edge_pair[e], slot offset[e].
    per_pair = slots[pairs.suppliers]
    edge_pair = np.repeat(np.arange(per_pair.size), per_pair)
    offset = np.arange(edge_pair.size) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    columns = slot_start[pairs.suppliers][edge_pair] + offset

    # Costs in [1, 2) for real pairs and 2 for staying unmatched: positive (LAPJVsp drops zeros), and
    # scaled by the best score so a huge score cannot swallow the constant in rounding.
    best = float(pairs.scores.max())
    cost = 2.0 - pairs.scores[edge_pair] / best
    n_rows = active.size
    own = np.arange(n_rows)
    biadjacency = csr_array(
        (
            np.concatenate([cost, np.full(n_rows, 2.0)]),
            (np.concatenate([row[edge_pair], own]), np.concatenate([columns, n_slots + own])),
        ),
        shape=(n_rows, n_slots + n_rows),
    )
    rows, chosen = min_weight_full_bipartite_matching(biadjacency)

    slot_supplier = np.repeat(np.arange(capacity.size), slots)
    matched = chosen < n_slots
    supplier_of = np.full(n_needs, UNMATCHED, dtype=np.intp)
    supplier_of[active[rows[matched]]] = slot_supplier[chosen[matched]]
    return supplier_of


def _total(supplier_of: IntArray, pairs: _Pairs) -> float:
    """Return the total score of the chosen pairs, summed in need order."""
    chosen = np.flatnonzero(supplier_of != UNMATCHED)
    width = max(pairs.capacity.size, 1)
    keys = pairs.needs.astype(np.int64) * width + pairs.suppliers
    at = np.searchsorted(keys, chosen.astype(np.int64) * width + supplier_of[chosen])
    return float(pairs.scores[at].sum())


def _greedy(n_needs: int, pairs: _Pairs) -> tuple[IntArray, float]:
    """Return the greedy assignment of admissible ``pairs`` and its total."""
    # Pairs are sorted by (need, supplier), so a stable sort on score keeps that as the tie-break.
    order = np.argsort(-pairs.scores, kind="stable")
    supplier_of = [UNMATCHED] * n_needs
    left = pairs.capacity.tolist()
    need, supplier = pairs.needs.tolist(), pairs.suppliers.tolist()
    for k in order.tolist():
        i, j = need[k], supplier[k]
        if supplier_of[i] == UNMATCHED and left[j]:
            supplier_of[i] = j
            left[j] -= 1
    result = np.array(supplier_of, dtype=np.intp)
    return result, _total(result, pairs)
