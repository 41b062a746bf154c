"""The read-model catalogue: every registered service describes its read models, selection by name."""

from __future__ import annotations

import pytest

from relais.services import (
    REGISTRY,
    ReadModels,
    UnknownProjection,
    UnknownService,
    described_services,
    load_read_models,
    select_projections,
)


def test_intake_describes_its_read_models() -> None:
    models = load_read_models("intake")

    assert isinstance(models, ReadModels)
    assert [spec.name for spec in models.projections] == ["intake.console", "intake.observatory", "intake.desk"]
    metadata = models.metadata()
    for spec in models.projections:
        assert set(spec.tables) <= set(metadata.tables)
        assert spec.build(metadata).name == spec.name


def test_every_registered_service_describes_its_own_read_models_and_unknown_ones_fail() -> None:
    assert [models.service for models in described_services()] == list(REGISTRY)
    with pytest.raises(UnknownService, match="nothing-here"):
        load_read_models("nothing-here")


def test_selection_by_name_service_or_all() -> None:
    catalogue = [load_read_models("intake")]

    assert [spec.name for _, spec in select_projections(catalogue)] == ["intake.console", "intake.observatory",
                                                                        "intake.desk"]
    assert [spec.name for _, spec in select_projections(catalogue, "intake.observatory")] == ["intake.observatory"]
    with pytest.raises(UnknownProjection, match=r"known: intake\.console, intake\.observatory, intake\.desk"):
        select_projections(catalogue, "matching.fairness")
    with pytest.raises(UnknownProjection):
        select_projections(catalogue, service="billing")
