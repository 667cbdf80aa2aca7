"""Prometheus metrics: what an operator watches on a busy day. Labels never hold personal data."""

from __future__ import annotations

from typing import Final

from prometheus_client import Counter, Gauge, Histogram

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
QUEUE_LENGTH: Final = Gauge("loket_queue_length", "Conversations waiting for an agent")
RETRIEVAL_SCORE: Final = Histogram(
    "loket_retrieval_score",
    "The best knowledge-base candidate's score per question, by outcome",
    ["outcome"],
    buckets=(0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
)
ERRORS: Final = Counter("loket_errors_total", "Requests answered with an error, by code", ["code"])
