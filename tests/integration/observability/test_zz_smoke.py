import importlib
import pytest
from tests.fixtures.services import serving

@pytest.mark.parametrize("service", ["intake", "matching", "feedback", "billing"])
async def test_smoke(service_settings, service):
    settings = service_settings()
    module = importlib.import_module(f"services.{service}.entrypoints.app")
    async with serving(module.create_app(settings)) as client:
        text = (await client.get("/metrics/")).text
        print(service, len(text.splitlines()), (await client.get("/health")).json())
