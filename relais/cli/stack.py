"""``relais up`` and ``relais demo``: the broker and the four services, supervised together."""

from __future__ import annotations

import asyncio
import shlex
import shutil
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import cast

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from relais.cli.console import ColorSystem, console, foreground, print_table
from relais.devstack import stack
from relais.devstack.demo import DEMO_PASSWORD, demo_email
from relais.devstack.demo_data import DEMO_DESK_IDS, DEMO_PLATFORM_IDS, demo_users
from relais.devstack.kafka import KafkaCluster
from relais.devstack.smtp_sink import SmtpSink
from relais.devstack.stack import ChildDied, ServiceProcess, StackError
from relais.devstack.supervisor import Supervisor
from relais.devstack.tansu import EmbeddedBroker
from shared.messaging.admin import ensure_topics, wait_until_ready
from shared.settings import Settings, load_settings


def check_policies(settings: Settings) -> None:
    """Stop before starting anything when a platform policy file is invalid: one French line naming the file, the
    field and the reason (exit 1), rather than four services failing one after the other."""
    from shared.platforms.loader import PolicyError, load_policies

    try:
        load_policies(settings.platforms_dir)
    except PolicyError as error:
        console.print(f"[bold red]erreur :[/] {escape(error.french_line())} ; corrigez-le, vérifiez avec "
                      f"`relais platforms check {escape(str(settings.platforms_dir))}`, puis relancez.", soft_wrap=True)
        raise typer.Exit(1) from None


def parse_ports(values: Sequence[str] | None) -> dict[str, int]:
    """``["intake=9001", ...]`` as ``{"intake": 9001, ...}``."""
    ports: dict[str, int] = {}
    for value in values or ():
        name, _, port = value.partition("=")
        if not port.isdigit():
            raise StackError(f"--port expects SERVICE=PORT, got {value!r}")
        ports[name.strip()] = int(port)
    return ports


def run_stack(
    *,
    ports: Sequence[str] | None,
    broker_port: int,
    bootstrap: str | None,
    data_dir: Path | None,
    partitions: int | None,
    grace: float,
    app_factory: str,
    demo: bool,
    apache_kafka: bool = False,
    startup_timeout: float = 60.0,
) -> None:
    """Start everything, report where to look, then block until Ctrl-C or until a process dies (exit 1)."""
    settings = load_settings()
    check_policies(settings)
    with foreground(), ExitStack() as running:
        services = stack.plan_services(settings.host, parse_ports(ports))
        stack.check_ports_free(services)
        temporary = data_dir is None and demo
        if temporary:
            data_dir = Path(tempfile.mkdtemp(prefix="relais-demo-"))
            running.callback(shutil.rmtree, data_dir, True)
        data_dir = stack.ensure_data_dir(data_dir or settings.data_dir)

        broker: EmbeddedBroker | KafkaCluster | None = None
        if bootstrap is None:
            if apache_kafka:
                broker = KafkaCluster(port=broker_port, topic_prefix=settings.topic_prefix, partitions=partitions)
            else:
                broker = EmbeddedBroker(broker_port, topic_prefix=settings.topic_prefix, partitions=partitions)
            running.enter_context(broker)
            bootstrap = broker.bootstrap
        else:
            _create_topics(bootstrap, settings.topic_prefix, partitions)
        url_of = {service.name: service.url for service in services}
        shared_settings = stack.broker_appropriate(settings.model_copy(update={
            "kafka_bootstrap_servers": bootstrap, "data_dir": data_dir, "matching_url": url_of["matching"],
            "employment_url": url_of["employment"], "console_url": settings.console_url if "console_url" in settings.model_fields_set else url_of["intake"]}), broker)

        sink = running.enter_context(SmtpSink(data_dir / "mail", settings.host)) if demo else None
        supervisor = running.enter_context(Supervisor(grace=grace, console=console))
        if broker is not None and broker.process is not None:
            supervisor.watch("broker", broker.process)
        env = stack.service_env(shared_settings)
        env.setdefault("RELAIS_FEEDBACK_PUBLIC_URL", next(s.url for s in services if s.name == "feedback"))
        if sink is not None:
            env.update(sink.service_env())
        for service in services:
            supervisor.spawn(service.name, stack.serve_argv(service, app_factory), env=env)
        stack.wait_healthy(services, supervisor, startup_timeout)
        console.print("[green]All services answer /health.[/]")

        if demo:
            _load_demo(services, shared_settings)
        print_table(where_to_look(services, shared_settings, broker=broker, mail=sink))
        if (hint := analyst_hint(shared_settings, temporary=temporary)) is not None:
            console.print(hint, soft_wrap=True, markup=False)
        raise ChildDied(*supervisor.wait())


def _create_topics(bootstrap: str, prefix: str, partitions: int | None) -> None:
    async def create() -> None:
        await wait_until_ready(bootstrap, 30.0)
        await ensure_topics(bootstrap, prefix, partitions)

    try:
        asyncio.run(create())
    except TimeoutError as error:
        raise StackError(str(error)) from None


def _load_demo(services: list[ServiceProcess], settings: Settings) -> None:
    console.print("Loading the demo data…")
    credentials = stack.load_demo({service.name: service.url for service in services}, settings)
    console.print("[green]Demo data loaded.[/]")
    if isinstance(credentials, dict):
        print_unwrapped(demo_credentials_table(credentials, settings), console)


def print_unwrapped(table: Table, out: Console) -> None:
    """Print ``table`` on ``out``, wider than the terminal if need be, so that no token is cut."""
    wide = Console(file=out.file, width=max(out.width, natural_width(table)),
                   force_terminal=out.is_terminal, color_system=cast(ColorSystem | None, out.color_system))
    wide.print(table)


def natural_width(table: Table) -> int:
    """The width at which no cell of ``table`` wraps (tokens must stay on one line to be copied)."""
    columns = [max([len(str(column.header)), *(len(str(cell)) for cell in column.cells)]) for column in table.columns]
    return sum(columns) + 3 * len(columns) + 1


def demo_credentials_table(credentials: dict[str, dict[str, str]], settings: Settings) -> Table:
    """A few demo accounts to sign in to the console with; all of them are in demo-credentials.json."""
    table = Table(title=f"Demo accounts (all in {settings.data_dir / 'demo-credentials.json'})", title_justify="left")
    table.add_column("Platform", style="bold")
    table.add_column("User")
    table.add_column(f"Sign in on /connexion (password {DEMO_PASSWORD})", no_wrap=True)
    table.add_column("API token (machines: /console#jeton)", no_wrap=True)
    roles = {user["username"]: user["role"] for platform_id in DEMO_PLATFORM_IDS + DEMO_DESK_IDS
             for user in demo_users(platform_id)}
    for platform_id, users in credentials.items():
        shown: set[str] = set()
        for username, token in users.items():
            role = roles.get(username, "federation_admin")
            if role not in shown and role != "provider":
                shown.add(role)
                email = demo_email("admin" if role == "federation_admin" else username)
                table.add_row(platform_id, f"{username} ({role})", email, token)
    return table


def where_to_look(services: list[ServiceProcess], settings: Settings, *,
                  broker: EmbeddedBroker | KafkaCluster | None, mail: SmtpSink | None = None) -> Table:
    """The table of addresses printed once the platform runs (with the demo's SMTP sink, when there is one)."""
    table = Table(title="Relais is running — Ctrl-C stops everything", title_justify="left")
    table.add_column("Service", style="bold", no_wrap=True)
    table.add_column("URL", no_wrap=True)
    table.add_column("Pages (under the URL)", overflow="fold")
    for service in services:
        pages = ["/docs (API)", "/metrics"]
        if service.name == "intake":
            pages.insert(0, "/console")
        table.add_row(service.name, service.url, "  ".join(pages))
    if isinstance(broker, KafkaCluster):
        kind = f"Apache Kafka {broker.version}, data in {broker.folder} (removed at Ctrl-C)"
    else:
        kind = "embedded Tansu, memory only" if broker is not None else "external Kafka"
    prefix = f"; topic prefix {settings.topic_prefix!r}" if settings.topic_prefix else ""
    table.add_row("broker", settings.kafka_bootstrap_servers, kind + prefix)
    stores = "RELAIS_DATABASE_URL" if settings.database_url else f"SQLite in {settings.data_dir}"
    table.add_row("stores", "", stores)
    if mail is not None:
        table.add_row("mail", mail.address, f"every email sent (offers, surveys): `relais mail`; letters in "
                                            f"{settings.data_dir / 'letters'}")
    return table


def analyst_hint(settings: Settings, *, temporary: bool) -> str | None:
    """How to point the analysts' commands, run from another shell, at these stores (None on PostgreSQL)."""
    if settings.database_url:
        return None
    folder = settings.data_dir.resolve()
    variable = f"RELAIS_DATA_DIR={shlex.quote(str(folder))}"
    lifetime = " (a temporary folder, deleted at Ctrl-C)" if temporary else ""
    default_bus = Settings.model_fields["kafka_bootstrap_servers"].default
    bus = (f"; replay also reads the bus: RELAIS_KAFKA_BOOTSTRAP_SERVERS={settings.kafka_bootstrap_servers}"
           if settings.kafka_bootstrap_servers != default_bus else "")
    return (f"Analysts' commands read the stores in {folder}{lifetime}; from another shell:\n"
            f"  {variable} relais history REQUEST_ID\n"
            f"  (the same for replay, export, export-directory, erase-resident, token and mail{bus})")
