"""The ``relais`` command: a typer app (:mod:`relais.cli.main`) and one module per group of commands."""
