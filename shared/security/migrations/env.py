from shared.security.identity_store import identity_metadata
from shared.storage.alembic_env import run_migrations

run_migrations(identity_metadata)
