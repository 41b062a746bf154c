"""The services' schema migrations from the command line (:mod:`shared.storage.migrate` does the work)::

    python -m relais.ops.migrate revision intake "add request board"   # autogenerate
    python -m relais.ops.migrate upgrade intake sqlite+aiosqlite:///data/intake.db
"""

from __future__ import annotations

import argparse

from relais.services import REGISTRY
from shared.storage.migrate import revision, upgrade


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m relais.ops.migrate", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("revision", help="autogenerate the next revision of a service")
    new.add_argument("service", choices=list(REGISTRY))
    new.add_argument("message")
    up = commands.add_parser("upgrade", help="bring a service's database to the latest revision")
    up.add_argument("service", choices=list(REGISTRY))
    up.add_argument("url")
    args = parser.parse_args(argv)
    location = REGISTRY[args.service].migrations
    if args.command == "revision":
        print(revision(location, args.message))
    else:
        upgrade(args.url, location)


if __name__ == "__main__":
    main()
