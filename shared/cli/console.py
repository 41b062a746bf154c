"""Terminal output of the ``relais`` command and its handling of Ctrl-C and start-up errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

console = Console(highlight=False)


@contextmanager
def foreground() -> Iterator[None]:
    """Ctrl-C / SIGTERM end the block cleanly (exit 0); known start-up errors print without a traceback (exit 1)."""
    from shared.runtime.processes import Interrupted, handle_signals
    from shared.runtime.stack import StackError
    from shared.runtime.tansu import BrokerError

    try:
        with handle_signals():
            yield
    except Interrupted as interrupt:
        console.print(f"[dim]{interrupt.args[0]} received: stopped.[/]")
    except (BrokerError, StackError) as error:
        console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(1) from None
