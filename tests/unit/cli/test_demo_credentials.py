"""``relais demo`` prints the demo tokens whole, on one line each, even in a narrow terminal."""

from __future__ import annotations

import io

from rich.console import Console

from relais.cli.stack import demo_credentials_table, print_unwrapped
from shared.settings import Settings

TOKENS = {"limoges": {"lim-ecoutante-1": "rls_aaa494d1a7c8bac0_Fi44CmILOr1IEf96DVQ_nUHk-HuVhJQVLupp0a3Gj4Y",
                      "lim-coordination": "rls_ddeb6743f0785f66_fu44YOCAe82-4LNnXOHpbUdvHPCL2Y8HILJEYahLhuY"}}


def test_tokens_are_printed_whole_in_an_80_column_terminal(tmp_path) -> None:
    out = io.StringIO()
    narrow = Console(file=out, width=80, color_system=None)

    print_unwrapped(demo_credentials_table(TOKENS, Settings(data_dir=tmp_path)), narrow)

    lines = out.getvalue().splitlines()
    for username, token in TOKENS["limoges"].items():
        assert any(token in line and username in line for line in lines), out.getvalue()
    assert "…" not in out.getvalue()


def test_the_demo_issues_an_analyst_token_per_platform_and_prints_one(tmp_path) -> None:
    from relais.devstack.demo import issue_demo_tokens
    from relais.devstack.demo_data import DEMO_PLATFORM_IDS
    from shared.security.principals import Role
    from shared.security.tokens import TokenRegistry

    settings = Settings(data_dir=tmp_path)
    credentials = issue_demo_tokens(settings, "rls_0000000000000000_admin", {})
    registry = TokenRegistry.load(tmp_path / "tokens.yaml")
    for platform_id in DEMO_PLATFORM_IDS:
        roles = {registry.authenticate(token).role for token in credentials[platform_id].values()}
        assert Role.ANALYST in roles, platform_id
    out = io.StringIO()

    print_unwrapped(demo_credentials_table(credentials, settings), Console(file=out, width=80, color_system=None))

    assert credentials["limoges"]["lim-observatoire"] in out.getvalue()
    assert "lim-observatoire (analyst)" in out.getvalue()


def test_the_demo_says_how_analysts_reach_its_temporary_stores(tmp_path) -> None:
    from relais.cli.stack import analyst_hint

    hint = analyst_hint(Settings(data_dir=tmp_path, database_url=None), temporary=True)

    assert hint is not None and f"RELAIS_DATA_DIR={tmp_path} relais history REQUEST_ID" in hint
    assert "deleted at Ctrl-C" in hint
    assert analyst_hint(Settings(data_dir=tmp_path, database_url="postgresql+asyncpg://db/{service}"),
                        temporary=False) is None


def test_the_hint_names_the_bus_when_the_demo_moved_it(tmp_path) -> None:
    from relais.cli.stack import analyst_hint

    hint = analyst_hint(Settings(data_dir=tmp_path, database_url=None, kafka_bootstrap_servers="127.0.0.1:19092"),
                        temporary=False)

    assert hint is not None and "RELAIS_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:19092" in hint
    assert "deleted" not in hint
    usual = Settings(data_dir=tmp_path, database_url=None, kafka_bootstrap_servers="127.0.0.1:9092")
    assert "RELAIS_KAFKA_BOOTSTRAP_SERVERS" not in (analyst_hint(usual, temporary=False) or "")
