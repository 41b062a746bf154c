"""The Kafka producer settings every Relais publisher uses."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

REQUEST_TIMEOUT_MS = 5_000
MAX_BATCH_BYTES = 512 * 1024


def create_producer(bootstrap: str, *, client_id: str = "relais", request_timeout_ms: int = REQUEST_TIMEOUT_MS) -> AIOKafkaProducer:
    """A producer (not started) waiting for every in-sync replica (``acks="all"``).

    Not idempotent: the local broker (Tansu) rejects idempotent producers, so duplicates
    are possible on retries and consumers deduplicate on the event id. A lost broker is
    noticed within ``request_timeout_ms``: pending sends then fail instead of hanging.
    """
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=False,
        linger_ms=5,
        max_batch_size=MAX_BATCH_BYTES,
        request_timeout_ms=request_timeout_ms,
        retry_backoff_ms=100,
        metadata_max_age_ms=30_000,
    )
