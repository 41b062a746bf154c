"""The employment unit of work: the event store and the seeker and opening indexes in one transaction."""

from __future__ import annotations

from services.employment.adapters.repository import SqlOpeningIndex, SqlSeekerIndex
from shared.storage.unit_of_work import SqlUnitOfWork


class EmploymentUnitOfWork(SqlUnitOfWork):
    seekers: SqlSeekerIndex
    openings: SqlOpeningIndex

    def _open(self) -> None:
        self.seekers = SqlSeekerIndex(self.connection, self._metadata)
        self.openings = SqlOpeningIndex(self.connection, self._metadata)
