"""Terminal output of the ``relais`` command and its handling of Ctrl-C and start-up errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal, cast

import typer
from rich.console import Console
from rich.table import Table

ColorSystem = Literal["auto", "standard", "256", "truecolor", "windows"]
"""What ``Console(color_system=...)`` accepts (``Console.color_system`` says it as a plain string)."""

console = Console(highlight=False)


@contextmanager
def foreground() -> Iterator[None]:
    """Ctrl-C / SIGTERM end the block cleanly (exit 0); known start-up errors print without a traceback (exit 1)."""
    from relais.devstack.processes import Interrupted, handle_signals
    from relais.devstack.stack import StackError
    from relais.devstack.tansu import BrokerError

    try:
        with handle_signals():
            yield
    except Interrupted as interrupt:
        console.print(f"[dim]{interrupt.args[0]} received: stopped.[/]")
    except (BrokerError, StackError) as error:
        console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(1) from None


@contextmanager
def broker_errors(servers: str) -> Iterator[None]:
    """A broker that cannot be reached is a one-line error naming the servers and the setting (exit 1)."""
    from aiokafka.errors import KafkaConnectionError

    try:
        yield
    except KafkaConnectionError as error:
        console.print(f"[bold red]error:[/] cannot reach the Kafka broker at {servers} ({error}); start it, or point "
                      "RELAIS_KAFKA_BOOTSTRAP_SERVERS (or --bootstrap where the command has it) at a running one",
                      soft_wrap=True)
        raise typer.Exit(1) from None


def print_table(table: Table, out: Console | None = None) -> None:
    """Print ``table`` without cutting a cell (ids must be copied whole).

    On a terminal, cells too long for their column fold onto the next line instead of ending in "…";
    elsewhere (a pipe, a file) the table is printed as wide as its longest cells, one line per row.
    """
    out = out or console
    for column in table.columns:
        if column.overflow == "ellipsis":
            column.overflow = "fold"
    if out.is_terminal:
        out.print(table)
        return
    natural = out.measure(table, options=out.options.update_width(1_000_000)).maximum
    wide = Console(file=out.file, width=max(out.width, natural), color_system=cast(ColorSystem | None, out.color_system),
                   highlight=False)
    wide.print(table)
