"""The feedback unit of work: the event store and the survey index in one transaction."""

from __future__ import annotations

from services.feedback.adapters.repository import SqlSurveyIndex
from shared.storage.unit_of_work import SqlUnitOfWork


class FeedbackUnitOfWork(SqlUnitOfWork):
    surveys: SqlSurveyIndex

    def _open(self) -> None:
        self.surveys = SqlSurveyIndex(self.connection, self._metadata)
