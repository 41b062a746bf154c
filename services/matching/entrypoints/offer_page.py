"""A provider's page for one offer (``/o/{token}``): phone-sized, French, plain HTML forms (no JavaScript).

No account: the signed, expiring link sent with the offer is the key (:mod:`services.matching.adapters.offer_links`).
The page shows the activity, the commune, the resident's availability and the callback deadline in
the platform's time, and the actions the offer allows at its stage: accept or decline (with a
reason), contact made, quote sent and answered, intervention done, and its correction. The
resident's contact details are shown (and their reading logged by the vault) only once the provider
accepted. Each action posts a form and is redirected back to the page (303) with what was recorded;
a refused one comes back with the reason in French (4xx). Responses are never cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.matching.adapters.offer_links import OfferLinks
from services.matching.domain import commands as c
from services.matching.domain.match import (
    ASSIGNED,
    CONTACTED,
    DONE,
    QUOTE_ACCEPTED,
    QUOTE_DECLINED,
    QUOTED,
    Match,
)
from services.matching.service_layer.handlers import OfferHandlers
from services.matching.service_layer.ports import OfferKey
from shared.contracts.events.matching import DeclineReason
from shared.contracts.labels import DECLINE_REASONS
from shared.errors import DomainError
from shared.inputs import MAX_AMOUNT
from shared.platforms.local_time import french_moment, local
from shared.platforms.model import PlatformPolicy
from shared.privacy.errors import ResidentErasedError
from shared.security.signed_links import LinkExpired, LinkInvalid
from shared.storage.eventstore import ConcurrencyError

router = APIRouter(tags=["offer page"], include_in_schema=False)
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

DONE_MESSAGES = {
    "accept": "Offre acceptée. Les coordonnées du particulier sont ci-dessous : appelez-le avant l'échéance.",
    "decline": "Offre déclinée. Merci : la demande est proposée au prestataire suivant.",
    "contact": "Contact enregistré.",
    "quote": "Devis enregistré.",
    "quote_answer": "Réponse au devis enregistrée.",
    "done": "Intervention enregistrée. Merci !",
    "correct": "Correction enregistrée : la facturation de la plateforme sera ajustée.",
}
REFUSALS = {
    "already_contacted": "Le contact avec le particulier est déjà enregistré : l'offre ne peut plus être déclinée.",
    "quote_pending": "Le particulier n'a pas encore répondu au devis.",
    "contact_first": "Indiquez d'abord que vous avez contacté le particulier.",
    "already_done": "L'intervention est déjà déclarée : utilisez « Corriger l'intervention ».",
    "no_quote_pending": "Aucun devis n'attend de réponse.",
    "request_cancelled": "Le particulier a annulé sa demande.",
    "nothing_to_correct": "Ces chiffres sont déjà ceux enregistrés : il n'y a rien à corriger.",
    "not_done": "Seule une intervention déjà déclarée peut être corrigée.",
    "not_found": "Cette offre n'est plus la vôtre.",
    "invalid_transition": "Cette action n'est plus possible à ce stade de la demande.",
}
OPEN_STATES = frozenset({ASSIGNED, CONTACTED, QUOTED, QUOTE_ACCEPTED, QUOTE_DECLINED})
STATUS_NAMES = {ASSIGNED: "proposée", CONTACTED: "particulier contacté", QUOTED: "devis envoyé",
                QUOTE_ACCEPTED: "devis accepté", QUOTE_DECLINED: "devis refusé", DONE: "intervention déclarée"}
STATUS_LINES = {
    CONTACTED: "Vous avez contacté le particulier. Enregistrez le devis ou l'intervention.",
    QUOTED: "Devis envoyé : indiquez la réponse du particulier dès que vous l'avez.",
    QUOTE_ACCEPTED: "Devis accepté : déclarez l'intervention une fois réalisée.",
    QUOTE_DECLINED: "Devis refusé. Vous pouvez envoyer un autre devis.",
    DONE: "Intervention déclarée. En cas d'erreur, corrigez-la ci-dessous.",
}


class FormError(Exception):
    """A field typed wrong; the message is French."""


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"
    value: str = ""
    hint: str = ""
    required: bool = True
    choices: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Form:
    action: str
    title: str
    fields: list[Field]
    buttons: list[tuple[str, str, str]]


@cache
def templates() -> Environment:
    return Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                       autoescape=select_autoescape(default=True))


@router.get("/o/{token}", response_class=HTMLResponse)
async def show_offer(token: str, request: Request, fait: str | None = None) -> Response:
    key, refusal = _key(request, token)
    if key is None:
        return refusal
    return await _page(request, key, done=fait if fait in DONE_MESSAGES else None)


@router.get("/p/{token}", response_class=HTMLResponse)
async def show_provider_offers(token: str, request: Request) -> Response:
    """The provider's open offers and recent interventions, each with the link of its page."""
    links: OfferLinks = request.app.state.offer_links
    try:
        platform_id, provider_id = links.read_provider(token)
    except (LinkExpired, LinkInvalid):
        return _message("Relais", "Lien non valide", ["Ce lien n'est plus valable. Ouvrez-le depuis une offre récente, "
                                                       "ou appelez la plateforme."], 404)
    policy: PlatformPolicy | None = request.app.state.policies.get(platform_id)
    if policy is None:
        return _message("Relais", "Lien non valide", ["Cette plateforme n'existe plus."], 404)
    rows = await request.app.state.views.offers(platform_id, provider_id, limit=100)
    listing: dict[str, list[dict[str, str]]] = {"open": [], "done": []}
    for row in rows:
        if row["cancelled"] or row["status"] not in OPEN_STATES | {DONE}:
            continue
        when = row["deadline_at"] if row["status"] == ASSIGNED and row["deadline_at"] else None
        item = {"title": f"{_label(policy.activities, row['activity'])} à {_label(policy.communes, row['commune'], 'name')}",
                "status": STATUS_NAMES[row["status"]] + (f", à rappeler avant {french_moment(_aware(when), policy.zone)}"
                                                         if when else ""),
                "link": links.link(OfferKey(platform_id, row["request_id"], provider_id))}
        listing["done" if row["status"] == DONE else "open"].append(item)
    html = templates().get_template("offer.html").render(
        title="Vos offres", platform_name=policy.name, offer=None, forms=[], error=None, done_message=None, lines=[],
        listing=listing)
    return HTMLResponse(html, status_code=200, headers=HEADERS)


@router.post("/o/{token}", response_class=HTMLResponse)
async def act_on_offer(token: str, request: Request) -> Response:
    key, refusal = _key(request, token)
    if key is None:
        return refusal
    form = {name: value for name, value in (await request.form()).items() if isinstance(value, str)}
    action = form.get("action", "")
    try:
        await _act(request, key, action, form)
    except FormError as error:
        return await _page(request, key, error=str(error), status=422, values=form)
    except ConcurrencyError:
        return await _page(request, key, error="La demande a changé entre-temps : vérifiez la page et recommencez.",
                           status=409)
    except DomainError as error:
        message = REFUSALS.get(error.code) or (str(error) if error.code in ("in_the_future", "done_before_request",
                                                                             "done_before_admission") else
                                                "Cette action n'est pas possible à ce stade de la demande.")
        return await _page(request, key, error=message, status=error.status, values=form)
    return RedirectResponse(f"/o/{token}?fait={action}", status_code=303, headers=HEADERS)


async def _act(request: Request, key: OfferKey, action: str, form: dict[str, str]) -> None:
    handlers: OfferHandlers = request.app.state.offers
    base = {"platform_id": key.platform_id, "request_id": key.request_id, "provider_id": key.provider_id,
            "actor": f"provider:{key.provider_id}"}
    if action == "accept":
        await handlers.accept(c.AcceptOffer(**base))
    elif action == "decline":
        reason = form.get("reason", "")
        if reason not in {r.value for r in DeclineReason}:
            raise FormError("Choisissez la raison pour laquelle vous déclinez.")
        await handlers.decline(c.Decline(**base, reason=DeclineReason(reason), note=form.get("note", "")[:500]))
    elif action == "contact":
        await handlers.confirm_contact(c.ConfirmContact(**base))
    elif action == "quote":
        await handlers.send_quote(c.SendQuote(**base, amount_excl_tax=_amount(form.get("amount"), "montant du devis")))
    elif action == "quote_answer":
        await handlers.answer_quote(c.AnswerQuote(**base, accepted=form.get("choice") == "yes"))
    elif action in ("done", "correct"):
        figures = {"done_on": _day(form.get("done_on")), "labour_hours": _hours(form.get("labour_hours")),
                   "labour_amount_excl_tax": _amount(form.get("labour"), "montant de la main-d'œuvre"),
                   "travel_amount_excl_tax": _amount(form.get("travel") or "0", "montant du déplacement")}
        if action == "done":
            await handlers.declare_done(c.DeclareDone(**base, **figures))
        else:
            reason = form.get("reason", "").strip()
            if not reason:
                raise FormError("Indiquez la raison de la correction.")
            await handlers.correct(c.CorrectIntervention(**base, **figures, reason=reason[:500]))
    else:
        raise FormError("Action inconnue : rechargez la page.")


async def _page(request: Request, key: OfferKey, *, done: str | None = None, error: str | None = None,
                status: int = 200, values: dict[str, str] | None = None) -> Response:
    handlers: OfferHandlers = request.app.state.offers
    policy: PlatformPolicy = request.app.state.policies[key.platform_id]
    try:
        match = await handlers.view(key.platform_id, key.request_id)
    except DomainError:
        return _message(policy.name, "Offre introuvable", ["Cette demande n'existe plus sur la plateforme."], 404)
    if match.provider_id != key.provider_id or match.cancelled:
        lines = (["Le particulier a annulé sa demande."] if match.cancelled else
                 ["Cette demande n'est plus proposée à votre structure (offre déclinée ou délai de rappel dépassé)."])
        return _message(policy.name, "Cette offre n'est plus la vôtre",
                        lines, 200 if done == "decline" else 410, done_message=DONE_MESSAGES.get(done or ""))
    offer = await _offer(request, policy, match, key)
    html = templates().get_template("offer.html").render(
        title=f"Demande : {offer['activity']} à {offer['commune']}", platform_name=policy.name, offer=offer,
        forms=_forms(match, policy, values or {}, request.app.state.clock.now()), error=error,
        done_message=DONE_MESSAGES.get(done or ""), lines=[],
        all_offers=request.app.state.offer_links.provider_link(key.platform_id, key.provider_id))
    return HTMLResponse(html, status_code=status, headers=HEADERS)


async def _offer(request: Request, policy: PlatformPolicy, match: Match, key: OfferKey) -> dict[str, Any]:
    spec = match.context.spec
    zone = policy.zone
    windows = [f"{WEEKDAYS[local(start, zone).weekday()]} {local(start, zone):%d/%m} de {local(start, zone):%H:%M} "
               f"à {local(end, zone):%H:%M}" for start, end in spec.windows]
    contact, hidden = None, False
    if match.contact_visible and match.context.contact is not None:
        try:
            contact = await request.app.state.vault.unseal(
                match.context.contact, reader=f"provider:{key.provider_id}",
                purpose=f"call back about request {key.request_id}")
        except ResidentErasedError:
            contact = {"name": "Coordonnées effacées à la demande du particulier"}
    elif match.state == ASSIGNED:
        hidden = True
    figures = None
    if match.figures is not None:
        f = match.figures
        figures = {"day": f"{f.done_on:%d/%m/%Y}", "hours": f"{_french(f.labour_hours)} h",
                   "labour": f"{_french(f.labour_amount_excl_tax)} €", "travel": f"{_french(f.travel_amount_excl_tax)} €",
                   "total": f"{_french(f.amount_excl_tax)} €"}
    if match.state == ASSIGNED:
        status_line = ("Vous avez accepté cette demande : appelez le particulier, puis indiquez-le ici."
                       if match.accepted else "Cette demande vous est proposée : acceptez-la ou déclinez-la.")
    else:
        status_line = STATUS_LINES.get(match.state, "")
    deadline = french_moment(match.deadline_at, zone) if match.deadline_at and match.state == ASSIGNED else None
    return {"activity": _label(policy.activities, spec.activity), "commune": _label(policy.communes, spec.commune, "name"),
            "deadline": deadline, "windows": windows, "contact": contact, "contact_hidden": hidden,
            "figures": figures, "status_line": status_line}


def _forms(match: Match, policy: PlatformPolicy, values: dict[str, str], now: datetime) -> list[Form]:
    forms: list[Form] = []
    today = local(now, policy.zone).date().isoformat()
    if match.state == ASSIGNED and not match.accepted:
        forms.append(Form("accept", "Accepter l'offre", [], [("", "J'accepte l'offre", "")]))
    if match.state == ASSIGNED and match.accepted:
        forms.append(Form("contact", "Contact avec le particulier", [],
                          [("", "J'ai contacté le particulier", "")]))
    if match.state == ASSIGNED:
        reasons = [("", "Choisissez une raison")] + [(r.value, DECLINE_REASONS[r].capitalize()) for r in DeclineReason]
        forms.append(Form("decline", "Décliner l'offre", [
            Field("reason", "Raison", "select", values.get("reason", ""), choices=reasons),
            Field("note", "Précision (facultatif)", "textarea", values.get("note", ""), required=False,
                  hint="sans nom ni coordonnées du particulier")],
            [("", "Je décline l'offre", "danger")]))
    if match.state in (CONTACTED, QUOTE_DECLINED):
        forms.append(Form("quote", "Devis envoyé", [
            Field("amount", "Montant du devis (HT, en euros)", value=values.get("amount", ""), hint="par exemple 120,50")],
            [("", "Enregistrer le devis", "secondary")]))
    if match.state == QUOTED:
        forms.append(Form("quote_answer", "Réponse du particulier au devis", [],
                          [("yes", "Le particulier a accepté le devis", ""),
                           ("no", "Le particulier a refusé le devis", "secondary")]))
    if match.state in (CONTACTED, QUOTE_ACCEPTED):
        forms.append(Form("done", "Intervention réalisée", _figure_fields(values, today), [("", "Déclarer l'intervention", "")]))
    if match.state == DONE and match.figures is not None:
        f = match.figures
        current = {"done_on": f.done_on.isoformat(), "labour_hours": _french(f.labour_hours),
                   "labour": _french(f.labour_amount_excl_tax), "travel": _french(f.travel_amount_excl_tax)}
        fields = _figure_fields({**current, **values}, today)
        fields.append(Field("reason", "Raison de la correction", "textarea", values.get("reason", ""),
                            hint="par exemple : erreur sur les heures"))
        forms.append(Form("correct", "Corriger l'intervention", fields, [("", "Enregistrer la correction", "secondary")]))
    return forms


def _figure_fields(values: dict[str, str], today: str) -> list[Field]:
    return [Field("done_on", "Date de l'intervention", "date", values.get("done_on", today)),
            Field("labour_hours", "Heures de travail", value=values.get("labour_hours", ""), hint="par exemple 2,5"),
            Field("labour", "Main-d'œuvre (HT, en euros)", value=values.get("labour", "")),
            Field("travel", "Déplacement (HT, en euros)", value=values.get("travel", "0"), required=False)]


def _key(request: Request, token: str) -> tuple[OfferKey | None, Response]:
    links: OfferLinks = request.app.state.offer_links
    policies = request.app.state.policies
    try:
        key = links.read(token)
    except LinkExpired:
        return None, _message("Relais", "Ce lien a expiré",
                              ["Le lien de cette offre n'est plus valable. Appelez la plateforme si besoin."], 410)
    except LinkInvalid:
        return None, _message("Relais", "Lien non valide",
                              ["Ce lien ne correspond à aucune offre. Vérifiez qu'il a été recopié en entier."], 404)
    if key.platform_id not in policies:
        return None, _message("Relais", "Lien non valide", ["Cette plateforme n'existe plus."], 404)
    return key, Response()


def _message(platform_name: str, title: str, lines: list[str], status: int, done_message: str | None = None) -> HTMLResponse:
    html = templates().get_template("offer.html").render(title=title, platform_name=platform_name, offer=None,
                                                         forms=[], error=None, done_message=done_message, lines=lines)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _label(items: list[Any], code: str, attribute: str = "label") -> str:
    return next((getattr(item, attribute) for item in items if item.code == code), code)


def _french(amount: str | Decimal) -> str:
    return str(amount).replace(".", ",")


def _decimal(text: str | None) -> Decimal | None:
    cleaned = (text or "").replace("€", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 and -value.as_tuple().exponent <= 2 else None  # type: ignore[operator]


def _amount(text: str | None, what: str) -> Decimal:
    value = _decimal(text)
    if value is None or value > MAX_AMOUNT:
        raise FormError(f"Indiquez le {what} en euros, par exemple 120,50.")
    return value


def _hours(text: str | None) -> Decimal:
    value = _decimal(text)
    if value is None or value > Decimal("9999.99"):
        raise FormError("Indiquez le nombre d'heures de travail, par exemple 2,5.")
    return value


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise FormError("Indiquez la date de l'intervention (jour/mois/année).") from None
