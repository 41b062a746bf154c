from services.employment.adapters.tables import metadata
from shared.storage.alembic_env import run_migrations

run_migrations(metadata)
