"""Command line: `odoorpc-server serve ...`."""
from __future__ import annotations

import argparse
import dataclasses
import errno
import json
import logging
import os
import socket
import sys
from collections.abc import Sequence

from odoorpc_server import master_password
from odoorpc_server.security import DEFAULT_ROUNDS
from odoorpc_server.services import bootstrap, demo
from odoorpc_server.settings import Settings
from odoorpc_server.storage.database import Backend
from odoorpc_server.versions import DEFAULT_VERSION, VERSIONS

LOG_LEVELS = ("debug", "info", "warning", "error")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="odoorpc-server", description="A server answering Odoo's external API.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the XML-RPC API (creates the database on first start)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8069)
    serve.add_argument("--data-dir", default="./odoorpc-data", help="where SQLite databases live")
    serve.add_argument("--db-url", default=None,
                       help="PostgreSQL server instead of SQLite, e.g. postgresql+psycopg://user@host:5432")
    serve.add_argument("--database", default="odoo", help="database created and initialised at start")
    serve.add_argument("--demo", action="store_true", help="load demo contacts into a new database")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (each runs 8 threads)")
    serve.add_argument("--password-rounds", type=int, default=DEFAULT_ROUNDS,
                       help="pbkdf2-sha512 rounds for new password hashes (Odoo uses 600000)")
    serve.add_argument("--master-password", default=None,
                       help="password of the db service (default: the hash in <data-dir>/odoorpc-server.conf, "
                            "generated and printed at the first start)")
    serve.add_argument("--config", default=None, metavar="FILE",
                       help="Odoo-style config file ([options] admin_passwd / master_password, list_db) holding "
                            "the master password's hash (default: <data-dir>/odoorpc-server.conf)")
    serve.add_argument("--no-database-list", action="store_true",
                       help="as Odoo's list_db = False: db.list and /web/database/list answer Access Denied, "
                            "and the db service's management methods are refused")
    serve.add_argument("--odoo-version", default=DEFAULT_VERSION, choices=VERSIONS,
                       help="the Odoo version to answer as (README: what differs between versions)")
    serve.add_argument("--public-url", default=None, help="URL announced by /start (demo mode)")
    serve.add_argument("--demo-ttl", type=_duration, default=3600.0, metavar="DURATION",
                       help="demo mode: databases made by POST /start are dropped after this long "
                            "(seconds, or e.g. 30m, 1h; default 1h)")
    serve.add_argument("--demo-max", type=_positive, default=20, metavar="N",
                       help="demo mode: at most N databases made by POST /start live at once (default 20)")
    serve.add_argument("--login-cooldown-after", type=int, default=5,
                       help="failed logins of one login, or from one address, before new credentials are "
                            "refused for a while (0: off)")
    serve.add_argument("--login-cooldown-duration", type=float, default=60.0, help="seconds of that refusal")
    serve.add_argument("--statement-timeout", type=float, default=60.0, metavar="SECONDS",
                       help="PostgreSQL: cancel a statement running longer (0: no bound)")
    serve.add_argument("--request-timeout", type=float, default=10.0, metavar="SECONDS",
                       help="a request's head (and body, plus 1 s per MB) must arrive within this (0: no bound)")
    serve.add_argument("--log-level", default="warning", choices=LOG_LEVELS,
                       help="level of the server's own log lines (each carries the process id)")
    serve.add_argument("--access-log", default=None, metavar="PATH",
                       help="write one line per HTTP request to PATH ('-': standard output), with the pid "
                            "of the worker process that answered")
    serve.add_argument("--proxy-mode", action="store_true",
                       help="as Odoo's: behind one reverse proxy (nginx), take the client's address, scheme and "
                            "host from its X-Forwarded-For/-Proto/-Host headers (ignored otherwise)")
    serve.add_argument("--load", action="append", default=[], metavar="FILE",
                       help="load a data file (YAML or JSON) into the database at start (repeatable)")
    testing = serve.add_argument_group("testing integrations (README: testing your integration)")
    testing.add_argument("--call-log", default=None, metavar="PATH",
                         help="append every call to PATH as one JSON line (secrets masked)")
    testing.add_argument("--inject", action="append", default=[], metavar="MODEL.METHOD:OPTIONS",
                         help="make matching calls fail, e.g. 'res.partner.write:code=2,times=3,message=Busy' "
                              "(code 1-4, times omitted: every call, delay=200ms); repeatable")
    testing.add_argument("--latency", action="append", default=[], metavar="MODEL.METHOD:DURATION",
                         help="make matching calls answer late, e.g. 'res.partner.*:200ms'; repeatable")
    testing.add_argument("--harness-token", default=os.environ.get("ODOORPC_HARNESS_TOKEN") or None,
                         help="enables the harness control route for requests carrying this token in the "
                              "X-Odoorpc-Harness header (default: $ODOORPC_HARNESS_TOKEN)")

    password = sub.add_parser("password", help="set a user's password")
    _database_options(password)
    password.add_argument("--login", required=True)
    password.add_argument("--password", help="the new password (read from standard input when omitted)")
    password.add_argument("--password-rounds", type=int, default=DEFAULT_ROUNDS)

    apikey = sub.add_parser("apikey", help="create, list and revoke API keys")
    actions = apikey.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a key; the key alone is printed on the last line")
    _database_options(create)
    create.add_argument("--login", required=True)
    create.add_argument("--name", required=True, help="what the key is for")
    create.add_argument("--scope", default=None)
    create.add_argument("--expires", default=None, help="expiration date, YYYY-MM-DD")
    listing = actions.add_parser("list", help="list keys (never the keys themselves)")
    _database_options(listing)
    listing.add_argument("--login", default=None)
    revoke = actions.add_parser("revoke", help="revoke a key by id")
    _database_options(revoke)
    revoke.add_argument("--id", type=int, required=True)

    oauth = sub.add_parser("oauth", help="create, list and revoke OAuth applications (REST API)")
    oauth_actions = oauth.add_subparsers(dest="action", required=True)
    app_create = oauth_actions.add_parser(
        "create", help="create an application; client_id and client_secret are printed on the last two lines")
    _database_options(app_create)
    app_create.add_argument("--login", required=True, help="the user the application acts as")
    app_create.add_argument("--name", default="REST API", help="what the application is")
    app_create.add_argument("--redirect-uri", default=None, help="the only redirect URI / callback it may use")
    app_list = oauth_actions.add_parser("list", help="list applications (never their secrets)")
    _database_options(app_list)
    app_list.add_argument("--login", default=None)
    app_revoke = oauth_actions.add_parser("revoke", help="delete an application and its tokens")
    _database_options(app_revoke)
    app_revoke.add_argument("client_id")

    load = sub.add_parser("load", help="load data files (YAML or JSON) into a database; prints {xml_id: id}")
    _database_options(load)
    load.add_argument("files", nargs="+", metavar="FILE")
    return parser


def _duration(text: str) -> float:
    try:
        return demo.parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


def _database_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data-dir", default="./odoorpc-data")
    where.add_argument("--db-url", default=None)
    parser.add_argument("--database", required=True)


def serve(args: argparse.Namespace) -> int:
    from odoorpc_server.server import GunicornServer

    logging.getLogger("odoorpc_server").setLevel(args.log_level.upper())
    taken = port_in_use(args.host, args.port)
    if taken:
        print(f"odoorpc-server: cannot listen on {args.host}:{args.port}: {taken}", file=sys.stderr)
        return 1
    url = args.public_url or f"http://{args.host}:{args.port}"
    settings = Settings(data_dir=args.data_dir, db_url=args.db_url, database=args.database, demo=args.demo,
                        password_rounds=args.password_rounds, public_url=url, version=args.odoo_version,
                        login_cooldown_after=args.login_cooldown_after,
                        login_cooldown_duration=args.login_cooldown_duration,
                        statement_timeout=args.statement_timeout, demo_ttl=args.demo_ttl, demo_max=args.demo_max,
                        proxy_mode=args.proxy_mode, call_log=args.call_log,
                        harness_token=args.harness_token, inject=tuple(args.inject), latency=tuple(args.latency))
    problem = harness_problem(settings)
    if problem:
        print(f"odoorpc-server: {problem}", file=sys.stderr)
        return 2
    backend = Backend(args.data_dir, args.db_url, args.statement_timeout)
    try:
        created = bootstrap.initialise(backend, args.database, settings, demo=args.demo)
    except bootstrap.ForeignDatabase as error:
        print(f"odoorpc-server: {error}", file=sys.stderr)
        return 1
    ready = demo.prepare(backend, settings) if args.demo else ()  # expired ones dropped, the template
    bootstrap.upgrade_all(backend, settings, done=(args.database, *ready))
    backend.dispose()
    # --load files go into the served database and the demo template, so /start's copies have them
    if args.load and any(load_files(settings, name, args.load) is None for name in (args.database, *ready)):
        return 1
    # after the database: a password generated now is printed below, never lost to a failed start
    master = master_password.resolve(args.data_dir, args.master_password, args.password_rounds, args.config)
    list_db = not args.no_database_list and master_password.list_db(master.path)
    settings = dataclasses.replace(settings, master_password_hash=master.hash, master_password_file=str(master.path),
                                   list_db=list_db)
    where = args.db_url or f"SQLite files in {args.data_dir}"
    state = "created" if created else "existing"
    # the credentials are known only when this start created them
    login = f"  login: admin  password: {settings.admin_password}\n" if created else ""
    print(f"odoorpc-server listening on {url}  ({state} database {args.database!r} on {where})\n{login}"
          f"  e.g. xmlrpc.client.ServerProxy('{url}/xmlrpc/2/common').version()\n"
          f"  {master_banner(master)}", flush=True)
    GunicornServer(settings, args.host, args.port, args.workers, access_log=args.access_log,
                   request_timeout=args.request_timeout).run()
    return 0


def harness_problem(settings: Settings) -> str | None:
    """What is wrong with `--inject` / `--latency` (None: nothing), before anything starts."""
    from odoorpc_server.services.harness import parse_rule

    for spec, latency in [(spec, False) for spec in settings.inject] + [(spec, True) for spec in settings.latency]:
        try:
            parse_rule(spec, latency)
        except ValueError as error:
            return f"{'--latency' if latency else '--inject'}: {error}"
    return None


def port_in_use(host: str, port: int) -> str | None:
    """Why the address cannot be listened on (None when it can), before anything else starts."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return "the port is already in use (is another server running? choose another with --port)"
        return error.strerror or str(error)
    return None


def master_banner(master: master_password.MasterPassword) -> str:
    if master.generated:
        return f"master password for the db service: {master.generated}, stored hashed in {master.path}"
    if master.given_on_command_line:
        return f"db service: master password from --master-password, stored hashed in {master.path}"
    return f"db service: master password hash read from {master.path}"


def load_files(settings: Settings, database: str, files: list[str]) -> dict[str, int] | None:
    """The data files loaded into `database` (`{xml_id: id}`), or None once the error is printed."""
    from odoorpc_server.services import datafile

    try:
        return datafile.load_into(settings, database, files)
    except datafile.DataFileError as error:
        print(f"odoorpc-server: {error}", file=sys.stderr)
        return None


def load(args: argparse.Namespace) -> int:
    settings = Settings(data_dir=args.data_dir, db_url=args.db_url, database=args.database)
    made = load_files(settings, args.database, args.files)
    if made is None:
        return 1
    print(json.dumps(made, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "load":
        return load(args)
    from odoorpc_server import admin

    try:
        if args.command == "password":
            return admin.set_password(args)
        if args.command == "oauth":
            return {"create": admin.create_application, "list": admin.list_applications,
                    "revoke": admin.revoke_application}[args.action](args)
        return {"create": admin.create_key, "list": admin.list_keys, "revoke": admin.revoke_key}[args.action](args)
    except admin.CommandError as error:
        print(f"odoorpc-server: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
