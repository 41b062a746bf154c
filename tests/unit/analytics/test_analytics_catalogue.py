"""The read-model catalogue: found by dotted path, missing services skipped, selection by name."""

from __future__ import annotations

import pytest

from shared.analytics.catalogue import ReadModels, UnknownProjection, load_read_models, select_projections


def test_intake_describes_its_read_models() -> None:
    models = load_read_models("intake")

    assert isinstance(models, ReadModels)
    assert [spec.name for spec in models.projections] == ["intake.console", "intake.observatory", "intake.desk"]
    metadata = models.metadata()
    for spec in models.projections:
        assert set(spec.tables) <= set(metadata.tables)
        assert spec.build(metadata).name == spec.name


def test_a_service_without_read_models_module_is_skipped_but_broken_modules_fail() -> None:
    assert load_read_models("nothing-here") is None
    with pytest.raises(ModuleNotFoundError):
        load_read_models("intake", "tests.unit.analytics.broken_describe:describe")


def test_selection_by_name_service_or_all() -> None:
    catalogue = [load_read_models("intake")]

    assert [spec.name for _, spec in select_projections(catalogue)] == ["intake.console", "intake.observatory",
                                                                        "intake.desk"]
    assert [spec.name for _, spec in select_projections(catalogue, "intake.observatory")] == ["intake.observatory"]
    with pytest.raises(UnknownProjection, match=r"known: intake\.console, intake\.observatory, intake\.desk"):
        select_projections(catalogue, "matching.fairness")
    with pytest.raises(UnknownProjection):
        select_projections(catalogue, service="billing")
