"""The Kafka producer settings every Relais publisher uses."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaClient, AIOKafkaProducer
from aiokafka.errors import KafkaError, for_code
from aiokafka.protocol.transaction import InitProducerIdRequest

REQUEST_TIMEOUT_MS = 5_000
MAX_BATCH_BYTES = 512 * 1024


def create_producer(
    bootstrap: str,
    *,
    client_id: str = "relais",
    request_timeout_ms: int = REQUEST_TIMEOUT_MS,
    idempotent: bool = False,
) -> AIOKafkaProducer:
    """A producer (not started) waiting for every in-sync replica (``acks="all"``).

    ``idempotent`` where the broker grants producer ids (:func:`grants_producer_ids`: Apache Kafka
    does, the embedded Tansu does not): the broker then drops the duplicates a retried send would
    write. Consumers deduplicate on the event id either way (a relay restarted mid-round publishes
    again). A lost broker is noticed within ``request_timeout_ms``: pending sends then fail instead
    of hanging.
    """
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=idempotent,
        linger_ms=5,
        max_batch_size=MAX_BATCH_BYTES,
        request_timeout_ms=request_timeout_ms,
        retry_backoff_ms=100,
        metadata_max_age_ms=30_000,
    )


async def grants_producer_ids(bootstrap: str, timeout: float = 15.0) -> bool:
    """Whether the broker at ``bootstrap`` gives idempotent producers their id.

    Asks once with aiokafka's own InitProducerId request: Apache Kafka grants one (after its
    transaction coordinator has loaded: retriable answers are asked again within ``timeout``);
    Tansu answers an unknown error. An unreachable broker raises the client's error.
    """
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=REQUEST_TIMEOUT_MS)
    deadline = time.monotonic() + timeout
    try:
        await client.bootstrap()
        while True:
            request = InitProducerIdRequest(transactional_id=None, transaction_timeout_ms=60_000)
            try:
                response = await client.send(client.get_random_node(), request)
            except KafkaError as error:
                if not error.retriable or time.monotonic() > deadline:
                    raise
            else:
                error_type = for_code(response.error_code)
                if response.error_code == 0:
                    return True
                if not error_type.retriable or time.monotonic() > deadline:
                    return False
            await asyncio.sleep(0.2)
    finally:
        await client.close()
