"""Validation errors as people read them: the field's path and a French reason, never the refused value.

Pydantic's messages are English and some quote the input (``input_value``); :func:`field_errors` turns each
error of a :class:`~pydantic.ValidationError` (or of FastAPI's ``RequestValidationError``) into
``{"field": "contact.phone", "message": "..."}`` in French. A reason written by one of our own validators
(``ValueError("...")``) is kept as written: those are worded for people where they are raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MAX_REASON = 300
"""A reason longer than this is cut: a validator quoting its input must not send a 200 kB field back."""

_WHERE = {"body": "", "query": "paramètre ", "path": "chemin ", "header": "en-tête ", "cookie": "cookie "}

_FRENCH: dict[str, str] = {
    "missing": "champ obligatoire",
    "extra_forbidden": "champ inconnu",
    "string_type": "doit être un texte",
    "string_too_short": "doit compter au moins {min_length} caractère(s)",
    "string_too_long": "doit compter au plus {max_length} caractères",
    "string_pattern_mismatch": "format invalide",
    "string_unicode": "doit être un texte",
    "int_type": "doit être un nombre entier",
    "int_parsing": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "float_type": "doit être un nombre",
    "float_parsing": "doit être un nombre",
    "decimal_type": "doit être un nombre décimal, par exemple \"12.50\"",
    "decimal_parsing": "doit être un nombre décimal, par exemple \"12.50\"",
    "decimal_max_digits": "compte trop de chiffres (au plus {max_digits})",
    "decimal_max_places": "compte trop de décimales (au plus {decimal_places})",
    "decimal_whole_digits": "compte trop de chiffres avant la virgule (au plus {whole_digits})",
    "bool_type": "doit valoir true ou false",
    "bool_parsing": "doit valoir true ou false",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "multiple_of": "doit être un multiple de {multiple_of}",
    "too_short": "doit compter au moins {min_length} élément(s)",
    "too_long": "doit compter au plus {max_length} éléments",
    "list_type": "doit être une liste",
    "tuple_type": "doit être une liste",
    "set_type": "doit être une liste sans doublon",
    "dict_type": "doit être un objet JSON",
    "model_type": "doit être un objet JSON",
    "model_attributes_type": "doit être un objet JSON",
    "literal_error": "valeur non prévue ; valeurs possibles : {expected}",
    "enum": "valeur non prévue ; valeurs possibles : {expected}",
    "union_tag_invalid": "type non prévu ; types possibles : {expected_tags}",
    "union_tag_not_found": "le champ « {discriminator} » est obligatoire",
    "date_type": "doit être une date AAAA-MM-JJ",
    "date_parsing": "doit être une date AAAA-MM-JJ",
    "date_from_datetime_parsing": "doit être une date AAAA-MM-JJ",
    "date_from_datetime_inexact": "doit être une date sans heure",
    "date_past": "doit être une date passée",
    "date_future": "doit être une date future",
    "datetime_type": "doit être une date et heure ISO 8601, par exemple 2026-12-05T10:00:00+01:00",
    "datetime_parsing": "doit être une date et heure ISO 8601, par exemple 2026-12-05T10:00:00+01:00",
    "datetime_from_date_parsing": "doit être une date et heure ISO 8601, par exemple 2026-12-05T10:00:00+01:00",
    "datetime_object_invalid": "date et heure invalide",
    "timezone_aware": "doit indiquer le fuseau horaire, par exemple +01:00 ou Z",
    "timezone_naive": "ne doit pas indiquer de fuseau horaire",
    "time_type": "doit être une heure HH:MM",
    "time_parsing": "doit être une heure HH:MM",
    "timedelta_type": "doit être une durée",
    "timedelta_parsing": "doit être une durée",
    "uuid_type": "doit être un identifiant UUID",
    "uuid_parsing": "doit être un identifiant UUID",
    "url_type": "doit être une adresse web",
    "url_parsing": "doit être une adresse web valide",
    "url_scheme": "doit être une adresse web en {expected_schemes}",
    "json_invalid": "JSON invalide",
    "json_type": "doit être un document JSON",
    "value_error": "{error}",
    "assertion_error": "{error}",
    "frozen_instance": "ne peut pas être modifié",
    "frozen_field": "ne peut pas être modifié",
    "no_such_attribute": "champ inconnu",
    "arguments_type": "arguments invalides",
}
_DEFAULT = "valeur invalide"


def field_path(loc: Sequence[str | int]) -> str:
    """``("contact", "phone")`` as ``contact.phone``, ``("fees", 0, "rules")`` as ``fees[0].rules``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def french_reason(error: Mapping[str, Any]) -> str:
    """Why a value was refused, in French, without quoting the value."""
    template = _FRENCH.get(str(error.get("type")), _DEFAULT)
    context = {key: _plain(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        reason = template.format(**context)
    except (KeyError, IndexError, ValueError):
        reason = _DEFAULT
    reason = reason.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """One ``{"field", "message"}`` per error; the request part (``body``) is left out of the field, a query or
    path parameter is named as such."""
    found = []
    for error in errors:
        loc = list(error.get("loc") or ())
        where = _WHERE.get(str(loc[0]), None) if loc else None
        if where is not None:
            loc = loc[1:]
        found.append({"field": (where or "") + field_path(loc), "message": french_reason(error)})
    return found


def _plain(value: Any) -> str:
    """A context value as French text: pydantic's "'a', 'b' or 'c'" reads "a, b ou c"."""
    if isinstance(value, Exception):
        return str(value)
    text = str(value)
    return text.replace("'", "").replace(" or ", " ou ") if text.startswith("'") else text
