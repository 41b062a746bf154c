"""A platform's single sign-on in its policy file: the provider, where its secret is read, and its role mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.platforms.loader import PolicyError, load_policy
from shared.platforms.sign_in import SecretMissing, SingleSignOn

REPO = Path(__file__).resolve().parents[3]
SIXTH = REPO / "tests" / "fixtures" / "platforms" / "combrailles.yaml"
PROCONNECT = {"label": "Se connecter avec ProConnect", "issuer": "https://auth.agentconnect.gouv.fr/api/v2",
              "client_id": "relais-combrailles", "client_secret_env": "RELAIS_OIDC_COMBRAILLES_SECRET",
              "scopes": ["openid", "email", "given_name", "usual_name", "siret"], "role_claim": "siret",
              "roles": [{"value": "26630001700011", "role": "operator"}], "emails_verified": True}


def sso(**changes: Any) -> SingleSignOn:
    return SingleSignOn.model_validate({**PROCONNECT, **changes})


def policy_file(tmp_path: Path, block: dict[str, Any]) -> Path:
    document = yaml.safe_load(SIXTH.read_text(encoding="utf-8"))
    document["single_sign_on"] = block
    path = tmp_path / "combrailles.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_the_first_listed_value_a_person_holds_gives_the_role() -> None:
    groups = sso(role_claim="groups", roles=[{"value": "coordination", "role": "coordinator"},
                                             {"value": "accueil", "role": "operator"},
                                             {"value": "emploi", "role": "advisor"}])
    assert groups.role_for({"groups": ["accueil", "coordination"]}) == "coordinator"
    assert groups.role_for({"groups": ["emploi", "accueil"]}) == "operator"
    assert groups.role_for({"groups": "emploi"}) == "advisor"  # a single value as a string
    assert groups.role_for({"groups": ["mairie"]}) is None
    assert groups.role_for({}) is None and groups.role_for({"groups": 3}) is None


def test_a_dotted_claim_reads_a_nested_object_and_proconnect_maps_an_organisation() -> None:
    keycloak = sso(role_claim="realm_access.roles", roles=[{"value": "relais-analyste", "role": "analyst"}])
    assert keycloak.role_for({"realm_access": {"roles": ["offline_access", "relais-analyste"]}}) == "analyst"
    assert keycloak.role_for({"realm_access": "relais-analyste"}) is None
    assert sso().role_for({"siret": "26630001700011"}) == "operator"


def test_the_secret_is_read_from_the_variable_or_the_file_the_policy_names(tmp_path: Path) -> None:
    assert sso().client_secret({"RELAIS_OIDC_COMBRAILLES_SECRET": " s3cret \n"}) == "s3cret"
    with pytest.raises(SecretMissing, match="RELAIS_OIDC_COMBRAILLES_SECRET"):
        sso().client_secret({})
    secret = tmp_path / "oidc.secret"
    secret.write_text("depuis-un-fichier\n")
    assert sso(client_secret_env=None, client_secret_file=str(secret)).client_secret({}) == "depuis-un-fichier"
    with pytest.raises(SecretMissing, match="illisible"):
        sso(client_secret_env=None, client_secret_file=str(tmp_path / "absent")).client_secret({})


def test_emails_link_existing_accounts_only_when_the_provider_vouches_for_them() -> None:
    assert sso().email_trusted({})
    unverified = sso(emails_verified=False)
    assert not unverified.email_trusted({"email_verified": "true"})
    assert unverified.email_trusted({"email_verified": True})


@pytest.mark.parametrize(("change", "field", "reason"), [
    ({"issuer": "http://auth.example.fr"}, "single_sign_on.issuer", "https://"),
    ({"client_secret_env": None}, "single_sign_on.client_secret_env", "jamais le secret lui-même"),
    ({"client_secret_file": "/run/secrets/oidc"}, "single_sign_on.client_secret_env", "l'un des deux"),
    ({"client_secret_env": "mon secret"}, "single_sign_on.client_secret_env", "majuscules"),
    ({"scopes": ["email"]}, "single_sign_on.scopes", "openid"),
    ({"scopes": ["openid"], "create_accounts": False}, "single_sign_on.scopes", "ajoutez le scope email"),
    ({"roles": [{"value": "x", "role": "provider"}]}, "single_sign_on.roles[0].role", "valeur non prévue"),
    ({"roles": [{"value": "x", "role": "operator"}, {"value": "x", "role": "analyst"}]},
     "single_sign_on.roles", "deux fois : x"),
    ({"roles": []}, "single_sign_on.roles", "au moins 1"),
    ({"client_secret": "en-clair"}, "single_sign_on.client_secret", "champ inconnu"),
])
def test_a_wrong_single_sign_on_names_its_field_in_french(tmp_path: Path, change: dict[str, Any], field: str,
                                                           reason: str) -> None:
    with pytest.raises(PolicyError) as refused:
        load_policy(policy_file(tmp_path, {**PROCONNECT, **change}))
    [problem] = refused.value.found
    assert problem.field == field and reason in problem.reason_fr, problem


def test_a_policy_with_single_sign_on_loads_and_a_test_provider_may_be_on_this_machine(tmp_path: Path) -> None:
    policy = load_policy(policy_file(tmp_path, PROCONNECT))
    assert policy.single_sign_on is not None and policy.single_sign_on.token_endpoint_auth_method == "client_secret_basic"
    assert policy.single_sign_on.discovery_url == "https://auth.agentconnect.gouv.fr/api/v2/.well-known/openid-configuration"
    local = load_policy(policy_file(tmp_path, {**PROCONNECT, "issuer": "http://127.0.0.1:5000"}))
    assert local.single_sign_on is not None and not local.single_sign_on.create_accounts


def test_the_commented_proconnect_example_of_limoges_is_valid_once_uncommented(tmp_path: Path) -> None:
    text = (REPO / "deploy" / "platforms" / "limoges.yaml").read_text(encoding="utf-8")
    policy_text, example = text.split("# single_sign_on:\n")
    assert load_policy(REPO / "deploy" / "platforms" / "limoges.yaml").single_sign_on is None  # commented out
    uncommented = "single_sign_on:\n" + "".join(line.removeprefix("#") + "\n" for line in example.splitlines())
    (tmp_path / "limoges.yaml").write_text(policy_text + uncommented, encoding="utf-8")
    sso = load_policy(tmp_path / "limoges.yaml").single_sign_on
    assert sso is not None and sso.role_for({"siret": "26870085100015"}) == "operator" and sso.emails_verified
