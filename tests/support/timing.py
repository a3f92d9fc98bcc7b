"""Is one kind of request measurably slower than another? A paired, distribution-free answer.

Requests of the two kinds are sent in pairs, in random order within each
pair, so that a slow patch of a shared machine slows both members of a pair.
The difference within each pair is kept, and the sign test gives a
confidence interval for the median difference: the order statistics
``d[k]`` and ``d[n-1-k]`` of the sorted differences, with ``k`` the largest
count for which a fair coin gives ``k`` or fewer heads with probability at
most ``(1 - confidence) / 2``. It assumes nothing about the shape of the
noise (timing noise is skewed, with long tails).

A leak is reported when the whole interval lies beyond ``tolerance``: the
difference is then both real (not chance, at the chosen confidence) and
larger than the tolerance.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


def _sign_test_rank(n: int, confidence: float) -> int:
    """Largest k such that P(Binomial(n, 1/2) <= k) <= (1 - confidence) / 2; -1 if none."""
    tail = (1 - confidence) / 2
    cumulative, k = 0.0, -1
    for i in range(n + 1):
        cumulative += math.comb(n, i) / 2 ** n
        if cumulative > tail:
            break
        k = i
    return k


@dataclass
class Comparison:
    name: str
    a: list[float]          # milliseconds, kind A (e.g. an address with an account)
    b: list[float]          # kind B, paired with A
    confidence: float = 0.999

    @property
    def differences(self) -> list[float]:
        return sorted(x - y for x, y in zip(self.a, self.b))

    @property
    def interval(self) -> tuple[float, float]:
        d = self.differences
        k = _sign_test_rank(len(d), self.confidence)
        if k < 0:
            return float("-inf"), float("inf")
        return d[k], d[len(d) - 1 - k]

    @property
    def median_difference(self) -> float:
        return statistics.median(self.differences)

    def tolerance(self, floor_ms: float, share: float) -> float:
        """``floor_ms``, or ``share`` of the typical request time if that is larger."""
        return max(floor_ms, share * statistics.median(self.a + self.b))

    def leaks(self, tolerance: float) -> bool:
        low, high = self.interval
        return low > tolerance or high < -tolerance

    def summary(self, tolerance: float) -> str:
        low, high = self.interval
        return (f"{self.name}: median A {statistics.median(self.a):.2f} ms, B {statistics.median(self.b):.2f} ms; "
                f"A - B median {self.median_difference:+.2f} ms, {self.confidence:.1%} interval "
                f"[{low:+.2f}, {high:+.2f}] ms; tolerance ±{tolerance:.2f} ms; n={len(self.a)} pairs")
