"""Issuing, authenticating and revoking API tokens; the token file keeps only hashes."""

from __future__ import annotations

import json
import stat

import pytest
import yaml

from shared.security import tokens as tokens_module
from shared.security.principals import ALL_PLATFORMS, Principal, Role
from shared.security.tokens import TokenRegistry, Unauthorized


@pytest.fixture
def tokens_file(tmp_path):
    return tmp_path / "secrets" / "tokens.yaml"


def test_issued_token_authenticates_as_its_principal(tokens_file):
    registry = TokenRegistry.load(tokens_file)
    plaintext, entry = registry.issue("limoges", Role.OPERATOR, "op-12")

    assert plaintext.startswith(f"rls_{entry.token_id}_")
    assert registry.authenticate(plaintext) == Principal("limoges", Role.OPERATOR, "op-12", entry.token_id)


def test_file_keeps_the_hash_never_the_secret(tokens_file):
    plaintext, entry = TokenRegistry.load(tokens_file).issue("limoges", "provider", "prov-7")

    text = tokens_file.read_text()
    document = yaml.safe_load(text)
    assert plaintext not in text and plaintext.split("_", 2)[2] not in text
    assert document["tokens"][0] == entry.model_dump(mode="json")
    assert document["tokens"][0]["revoked"] is False
    assert stat.S_IMODE(tokens_file.stat().st_mode) == 0o600
    assert [p.name for p in tokens_file.parent.iterdir()] == ["tokens.yaml"]


def test_a_fresh_registry_reads_tokens_issued_by_another(tokens_file):
    plaintext, _ = TokenRegistry.load(tokens_file).issue("mons-borinage", Role.COORDINATOR, "coord-1")

    principal = TokenRegistry.load(tokens_file).authenticate(plaintext)

    assert (principal.platform_id, principal.role, principal.subject) == ("mons-borinage", Role.COORDINATOR, "coord-1")


def test_json_file_when_the_name_ends_in_json(tmp_path):
    path = tmp_path / "tokens.json"
    plaintext, entry = TokenRegistry.load(path).issue("limoges", Role.ANALYST, "an-1")

    assert json.loads(path.read_text())["tokens"][0]["token_id"] == entry.token_id
    assert TokenRegistry.load(path).authenticate(plaintext).role is Role.ANALYST


def test_revoked_token_is_refused_also_by_a_registry_already_running(tokens_file):
    running = TokenRegistry.load(tokens_file)
    plaintext, entry = running.issue("limoges", Role.OPERATOR, "op-12")
    assert running.authenticate(plaintext).subject == "op-12"

    revoked = TokenRegistry.load(tokens_file).revoke(entry.token_id)

    assert revoked.revoked is True
    with pytest.raises(Unauthorized, match="revoked"):
        running.authenticate(plaintext)
    with pytest.raises(Unauthorized, match="revoked"):
        TokenRegistry.load(tokens_file).authenticate(plaintext)


def test_revoke_is_idempotent_and_unknown_ids_are_an_error(tokens_file):
    registry = TokenRegistry.load(tokens_file)
    _, entry = registry.issue("limoges", Role.OPERATOR, "op-12")

    registry.revoke(entry.token_id)
    assert registry.revoke(entry.token_id).revoked is True
    with pytest.raises(KeyError):
        registry.revoke("0123456789abcdef")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "rls_0123456789abcdef_" + token.split("_", 2)[2],
        lambda token: "rls_" + token.split("_", 2)[1],
        lambda token: token.replace("rls_", "xyz_", 1),
        lambda token: "",
    ],
    ids=["wrong-secret", "unknown-id", "no-secret", "wrong-prefix", "empty"],
)
def test_wrong_tokens_are_refused(tokens_file, mangle):
    registry = TokenRegistry.load(tokens_file)
    plaintext, _ = registry.issue("limoges", Role.OPERATOR, "op-12")

    with pytest.raises(Unauthorized):
        registry.authenticate(mangle(plaintext))


def test_hashes_are_compared_in_constant_time_even_for_unknown_ids(monkeypatch):
    calls = []
    original = tokens_module.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return original(a, b)

    registry = TokenRegistry()
    plaintext, entry = registry.issue("limoges", Role.OPERATOR, "op-12")
    monkeypatch.setattr(tokens_module, "compare_digest", spy)

    registry.authenticate(plaintext)
    with pytest.raises(Unauthorized):
        registry.authenticate("rls_0123456789abcdef_guess")

    assert len(calls) == 2
    assert calls[0][1] == entry.sha256


def test_federation_admin_is_bound_to_no_platform():
    registry = TokenRegistry()
    plaintext, _ = registry.issue(ALL_PLATFORMS, Role.FEDERATION_ADMIN, "admin-1")

    principal = registry.authenticate(plaintext)
    assert principal.is_federation_admin and principal.covers("limoges") and principal.covers("brenne")
    with pytest.raises(ValueError):
        registry.issue("limoges", Role.FEDERATION_ADMIN, "admin-2")
    with pytest.raises(ValueError):
        registry.issue(ALL_PLATFORMS, Role.OPERATOR, "op-1")


def test_platform_principal_covers_only_its_platform():
    registry = TokenRegistry()
    principal = registry.authenticate(registry.issue("limoges", Role.OPERATOR, "op-12")[0])

    assert principal.covers("limoges") and not principal.covers("brenne")
    assert principal.actor == "operator:op-12"


def test_unconfigured_settings_give_a_registry_that_refuses_everything(tmp_path):
    from shared.settings import load_settings

    registry = TokenRegistry.from_settings(load_settings(tokens_file=None, _env_file=None))
    assert registry.path is None and registry.entries() == []
    with pytest.raises(Unauthorized):
        registry.authenticate("rls_0123456789abcdef_secret")

    configured = TokenRegistry.from_settings(load_settings(tokens_file=tmp_path / "t.yaml", _env_file=None))
    assert configured.path == tmp_path / "t.yaml"
