"""The provider directory in the French profile: data·inclusion schema v1 structures and services.

Built as the ``data-inclusion-schema`` package's own pydantic models, so what is written is valid by
construction: one structure per provider, one service per provider and activity, with
``thematiques`` (from the activity's category), ``publics`` (the fragile publics of the agréments valid
on the export day, else ``tous-publics``), ``frais`` (payant), ``zone_eligibilite`` (INSEE codes of the
communes covered; Belgian communes have none) and ``modes_mobilisation`` (the resident calls the platform).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from data_inclusion.schema.v1 import (
    Frais,
    ModeMobilisation,
    PersonneMobilisatrice,
    Public,
    Service,
    Structure,
    Thematique,
)

from relais.export.hsds import STATUS
from shared.contracts.directory import Provider
from shared.platforms.local_time import local_date
from shared.platforms.model import PlatformPolicy

SOURCE = "relais"
THEMATIQUES = {
    "household": [Thematique.EQUIPEMENT_ET_ALIMENTATION__AIDE_MENAGERE],
    "errands": [Thematique.EQUIPEMENT_ET_ALIMENTATION__AIDE_MENAGERE],
    "childcare": [Thematique.FAMILLE__GARDE_DENFANTS],
    "assistance": [Thematique.FAMILLE__PRISE_EN_CHARGE_PERSONNE_DEPENDANTE],
    "wellbeing": [Thematique.REMOBILISATION__BIEN_ETRE_CONFIANCE_EN_SOI],
    "computing": [Thematique.NUMERIQUE__MAITRISER_LES_FONDAMENTAUX_DU_NUMERIQUE],
    "education": [Thematique.FAMILLE__SOUTIEN_A_LA_PARENTALITE_ET_A_LEDUCATION],
    "mobility": [Thematique.MOBILITE__ETRE_ACCOMPAGNE_DANS_SON_PARCOURS_MOBILITE],
    "repairs": [Thematique.LOGEMENT_HEBERGEMENT__SE_MAINTENIR_DANS_LE_LOGEMENT],
    "building": [Thematique.LOGEMENT_HEBERGEMENT__SE_MAINTENIR_DANS_LE_LOGEMENT],
}
PUBLICS = {"elderly": Public.SENIORS, "disabled": Public.PERSONNES_EN_SITUATION_DE_HANDICAP,
           "child_under_3": Public.FAMILLES}


def structure_id(entry: Provider) -> str:
    return f"{SOURCE}--{entry.provider_id}"


def inclusion_records(entries: Mapping[str, Provider], policies: Mapping[str, PlatformPolicy],
                      at: datetime) -> tuple[list[Structure], list[Service]]:
    """The structures and services of the directory as of ``at`` (the providers HSDS lists: admitted, suspended,
    withdrawn); days are the platform's local dates."""
    structures: list[Structure] = []
    services: list[Service] = []
    for entry in sorted(entries.values(), key=lambda e: e.provider_id):
        policy = policies.get(entry.platform_id)
        if policy is None or entry.status not in STATUS:
            continue
        today = local_date(at, policy.zone)
        updated = min(local_date(entry.updated_at, policy.zone) if entry.updated_at else today, today, date.today())
        structures.append(Structure(
            source=SOURCE, id=structure_id(entry), nom=entry.name, date_maj=updated, siret=entry.siret,
            description=f"Prestataire de services à domicile admis par la plateforme {policy.name}."))
        publics = {PUBLICS[code] for code in entry.publics_on(today) if code in PUBLICS} or {Public.TOUS_PUBLICS}
        zone = [code for code in sorted(entry.communes) if code in policy.commune_codes() and not code.startswith("BE")]
        for code in sorted(entry.activities):
            try:
                activity = policy.activity(code)
            except KeyError:
                continue
            services.append(Service(
                source=SOURCE, structure_id=structure_id(entry), id=f"{structure_id(entry)}--{code}",
                nom=activity.label,
                description=f"{activity.label} à domicile par {entry.name}. Les habitants appellent la plateforme "
                            f"{policy.name}, qui confie la demande au prestataire dont c'est le tour ; le "
                            f"prestataire rappelle sous 24 heures.",
                date_maj=updated, thematiques=set(THEMATIQUES.get(activity.category.value, [])) or None,
                frais=Frais.PAYANT, frais_precisions="Prestation payante, sur devis.", publics=publics,
                zone_eligibilite=zone or None, modes_mobilisation={ModeMobilisation.TELEPHONER},
                mobilisable_par={PersonneMobilisatrice.USAGERS, PersonneMobilisatrice.PROFESSIONNELS},
                mobilisation_precisions=f"Appeler la plateforme {policy.name}."))
    return structures, services


def as_json(record: Structure | Service) -> dict[str, Any]:
    """The record as data·inclusion's JSON: no null field, sets as sorted lists (stable from one export to the next)."""
    data = record.model_dump(mode="json", exclude_none=True)
    return {key: sorted(value) if isinstance(value, list) and key != "zone_eligibilite" else value
            for key, value in data.items()}
