"""A read_models module whose own import fails (for the catalogue test)."""

import a_module_that_does_not_exist  # noqa: F401


def describe() -> None: ...
