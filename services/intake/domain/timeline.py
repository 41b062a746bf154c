"""One line per event for the console's timeline (in French, no personal data)."""

from __future__ import annotations

from datetime import tzinfo

from shared.contracts.base import Event
from shared.contracts.events import intake as ie
from shared.contracts.events import matching as me
from shared.platforms.local_time import french_moment


def summary_of(event: Event, zone: tzinfo) -> str:
    """A short French sentence describing ``event`` for operators; times in ``zone`` (the platform's)."""
    match event:
        case ie.RequestLogged():
            fragile = f", public fragile : {', '.join(p.value for p in event.fragile_publics)}" if event.fragile_publics else ""
            return f"Demande enregistrée ({event.channel.value}) : {event.activity} à {event.commune}{fragile}"
        case ie.InformationCallLogged():
            return f"Appel d'information : {event.topic_asked.value}"
        case ie.VoicemailLogged():
            return f"Message sur le répondeur laissé le {event.left_at_local}"
        case ie.VoicemailUnanswered():
            return f"Message non rappelé avant l'échéance, {french_moment(event.deadline_at, zone)}"
        case ie.VoicemailCalledBack():
            return f"Rappel effectué : {event.outcome.value}"
        case ie.RequestCancelled():
            return "Demande annulée par l'usager" + (f" : {event.reason}" if event.reason else "")
        case me.ProviderAssigned():
            skipped = f", {len(event.skipped)} passé(s) avant" if event.skipped else ""
            return (f"Confiée à {event.provider_id} (tour {event.rotation_position + 1}/{len(event.candidates)}"
                    f"{skipped}), rappel attendu au plus tard {french_moment(event.deadline_at, zone)}")
        case me.ProvidersOriented():
            listed = ", ".join(f"{p.provider_id} ({p.distance_km} km)" for p in event.providers)
            return f"Orientée vers : {listed}"
        case me.OfferDeclined():
            return f"Refusée par {event.provider_id} ({event.reason.value})"
        case me.ContactConfirmed():
            return f"{event.provider_id} a contacté l'usager"
        case me.ContactDeadlineMissed():
            return f"{event.provider_id} n'a pas rappelé dans le délai"
        case me.RequestUnmet():
            return f"Demande non satisfaite : {event.reason.value}"
        case me.QuoteSent():
            return f"Devis envoyé par {event.provider_id}"
        case me.QuoteAnswered():
            return "Devis accepté" if event.accepted else "Devis refusé"
        case me.InterventionDone():
            return f"Intervention réalisée le {event.done_on:%d/%m/%Y}"
        case me.InterventionCorrected():
            return "Intervention corrigée"
    return event.event_type
