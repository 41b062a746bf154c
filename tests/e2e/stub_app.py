"""A stand-in service app for the ``relais up`` tests (the real ones live in services/)."""

from __future__ import annotations

from fastapi import FastAPI

from shared.settings import load_settings


def create_app() -> FastAPI:
    settings = load_settings()
    app = FastAPI(title="stub service")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/settings")
    def shared_settings() -> dict[str, str]:
        return {
            "kafka_bootstrap_servers": settings.kafka_bootstrap_servers,
            "topic_prefix": settings.topic_prefix,
            "data_dir": str(settings.data_dir),
        }

    return app
