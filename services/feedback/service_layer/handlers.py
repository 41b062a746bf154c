"""The feedback use cases, bound to their dependencies by ``bootstrap``."""

from __future__ import annotations

from services.feedback.service_layer.answering import SurveyAnswering
from services.feedback.service_layer.sending import SurveySending, SweepResult


class FeedbackHandlers(SurveySending, SurveyAnswering):
    """Sending, reminding and expiring surveys; taking answers online and by phone."""


__all__ = ["FeedbackHandlers", "SweepResult"]
