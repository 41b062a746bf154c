import logging

from relais.cli.main import _not_supervisor_chatter


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("faststream.access.kafka", logging.INFO, __file__, 1, message, None, None)


def test_the_supervisor_callback_chatter_is_dropped_and_the_rest_kept():
    assert not _not_supervisor_chatter(record("callback for Task-12 is being executed..."))
    assert _not_supervisor_chatter(record("Task-12 raised an exception, retrying..."))
