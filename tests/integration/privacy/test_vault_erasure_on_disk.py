"""Crypto-shredding on SQLite: after erasure neither the key nor any personal data is left in the files."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.privacy.contact import ResidentContact
from shared.privacy.errors import ResidentErasedError
from shared.privacy.vault import Vault
from shared.storage.engine import create_engine

pytestmark = pytest.mark.integration

NAME = "Jeanne Martin-Delacroix"


def vault_bytes(database: Path) -> bytes:
    return b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))


async def test_erased_key_is_gone_from_the_sqlite_files(tmp_path):
    database = tmp_path / "vault.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        vault = Vault(engine)
        await vault.create_tables()
        sealed = await vault.seal("res-1", "limoges", ResidentContact(name=NAME, phone="0555123456"))
        await vault.seal("res-2", "limoges", ResidentContact(name="Paul Durand", phone="0555123457"))
        key = await vault.key_for("res-1", "limoges")
        await vault.unseal(sealed, reader="system:intake", purpose="check the round trip")
        assert key in vault_bytes(database), "the test must see the key before erasure"

        assert await vault.erase("res-1")

        with pytest.raises(ResidentErasedError):
            await vault.unseal(sealed, reader="system:intake", purpose="after erasure")
    finally:
        await engine.dispose()

    stored = vault_bytes(database)
    assert key not in stored
    for needle in (NAME, "Jeanne", "0555123456", sealed.ciphertext):
        assert needle.encode() not in stored
        assert needle.encode("utf-16-le") not in stored
