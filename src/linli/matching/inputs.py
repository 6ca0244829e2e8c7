"""A proposal's pairs stored compactly: three numpy arrays in one compressed archive."""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray


def pack(needs: NDArray[np.intp], suppliers: NDArray[np.intp], scores: NDArray[np.float64]) -> bytes:
    """Return the pairs as the bytes of a compressed ``.npz`` (indices as 32-bit integers)."""
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, needs=needs.astype(np.int32), suppliers=suppliers.astype(np.int32), scores=scores.astype(np.float64)
    )
    return buffer.getvalue()


def unpack(data: bytes) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Return the pairs ``pack`` stored: need indices, supplier indices, scores."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        return (
            archive["needs"].astype(np.intp),
            archive["suppliers"].astype(np.intp),
            archive["scores"].astype(np.float64),
        )
