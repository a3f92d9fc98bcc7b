"""Reading this process's metric values in tests (the in-process default registry)."""

from __future__ import annotations

from prometheus_client import REGISTRY


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Delta:
    """``with Delta("limen_signins_total", method="password", outcome="failed") as d: ...; d.value``"""

    def __init__(self, name: str, **labels):
        self.name, self.labels = name, labels

    def __enter__(self) -> "Delta":
        self.before = value(self.name, **self.labels)
        return self

    def __exit__(self, *exc) -> None:
        self.after = value(self.name, **self.labels)

    @property
    def value(self) -> float:
        return self.after - self.before
