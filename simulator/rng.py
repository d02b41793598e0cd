"""Deterministic randomness: seeded generators per (seed, stream, key) and counter-based hashes.

Nothing here touches the global RNG or the wall clock. Two tools:

* ``generator(seed, stream, *keys)`` - a ``numpy.random.Generator`` for one block of work
  (e.g. one simulated hour of tickets), seeded from ``SeedSequence([seed, stream_id, *keys])``.
* ``uniform(seed, stream, *keys)`` - vectorised splitmix64 hash to [0, 1), for random access
  (the attribute of enterprise ``i``, the noise value at knot ``k``) without creating generators.
"""

from __future__ import annotations

import zlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_MASK64 = (1 << 64) - 1


def stream_id(name: str) -> int:
    """Stable 32-bit id of a stream name."""
    return zlib.crc32(name.encode("utf-8"))


def generator(seed: int, stream: str, *keys: int) -> np.random.Generator:
    """Independent generator for (seed, stream, keys); keys may be negative."""
    entropy = [int(seed) & _MASK64, stream_id(stream), *(int(k) & _MASK64 for k in keys)]
    return np.random.default_rng(np.random.SeedSequence(entropy))


def _mix(z: np.ndarray) -> np.ndarray:
    z = z + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def _as_u64(key) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(key))
    if arr.dtype.kind == "f":
        arr = np.floor(arr)
    return arr.astype(np.int64).astype(np.uint64)


def hash64(seed: int, stream: str, *keys) -> np.ndarray:
    """uint64 hash of (seed, stream, *keys); keys broadcast as integer arrays."""
    z = _mix(np.array([int(seed) & _MASK64], dtype=np.uint64) ^ np.uint64(stream_id(stream)))
    for key in keys:
        z = _mix(z ^ _as_u64(key))
    return z


def uniform(seed: int, stream: str, *keys) -> np.ndarray:
    """Uniform floats in [0, 1), one per broadcast key combination."""
    return (hash64(seed, stream, *keys) >> _S11).astype(np.float64) * (1.0 / (1 << 53))


def normal(seed: int, stream: str, *keys) -> np.ndarray:
    """Standard normal floats by Box-Muller over two hashed uniforms."""
    u1 = uniform(seed, stream + "#1", *keys)
    u2 = uniform(seed, stream + "#2", *keys)
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


def smooth_noise(seed: int, stream: str, key, t, period: float) -> np.ndarray:
    """Value noise in [-1, 1]: hashed knots every ``period`` seconds, smoothstep in between.

    A pure function of (seed, stream, key, t): continuous in ``t`` without any state.
    """
    x = np.asarray(t, dtype=np.float64) / period
    i = np.floor(x)
    f = x - i
    s = f * f * (3.0 - 2.0 * f)
    u0 = uniform(seed, stream, key, i)
    u1 = uniform(seed, stream, key, i + 1)
    return 2.0 * (u0 + (u1 - u0) * s) - 1.0


def fractal_noise(seed: int, stream: str, key, t, periods, weights) -> np.ndarray:
    """Weighted sum of smooth noises with several periods (normalised to about [-1, 1])."""
    total = 0.0
    for n, (period, weight) in enumerate(zip(periods, weights, strict=True)):
        total = total + weight * smooth_noise(seed, f"{stream}/{n}", key, t, period)
    return total / float(sum(weights))


def pick(u: np.ndarray, weights) -> np.ndarray:
    """Map uniforms to indices with the given (unnormalised) weights."""
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    return np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(cum) - 1)
