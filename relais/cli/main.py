"""The ``relais`` command: run the broker, one service, or the whole platform on this machine."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Annotated

import typer

from relais.cli import analyst, mail, ops, platforms, privacy, tokens, users
from relais.cli.console import console, foreground
from relais.cli.stores import Service
from shared.settings import DEFAULT_PORTS, load_settings

app = typer.Typer(name="relais", help="Relais: the federation's event-sourced platform.", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)

@app.command()
def broker(
    port: Annotated[int, typer.Option(help="Port the broker listens on.")] = 9092,
    host: Annotated[str, typer.Option(help="Address the broker listens on.")] = "127.0.0.1",
    partitions: Annotated[int | None, typer.Option(help="Partitions of every topic (default: from the topic table).")] = None,
    topic_prefix: Annotated[str, typer.Option(help="Prefix of the topics created.")] = "",
) -> None:
    """Run the embedded Tansu broker (memory only) in the foreground with the topics created; Ctrl-C stops it."""
    from relais.devstack.tansu import EmbeddedBroker

    with foreground(), EmbeddedBroker(port, host, topic_prefix=topic_prefix, partitions=partitions) as embedded:
        assert embedded.process is not None
        console.print(f"[green]Tansu broker ready[/] at [bold]{embedded.bootstrap}[/] (pid {embedded.process.pid}), "
                      f"{len(embedded.topics)} topics: {', '.join(embedded.topics)}")
        console.print("[dim]Memory only: everything is lost when it stops. Ctrl-C to stop.[/]")
        while embedded.running:
            time.sleep(0.2)
        console.print(f"[bold red]error:[/] the broker exited unexpectedly (exit code {embedded.process.returncode})\n"
                      f"{embedded.log_tail()}")
        raise typer.Exit(1)


@app.command()
def kafka(
    port: Annotated[int, typer.Option(help="Port of the first broker.")] = 9092,
    nodes: Annotated[int, typer.Option(min=1, max=5, help="Nodes of the cluster (3: replication factor 3, min ISR 2).")] = 1,
    partitions: Annotated[int | None, typer.Option(help="Partitions of every topic (default: from the topic table).")] = None,
    topic_prefix: Annotated[str, typer.Option(help="Prefix of the topics created.")] = "",
    data_dir: Annotated[Path | None, typer.Option(help="Folder of the brokers' storage, kept after Ctrl-C "
                                                       "(default: a temporary folder, removed).")] = None,
) -> None:
    """Run Apache Kafka (KRaft, from the jars `make system-deps` copies from Maven Central) in the foreground."""
    from relais.devstack.kafka import KafkaCluster

    cluster = KafkaCluster(nodes, port=port, topic_prefix=topic_prefix, partitions=partitions, folder=data_dir)
    with foreground(), cluster:
        console.print(f"[green]Apache Kafka {cluster.version} ready[/] at [bold]{cluster.bootstrap}[/] "
                      f"({nodes} node(s), replication factor {cluster.replication_factor}), "
                      f"{len(cluster.topics)} topics. Ctrl-C to stop.")
        while all(node.running for node in cluster.nodes):
            time.sleep(0.5)
        console.print(f"[bold red]error:[/] a Kafka node exited unexpectedly\n{cluster.log_tail()}")
        raise typer.Exit(1)


@app.command()
def topics(
    bootstrap: Annotated[str | None, typer.Option(help="Bootstrap servers (default: RELAIS_KAFKA_BOOTSTRAP_SERVERS).")] = None,
    topic_prefix: Annotated[str | None, typer.Option(help="Topic prefix (default: RELAIS_TOPIC_PREFIX).")] = None,
    partitions: Annotated[int | None, typer.Option(help="Partitions of every topic (default: from the topic table).")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the broker.")] = 10.0,
) -> None:
    """Create the topics of the bus on a running broker (existing ones are left as they are)."""
    from shared.messaging.admin import ensure_topics, wait_until_ready

    settings = load_settings()
    servers = bootstrap or settings.kafka_bootstrap_servers
    prefix = settings.topic_prefix if topic_prefix is None else topic_prefix

    async def create() -> list[str]:
        await wait_until_ready(servers, timeout)
        return await ensure_topics(servers, prefix, partitions)

    try:
        names = asyncio.run(create())
    except TimeoutError as error:
        console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(1) from None
    console.print(f"[green]{len(names)} topics[/] on {servers}: {', '.join(names)}")


@app.command()
def serve(
    service: Annotated[Service, typer.Argument(help="The service to run.")],
    port: Annotated[int | None, typer.Option(help="HTTP port (default: the service's default port).")] = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: RELAIS_HOST).")] = None,
    app_factory: Annotated[str, typer.Option(hidden=True, help="Import string of the app factory.")] = "",
) -> None:
    """Run one service's HTTP app (and its consumers) with uvicorn."""
    import uvicorn

    from relais.services import registered

    name = service.value
    factory = app_factory.format(service=name) if app_factory else registered(name).app_factory
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # the relay reports broker loss once, not every 100 ms
    logging.getLogger("faststream.access.kafka").addFilter(_not_supervisor_chatter)
    uvicorn.run(factory, factory=True, host=host or load_settings().host, port=port or DEFAULT_PORTS[name],
                access_log=False)


def _not_supervisor_chatter(record: logging.LogRecord) -> bool:
    """FastStream logs "callback for Task-N is being executed..." at INFO for each consumer task that ends."""
    return "is being executed..." not in record.getMessage()


PortsOption = Annotated[list[str] | None, typer.Option("--port", help="SERVICE=PORT, to move a service (repeatable).")]
BrokerPortOption = Annotated[int, typer.Option(help="Port of the embedded broker.")]
BootstrapOption = Annotated[str | None, typer.Option(help="Use this running Kafka instead of starting Tansu.")]
KafkaOption = Annotated[bool, typer.Option("--kafka", help="Start Apache Kafka (the jars of `make system-deps`) "
                                                         "instead of the embedded Tansu.")]
DataDirOption = Annotated[Path | None, typer.Option(help="Folder of the SQLite stores (default: RELAIS_DATA_DIR).")]
GraceOption = Annotated[float, typer.Option(help="Seconds a process gets to stop before it is killed.")]
FactoryOption = Annotated[str, typer.Option(hidden=True, help="Import string template of the app factories.")]


@app.command()
def up(
    port: PortsOption = None,
    broker_port: BrokerPortOption = 9092,
    bootstrap: BootstrapOption = None,
    kafka: KafkaOption = False,
    data_dir: DataDirOption = None,
    partitions: Annotated[int | None, typer.Option(help="Partitions of every topic.")] = None,
    grace: GraceOption = 10.0,
    app_factory: FactoryOption = "",
) -> None:
    """Run the broker and the four services, each in its own process; Ctrl-C stops them all."""
    from relais.cli.stack import run_stack

    run_stack(ports=port, broker_port=broker_port, bootstrap=bootstrap, data_dir=data_dir,
              partitions=partitions, grace=grace, app_factory=app_factory, demo=False, apache_kafka=kafka)


@app.command()
def demo(
    port: PortsOption = None,
    broker_port: BrokerPortOption = 9092,
    bootstrap: BootstrapOption = None,
    kafka: KafkaOption = False,
    data_dir: Annotated[Path | None, typer.Option(help="Folder of the SQLite stores (default: a fresh temporary folder).")] = None,
    grace: GraceOption = 10.0,
    app_factory: FactoryOption = "",
) -> None:
    """Like `up`, then load the demo data once every service answers; Ctrl-C stops everything."""
    from relais.cli.stack import run_stack

    run_stack(ports=port, broker_port=broker_port, bootstrap=bootstrap, data_dir=data_dir,
              partitions=None, grace=grace, app_factory=app_factory, demo=True, apache_kafka=kafka)


ops.register(app)
analyst.register(app)
privacy.register(app)
tokens.register(app)
platforms.register(app)
mail.register(app)
users.register(app)

if __name__ == "__main__":
    app()
