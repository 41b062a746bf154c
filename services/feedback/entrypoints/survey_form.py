"""The survey page's form: field names, French error messages, and parsing into :class:`Answers`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.feedback.domain.commands import COMMENT_MAX, Answers
from shared.contracts.events.feedback import PlatformAssessment, ProviderAssessment

SCORES = {"punctuality": "Indiquez une note de ponctualité, de 1 à 5.",
          "quality": "Indiquez une note pour la qualité du travail, de 1 à 5."}
YES_NO = {"would_recommend": "Dites si vous recommanderiez cet intervenant.",
          "would_call_platform_again": "Dites si vous feriez de nouveau appel à la plateforme.",
          "platform_made_it_easier": "Dites si la plateforme vous a facilité les choses."}
COMMENT_TOO_LONG = "Votre commentaire dépasse 2 000 caractères : raccourcissez-le."


@dataclass
class ParsedForm:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    answers: Answers | None = None


def parse_form(form: Mapping[str, object]) -> ParsedForm:
    """The answers in ``form``, or the errors to show next to each field (in page order)."""
    values = {name: value for name, value in form.items() if isinstance(value, str)}
    parsed = ParsedForm(values)
    scores = {name: _score(values.get(name)) for name in SCORES}
    choices = {name: _yes_no(values.get(name)) for name in YES_NO}
    for name, message in {**SCORES, **YES_NO}.items():
        if {**scores, **choices}[name] is None:
            parsed.errors[name] = message
    comment = values.get("comment", "")
    if len(comment) > COMMENT_MAX:
        parsed.errors["comment"] = COMMENT_TOO_LONG
    if parsed.errors:
        return parsed
    parsed.answers = Answers(
        provider=ProviderAssessment(punctuality=scores["punctuality"], quality=scores["quality"],
                                    would_recommend=choices["would_recommend"]),
        platform=PlatformAssessment(would_call_platform_again=choices["would_call_platform_again"],
                                    platform_made_it_easier=choices["platform_made_it_easier"]),
        comment=comment or None,
    )
    return parsed


def _score(value: str | None) -> int | None:
    return int(value) if value in ("1", "2", "3", "4", "5") else None


def _yes_no(value: str | None) -> bool | None:
    return {"oui": True, "non": False}.get(value or "")
