"""One line per event for the console's timeline (in French, no personal data)."""

from __future__ import annotations

from datetime import tzinfo

from shared.contracts.base import Event
from shared.contracts.events import billing as be
from shared.contracts.events import feedback as fe
from shared.contracts.events import intake as ie
from shared.contracts.events import matching as me
from shared.contracts.labels import (
    CALLBACK_OUTCOMES,
    CHANNELS,
    DECLINE_REASONS,
    FOLLOW_UP_OUTCOMES,
    FRAGILE_PUBLICS,
    SEND_CHANNELS,
    TOPICS,
    UNMET_REASONS,
    label,
)
from shared.inputs import local_moment
from shared.platforms.local_time import french_moment
from shared.platforms.model import PlatformPolicy


def summary_of(event: Event, zone: tzinfo, policy: PlatformPolicy | None = None) -> str:
    """A short French sentence describing ``event`` for operators; times in ``zone`` (the platform's), activity
    and commune by their names in ``policy``. Providers stay named by id: the console shows their names."""
    match event:
        case ie.RequestLogged():
            fragile = ", ".join(FRAGILE_PUBLICS[p] for p in event.fragile_publics)
            what = f" : {_activity(policy, event.activity)} à {_commune(policy, event.commune)}" if policy else ""
            return f"Demande enregistrée ({CHANNELS[event.channel]}){what}" + (f", public fragile : {fragile}" if fragile else "")
        case ie.InformationCallLogged():
            return f"Appel d'information : {_topic(policy, event.topic_asked)}"
        case ie.VoicemailLogged():
            return f"Message sur le répondeur laissé {_left_at(event.left_at_local, zone)}"
        case ie.VoicemailUnanswered():
            return f"Message non rappelé avant l'échéance, {french_moment(event.deadline_at, zone)}"
        case ie.VoicemailCalledBack():
            return f"Rappel de l'usager : {CALLBACK_OUTCOMES[event.outcome]}"
        case ie.RequestCancelled():
            return "Demande annulée par l'usager" + (f" : {event.reason}" if event.reason else "")
        case me.ProviderAssigned():
            skipped = f", {len(event.skipped)} passé(s) avant" if event.skipped else ""
            return (f"Confiée à {event.provider_id} (tour {event.rotation_position + 1}/{len(event.candidates)}"
                    f"{skipped}), rappel attendu au plus tard {french_moment(event.deadline_at, zone)}")
        case me.ProvidersOriented():
            listed = ", ".join(f"{p.provider_id} ({str(p.distance_km).replace('.', ',')} km)" for p in event.providers)
            return f"Orientée vers : {listed}"
        case me.OfferAccepted():
            return f"{event.provider_id} a accepté la demande"
        case me.OfferDeclined():
            return f"Refusée par {event.provider_id} ({DECLINE_REASONS[event.reason]})"
        case me.ContactConfirmed():
            return f"{event.provider_id} a contacté l'usager"
        case me.ContactDeadlineMissed():
            return f"{event.provider_id} n'a pas rappelé dans le délai"
        case me.RequestUnmet():
            return f"Demande non satisfaite : {UNMET_REASONS[event.reason]}"
        case me.QuoteSent():
            return f"Devis envoyé par {event.provider_id}"
        case me.QuoteAnswered():
            return "Devis accepté" if event.accepted else "Devis refusé"
        case me.InterventionDone():
            return f"Intervention réalisée le {event.done_on:%d/%m/%Y}"
        case me.InterventionCorrected():
            return "Intervention corrigée"
        case fe.SurveySent():
            return f"Questionnaire de satisfaction envoyé {SEND_CHANNELS[event.channel]}"
        case fe.SurveyReminderSent():
            return f"Relance n° {event.reminder_number} du questionnaire, {SEND_CHANNELS[event.channel]}"
        case fe.SurveyExpired():
            return "Questionnaire resté sans réponse"
        case fe.SurveyAnswered():
            assessed = event.provider
            recommends = "recommande" if assessed.would_recommend else "ne recommande pas"
            return (f"Questionnaire rempli : ponctualité {assessed.punctuality}/5, qualité {assessed.quality}/5, "
                    f"{recommends} le prestataire")
        case fe.FollowUpCallLogged():
            return f"Appel de suivi : {FOLLOW_UP_OUTCOMES[event.outcome]}"
        case be.FeeCharged():
            return f"Contribution facturée au prestataire : {_euros(event.amount)}"
        case be.FeeAdjusted():
            return f"Contribution ajustée : {_euros(event.amount)}"
    return "Événement enregistré"


def _euros(amount: object) -> str:
    return f"{amount} €".replace(".", ",")


def _activity(policy: PlatformPolicy, code: str) -> str:
    return next((a.label for a in policy.activities if a.code == code), "activité retirée du catalogue")


def _topic(policy: PlatformPolicy | None, code: str) -> str:
    """The topic's label in the policy; a topic of schema v1 later removed from it keeps its former label."""
    if policy is not None:
        try:
            return policy.topic(code)[1].label
        except KeyError:
            pass
    return label(TOPICS, code, "sujet retiré de la liste")


def _commune(policy: PlatformPolicy, code: str) -> str:
    return next((c.name for c in policy.communes if c.code == code), "commune non desservie")


def _left_at(text: str, zone: tzinfo) -> str:
    """When a voicemail was left, as a French reader expects it; the text as typed if it does not parse."""
    try:
        return french_moment(local_moment(text, zone), zone)
    except ValueError:
        return f"le {text}"
