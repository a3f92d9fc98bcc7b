"""The text Prometheus reads from /metrics: this process's values or, under `limen serve`, every
worker's (multiprocess files), plus what is read from the database at scrape time."""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from . import multiprocess
from .collectors import DatabaseCollector

CONTENT_TYPE = CONTENT_TYPE_LATEST


class _Forward:
    """Another registry's metrics, inside this scrape's registry."""

    def __init__(self, source: CollectorRegistry):
        self.source = source

    def collect(self):
        return self.source.collect()


def scrape() -> bytes:
    registry = CollectorRegistry()
    if multiprocess.enabled():
        from prometheus_client import multiprocess as client_multiprocess

        client_multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Forward(REGISTRY))
    registry.register(DatabaseCollector())
    return generate_latest(registry)
