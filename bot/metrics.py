"""Prometheus metrics: what an operator watches on a busy day. Labels never hold personal data.

With several loket processes (`loket run --workers N`) each process writes its values to files in
`PROMETHEUS_MULTIPROC_DIR`, which the parent sets, and whichever process answers a scrape adds
them all up: otherwise each scrape would see one worker's counts.
"""

from __future__ import annotations

import os
from typing import Final

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS_DIR: Final = "PROMETHEUS_MULTIPROC_DIR"

MESSAGES: Final = Counter(
    "loket_messages_total", "Messages archived, by channel and direction", ["channel", "direction"]
)
TURN_SECONDS: Final = Histogram(
    "loket_turn_seconds",
    "From a resident's message to its replies being sent, by channel",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
HANDOFFS: Final = Counter("loket_handoffs_total", "Conversations handed to a person", ["reason"])
QUEUE_LENGTH: Final = Gauge(
    "loket_queue_length",
    "Conversations waiting for an agent",
    multiprocess_mode="mostrecent",  # every process reads the same queue
)
RETRIEVAL_SCORE: Final = Histogram(
    "loket_retrieval_score",
    "The best knowledge-base candidate's score per question, by outcome",
    ["outcome"],
    buckets=(0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
)
ERRORS: Final = Counter("loket_errors_total", "Requests answered with an error, by code", ["code"])


def exposition() -> bytes:
    """The metrics in Prometheus's text format: this process's, or all processes' together."""
    if not os.environ.get(MULTIPROCESS_DIR):
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry)
