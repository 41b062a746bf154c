"""The event catalogue: importing this package registers every event type."""

from shared.contracts.events import billing, employment, feedback, intake, matching, privacy, providers  # noqa: F401
