"""The public request form's fields and its French messages: what the resident sees when a submission is refused.

The JSON API keeps its English messages; only this page speaks French. Nothing here logs or echoes personal
data except back into the resident's own form.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from services.intake.domain.spam import SpamSuspected
from shared.errors import DomainError

LABELS = {"activity": "Activité", "commune": "Commune", "name": "Votre nom", "phone": "Téléphone",
          "email": "Courriel (facultatif)", "address": "Adresse de l'intervention"}
"""Each field of the form (in page order) and its label on the page."""
REQUIRED = ("activity", "commune", "name", "phone")
INVALID = {
    "activity": "Choisissez une activité dans la liste.",
    "commune": "Choisissez votre commune dans la liste.",
    "name": "Indiquez votre nom (200 caractères au plus).",
    "phone": "Indiquez un numéro de téléphone français ou belge, par exemple 05 55 12 34 56.",
    "email": "Indiquez une adresse de courriel valide (par exemple prenom.nom@exemple.be), ou laissez ce champ vide.",
    "address": "L'adresse ne peut pas dépasser 400 caractères.",
}
REFUSED_BY_POLICY = {
    "unknown_activity": ("activity", "Cette activité n'est pas proposée par la plateforme : choisissez-en une dans la liste."),
    "unknown_commune": ("commune", "Cette commune n'est pas desservie par la plateforme : choisissez-la dans la liste."),
}
SPAM = {
    "honeypot": "Votre demande n'a pas pu être enregistrée : le formulaire semble avoir été rempli automatiquement.",
    "altered": "Le formulaire a expiré ou a été modifié : vérifiez vos informations et envoyez-le de nouveau.",
    "too_fast": "Le formulaire a été envoyé trop vite : attendez quelques secondes et envoyez-le de nouveau.",
    "expired": "Le formulaire a expiré : vérifiez vos informations et envoyez-le de nouveau.",
}
NOT_RECORDED = "Votre demande n'a pas pu être enregistrée : vérifiez le formulaire, ou appelez la plateforme."
TOO_MANY = "Trop de demandes envoyées d'ici : réessayez plus tard."
NO_FORM = "Cette plateforme ne propose pas de formulaire en ligne : appelez-la pour faire votre demande."
# Where the command's validation errors point (``loc``), as form fields; ``contact`` alone is "no way to call back".
_FIELD_OF = {("activity",): "activity", ("commune",): "commune", ("contact", "name"): "name",
             ("contact", "phone"): "phone", ("contact", "email"): "email", ("contact", "address"): "address",
             ("contact",): "phone"}


def missing_fields(values: Mapping[str, str]) -> dict[str, str]:
    """A French message for each required field left empty."""
    return {name: f"Le champ « {LABELS[name]} » est obligatoire." for name in REQUIRED if not values.get(name, "").strip()}


def invalid_fields(error: ValidationError) -> dict[str, str]:
    """A French message for each form field the command refused; ``""`` for what no field explains."""
    fields = {_FIELD_OF.get(tuple(str(part) for part in e["loc"]), "") for e in error.errors()}
    errors = {name: INVALID[name] for name in LABELS if name in fields}
    if "" in fields:
        errors[""] = NOT_RECORDED
    return errors


def refused_by_policy(error: DomainError) -> dict[str, str]:
    """The field to correct and its French message when the platform refuses the request."""
    field, message = REFUSED_BY_POLICY.get(error.code, ("", NOT_RECORDED))
    return {field: message}


def spam_message(error: SpamSuspected) -> str:
    return SPAM.get(error.reason, NOT_RECORDED)


def summary(errors: Mapping[str, str]) -> str:
    """The line above the form: the fields to check, by their French labels, or the error no field explains."""
    fields = [LABELS[name].removesuffix(" (facultatif)") for name in LABELS if name in errors]
    if not fields:
        return errors.get("", NOT_RECORDED)
    return "Merci de vérifier : " + ", ".join(fields) + "."
