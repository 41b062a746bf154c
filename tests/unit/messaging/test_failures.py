import sqlite3

from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError

from shared.messaging.failures import failure_reason, is_transient
from shared.storage.eventstore import ConcurrencyError


def test_infrastructure_failures_and_concurrent_writers_are_transient():
    assert is_transient(OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked")))
    assert is_transient(InterfaceError("SELECT 1", {}, Exception("connection is closed")))
    assert is_transient(ConnectionResetError())
    assert is_transient(TimeoutError())
    assert is_transient(ConcurrencyError("turn moved since version 3"))


def test_failures_redelivery_cannot_cure_are_not_transient():
    assert not is_transient(OverflowError("date value out of range"))
    assert not is_transient(IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")))
    assert not is_transient(DataError("INSERT", {}, Exception("numeric field overflow")))
    assert not is_transient(KeyError("commune"))


def test_the_reason_of_an_sql_error_leaves_the_statement_and_its_values_out():
    error = IntegrityError("INSERT INTO residents VALUES (?)", ("Jeanne Martin",), sqlite3.IntegrityError("NOT NULL"))
    assert failure_reason(error) == "IntegrityError: NOT NULL"
    assert failure_reason(OverflowError("date value out of range")) == "OverflowError: date value out of range"
    assert failure_reason(KeyError()) == "KeyError"
