"""Operations commands of ``relais``: ``dead-letters list|replay`` and ``restore``."""

from __future__ import annotations

import asyncio
import enum
from typing import Annotated

import typer

from relais.cli.console import broker_errors, console, print_table
from shared.settings import SERVICES, load_settings

dead_letters = typer.Typer(help="The dead-letter topic: records a consumer could not decode or refused.",
                           no_args_is_help=True)

BootstrapOption = Annotated[str | None, typer.Option(help="Bootstrap servers (default: RELAIS_KAFKA_BOOTSTRAP_SERVERS).")]
PrefixOption = Annotated[str | None, typer.Option(help="Topic prefix (default: RELAIS_TOPIC_PREFIX).")]
ConsumerOption = Annotated[str | None, typer.Option(help="Only the dead letters of this consumer, e.g. intake.console.")]
ReasonOption = Annotated[str | None, typer.Option(help="Only dead letters whose reason contains this text (any case).")]
TimeoutOption = Annotated[float, typer.Option(help="Seconds to read the topics before giving up.")]


def _where(bootstrap: str | None, topic_prefix: str | None) -> tuple[str, str]:
    settings = load_settings()
    return bootstrap or settings.kafka_bootstrap_servers, settings.topic_prefix if topic_prefix is None else topic_prefix


@dead_letters.command("list")
def list_dead_letters(consumer: ConsumerOption = None, reason_contains: ReasonOption = None,
                      bootstrap: BootstrapOption = None, topic_prefix: PrefixOption = None,
                      timeout: TimeoutOption = 30.0) -> None:
    """Show the dead letters from offset 0: consumer, original record, reason, age, replayed."""
    from rich.table import Table

    from relais.ops import deadletters

    servers, prefix = _where(bootstrap, topic_prefix)
    with broker_errors(servers):
        letters = asyncio.run(deadletters.list_dead_letters(servers, prefix, consumer=consumer,
                                                            reason_contains=reason_contains, timeout=timeout))
    table = Table("offset", "consumer", "original (topic/partition/offset)", "reason", "age", "replayed")
    for letter in letters:
        table.add_row(str(letter.offset), letter.consumer, f"{letter.topic}/{letter.partition}/{letter.original_offset}",
                      letter.reason, _age(letter.age()), "yes" if letter.replayed else "")
    print_table(table)
    console.print(f"{len(letters)} dead letters")


@dead_letters.command("replay")
def replay_dead_letters(consumer: ConsumerOption = None, reason_contains: ReasonOption = None,
                        bootstrap: BootstrapOption = None, topic_prefix: PrefixOption = None,
                        timeout: TimeoutOption = 30.0) -> None:
    """Send the originals of the selected dead letters to their topics again (once: replays are remembered)."""
    from relais.ops import deadletters

    servers, prefix = _where(bootstrap, topic_prefix)
    with broker_errors(servers):
        outcome = asyncio.run(deadletters.replay_dead_letters(servers, prefix, consumer=consumer,
                                                              reason_contains=reason_contains, timeout=timeout))
    console.print(f"{outcome.selected} dead letters selected: {outcome.sent} records replayed, "
                  f"{outcome.already_replayed} replayed before")


RestoreTarget = enum.Enum("RestoreTarget", {**{name: name for name in SERVICES}, "all": "all"}, type=str)  # type: ignore[misc]


def restore(
    target: Annotated[RestoreTarget, typer.Option("--service", help="The service to restore, or all.")] = "all",  # type: ignore[assignment]
    bootstrap: BootstrapOption = None,
    topic_prefix: PrefixOption = None,
) -> None:
    """After a broker lost its data: create the topics and republish every service's history from its store."""
    from relais.ops.restore import NoStore, restore_service

    service = RestoreTarget(target).value
    overrides: dict[str, str] = {}
    if bootstrap:
        overrides["kafka_bootstrap_servers"] = bootstrap
    if topic_prefix is not None:
        overrides["topic_prefix"] = topic_prefix
    settings = load_settings(**overrides)
    chosen = list(SERVICES) if service == "all" else [service]
    for name in chosen:
        try:
            with broker_errors(settings.kafka_bootstrap_servers):
                outcome = asyncio.run(restore_service(settings, name))
        except NoStore as missing:
            if service != "all":
                console.print(f"[bold red]error:[/] {missing}")
                raise typer.Exit(1) from None
            console.print(f"[dim]{missing}: skipped[/]")
            continue
        console.print(f"[green]{name}[/]: {outcome.events} events in the store, {outcome.published} republished")


def register(app: typer.Typer) -> None:
    """Add the operations commands to the ``relais`` app."""
    app.add_typer(dead_letters, name="dead-letters")
    app.command()(restore)


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / 86400:.0f}d"
