"""The feedback use cases, bound to their dependencies by ``bootstrap``."""

from __future__ import annotations

from services.feedback.service_layer.answering import SurveyAnswering
from services.feedback.service_layer.sending import SurveySending, SweepResult
from services.feedback.service_layer.visit_answers import VisitAnswering


class FeedbackHandlers(SurveySending, SurveyAnswering, VisitAnswering):
    """Sending, reminding and expiring surveys; taking answers online and by phone; desks' visitors' answers."""


__all__ = ["FeedbackHandlers", "SweepResult"]
