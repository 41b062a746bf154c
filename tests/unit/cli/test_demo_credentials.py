"""``relais demo`` prints the demo tokens whole, on one line each, even in a narrow terminal."""

from __future__ import annotations

import io

from rich.console import Console

from shared.cli.stack import demo_credentials_table, print_unwrapped
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
