"""French words for the codes of the event catalogue and the APIs: what a person reads instead of a code.

Every page and message shown to the platforms' staff or to residents takes its words from here (and
activity and commune names from the platform's policy), so that no internal code reaches a person's eyes.
Each table covers every value of its enum (a unit test checks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.contracts.events.billing import FeeBasis, PaymentMethod
from shared.contracts.events.employment import (
    AssessmentDecision,
    Attendance,
    CandidateSkip,
    InterviewOutcome,
    ReferralSource,
    Trade,
)
from shared.contracts.events.feedback import FollowUpOutcome, SendChannel
from shared.contracts.events.intake import CallbackOutcome, InformationTopic, VisitAction
from shared.contracts.events.matching import DeclineReason, SkipReason, UnmetReason
from shared.contracts.events.providers import ProviderKind, Weekday
from shared.contracts.types import Channel, FragilePublic

CHANNELS = {Channel.PHONE: "téléphone", Channel.ONLINE_FORM: "formulaire en ligne", Channel.WALK_IN: "accueil",
            Channel.VOICEMAIL: "répondeur"}
FRAGILE_PUBLICS = {FragilePublic.ELDERLY: "personne âgée", FragilePublic.DISABLED: "personne handicapée",
                   FragilePublic.CHILD_UNDER_3: "enfant de moins de 3 ans"}
TOPICS = {InformationTopic.TAX_ADVANTAGES: "Avantages fiscaux", InformationTopic.RATES: "Tarifs",
          InformationTopic.EMPLOYER_STATUS: "Statut d'employeur", InformationTopic.OTHER: "Autre question"}
WEEKDAYS = {Weekday.MONDAY: "lundi", Weekday.TUESDAY: "mardi", Weekday.WEDNESDAY: "mercredi", Weekday.THURSDAY: "jeudi",
            Weekday.FRIDAY: "vendredi", Weekday.SATURDAY: "samedi", Weekday.SUNDAY: "dimanche"}
VISIT_ACTIONS = {VisitAction.INFORMED: "informé", VisitAction.HELPED_WITH_PROCEDURE: "aidé dans une démarche",
                 VisitAction.HELPED_ONLINE: "aidé en ligne", VisitAction.ORIENTED: "orienté vers un service",
                 VisitAction.APPOINTMENT_MADE: "rendez-vous pris"}
CALLBACK_OUTCOMES = {CallbackOutcome.REQUEST_LOGGED: "demande enregistrée",
                     CallbackOutcome.INFORMATION_GIVEN: "information donnée",
                     CallbackOutcome.NO_ANSWER: "pas de réponse", CallbackOutcome.NOT_NEEDED: "plus nécessaire"}
UNMET_REASONS = {
    UnmetReason.NO_PROVIDER_FOR_ACTIVITY_IN_COMMUNE: "aucun prestataire ne propose cette activité dans cette commune",
    UnmetReason.ALL_DECLINED: "tous les prestataires sollicités ont refusé",
    UnmetReason.DEADLINE_MISSED_BY_ALL: "aucun prestataire n'a rappelé dans le délai",
    UnmetReason.FRAGILE_PUBLIC_NOBODY_ACCREDITED: "aucun prestataire agréé pour ce public fragile",
    UnmetReason.OUT_OF_HOURS_NEVER_CALLED_BACK: "message du répondeur jamais rappelé",
}
UNMET_ADVICE = {
    UnmetReason.NO_PROVIDER_FOR_ACTIVITY_IN_COMMUNE: "Dites à l'usager qu'aucun prestataire de la plateforme ne couvre "
    "sa commune pour cette activité ; sa demande est notée à l'observatoire.",
    UnmetReason.ALL_DECLINED: "Dites à l'usager qu'aucun prestataire n'est disponible ; proposez-lui de rappeler plus tard.",
    UnmetReason.DEADLINE_MISSED_BY_ALL: "Excusez la plateforme auprès de l'usager et proposez-lui de rappeler plus tard.",
    UnmetReason.FRAGILE_PUBLIC_NOBODY_ACCREDITED: "Dites à l'usager qu'aucun prestataire agréé n'est disponible pour ce "
    "public ; orientez-le vers le conseil départemental.",
    UnmetReason.OUT_OF_HOURS_NEVER_CALLED_BACK: "Rappelez l'usager dès que possible.",
}
"""What the operator tells the caller when nobody could be found, by reason."""
SKIP_REASONS = {
    SkipReason.NOT_IN_SECTOR: "ne couvre pas la commune", SkipReason.UNAVAILABLE: "indisponible (absence)",
    SkipReason.NO_AGREMENT: "sans agrément qualité pour ce public", SkipReason.AGREMENT_EXPIRED: "agrément expiré",
    SkipReason.SUSPENDED: "suspendu", SkipReason.DECLINED: "a déjà refusé cette demande",
    SkipReason.MISSED_DEADLINE: "a déjà laissé passer le délai pour cette demande",
    SkipReason.NOT_OFFERING_ACTIVITY: "ne propose pas cette activité",
}
SEND_CHANNELS = {SendChannel.EMAIL: "par courriel", SendChannel.SMS: "par SMS", SendChannel.PAPER: "par courrier",
                 SendChannel.PHONE: "par téléphone"}
FOLLOW_UP_OUTCOMES = {FollowUpOutcome.SATISFIED: "usager satisfait", FollowUpOutcome.ISSUE_REPORTED: "problème signalé",
                      FollowUpOutcome.NO_ANSWER: "pas de réponse", FollowUpOutcome.REFUSED: "l'usager n'a pas souhaité répondre"}
DECLINE_REASONS = {DeclineReason.UNAVAILABLE: "indisponible", DeclineReason.TOO_FAR: "trop loin",
                   DeclineReason.NOT_COMPETENT: "hors de ses compétences", DeclineReason.OTHER: "autre raison"}
PROVIDER_KINDS = {ProviderKind.ASSOCIATION: "association", ProviderKind.ARTISAN: "artisan",
                  ProviderKind.COMPANY: "entreprise"}
PROVIDER_STATUSES = {"applied": "candidature", "admitted": "admis", "rejected": "refusé", "suspended": "suspendu",
                     "withdrawn": "retiré"}
REQUEST_STATUSES = {
    "waiting": "recherche en cours", "assigned": "confiée", "accepted": "acceptée par le prestataire", "oriented": "orientée", "unmet": "non satisfaite",
    "declined": "refusée, au suivant", "deadline_missed": "délai dépassé, au suivant", "contacted": "usager contacté",
    "quoted": "devis envoyé", "quote_answered": "devis répondu", "done": "intervention réalisée",
    "cancelled": "annulée", "answered": "information donnée",
}
ROLES = {"operator": "écoutant·e", "coordinator": "coordination", "provider": "prestataire", "analyst": "analyste",
         "advisor": "conseiller·ère emploi", "mediator": "médiateur·rice",
         "federation_admin": "administration de la fédération"}
CALLBACK_STATUSES = {"waiting": "à rappeler", "unanswered": "délai dépassé", "done": "rappelé"}
LEDGER_ENTRY_KINDS = {"fee": "frais", "adjustment": "régularisation", "membership": "adhésion", "payment": "paiement"}
PAYMENT_METHODS = {PaymentMethod.BANK_TRANSFER: "virement", PaymentMethod.CHEQUE: "chèque", PaymentMethod.CASH: "espèces",
                   PaymentMethod.DIRECT_DEBIT: "prélèvement"}
FEE_BASES = {FeeBasis.PERCENTAGE: "{rate} % de {base} (main-d'œuvre et déplacement, HT)",
             FeeBasis.PER_HOUR_NEW_CLIENT: "{hours} h × {rate} (heures d'un nouveau client)"}
"""The line of a fee on a statement, by how it was computed; ``{rate}``, ``{base}``, ``{hours}`` already written in French."""
LEDGER_LINES = {"adjustment": "Après correction de l'intervention", "adjustment_with_reason":
                "Après correction de l'intervention : {reason}", "membership": "Cotisation annuelle {year}",
                "payment": "{method}", "payment_with_reference": "{method}, réf. {reference}"}
"""The line of every other ledger entry on a statement, by kind (``{reason}`` and ``{reference}`` as typed)."""
STATEMENT_LINES = {"opening_balance": "Solde dû en début de mois",
                   "opening_credit": "Crédit du prestataire reporté du mois précédent",
                   "total_charged": "Total facturé (frais, adhésions et régularisations)", "total_paid": "Total payé",
                   "closing_balance": "Solde dû en fin de mois",
                   "closing_credit": "Crédit en faveur du prestataire en fin de mois"}
STATEMENT_COLUMNS = {"date": "Date", "kind": "Nature", "request_id": "Demande", "description": "Libellé",
                     "amount": "Montant (€)"}
ACCOUNT_POSITIONS = {"balance": "Solde dû : {amount}", "credit": "Crédit en faveur du prestataire : {amount}",
                     "settled": "Compte soldé"}
YEAR_TOTALS = {"fees": "Frais", "memberships": "Adhésions", "adjustments": "Régularisations",
               "charged": "Total facturé", "paid": "Total payé"}
TRADES = {Trade.HOME_HELP: "aide à domicile", Trade.CARE_ASSISTANT: "auxiliaire de vie",
          Trade.CHILDCARE: "garde d'enfants", Trade.HOUSEKEEPING: "ménage et repassage",
          Trade.GARDENING: "jardinage", Trade.HANDYMAN: "petits travaux"}
REFERRAL_SOURCES = {ReferralSource.FRANCE_TRAVAIL: "France Travail (ex-Pôle emploi)",
                    ReferralSource.MISSION_LOCALE: "mission locale", ReferralSource.SPONTANEOUS: "candidature spontanée",
                    ReferralSource.OTHER_PARTNER: "autre partenaire"}
ATTENDANCES = {Attendance.PRESENT: "présent·e", Attendance.ABSENT: "absent·e", Attendance.EXCUSED: "excusé·e"}
ASSESSMENT_DECISIONS = {AssessmentDecision.PRESELECTED: "pré-sélectionné·e",
                        AssessmentDecision.REFERRED_TO_TRAINING: "orienté·e vers une formation",
                        AssessmentDecision.NOT_NOW: "pas pour le moment"}
CANDIDATE_SKIPS = {
    CandidateSkip.NOT_PRESELECTED: "pas (encore) pré-sélectionné·e", CandidateSkip.OTHER_TRADE: "vise d'autres métiers",
    CandidateSkip.TOO_FAR: "le lieu de travail dépasse sa mobilité",
    CandidateSkip.NOT_AVAILABLE_YET: "pas disponible à la date de début",
    CandidateSkip.ALREADY_HIRED: "déjà en poste", CandidateSkip.ALREADY_PROPOSED: "déjà proposé·e pour cette offre",
    CandidateSkip.ERASED: "données effacées à sa demande",
    CandidateSkip.ENOUGH_CANDIDATES: "assez de candidats proposés ; à son tour la prochaine fois",
}
INTERVIEW_OUTCOMES = {InterviewOutcome.RETAINED: "retenu·e", InterviewOutcome.NOT_RETAINED: "non retenu·e",
                      InterviewOutcome.DID_NOT_COME: "ne s'est pas présenté·e", InterviewOutcome.WITHDREW: "s'est désisté·e"}


def label(table: dict, code: object, default: str = "—") -> str:
    """The French word for ``code`` in ``table``; ``default`` for an unknown or empty code (never the code)."""
    return table.get(code, default) if code is not None else default


def vocabulary() -> dict[str, dict[str, str]]:
    """Every table above keyed by its code's text, for pages that render codes in the browser."""
    tables: dict[str, Mapping[Any, str]] = {"channels": CHANNELS, "fragile_publics": FRAGILE_PUBLICS, "topics": TOPICS,
              "callback_outcomes": CALLBACK_OUTCOMES, "visit_actions": VISIT_ACTIONS, "weekdays": WEEKDAYS, "unmet_reasons": UNMET_REASONS, "unmet_advice": UNMET_ADVICE,
              "skip_reasons": SKIP_REASONS, "decline_reasons": DECLINE_REASONS, "provider_kinds": PROVIDER_KINDS,
              "provider_statuses": PROVIDER_STATUSES, "request_statuses": REQUEST_STATUSES, "roles": ROLES,
              "callback_statuses": CALLBACK_STATUSES, "send_channels": SEND_CHANNELS,
              "follow_up_outcomes": FOLLOW_UP_OUTCOMES, "ledger_entry_kinds": LEDGER_ENTRY_KINDS,
              "payment_methods": PAYMENT_METHODS, "trades": TRADES, "referral_sources": REFERRAL_SOURCES,
              "attendances": ATTENDANCES, "assessment_decisions": ASSESSMENT_DECISIONS,
              "candidate_skips": CANDIDATE_SKIPS, "interview_outcomes": INTERVIEW_OUTCOMES}
    return {name: {str(code): text for code, text in table.items()} for name, table in tables.items()}
