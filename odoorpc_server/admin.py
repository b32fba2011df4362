"""Administration commands run directly against a database: passwords and API keys."""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

import odoorpc_server.models  # noqa: F401  (registers the per-model classes)
from odoorpc_server.orm.env import SUPERUSER_ID, Env
from odoorpc_server.orm.registry import Registry
from odoorpc_server.security import APIKEYS, generate_api_key
from odoorpc_server.settings import Settings
from odoorpc_server.storage import migrate
from odoorpc_server.storage.database import Backend


class CommandError(Exception):
    """A command that cannot be carried out, explained to the operator."""


@contextmanager
def superuser(args: argparse.Namespace, rounds: int | None = None) -> Iterator[Env]:
    backend = Backend(args.data_dir or "./odoorpc-data", args.db_url)
    if not backend.exists(args.database):
        raise CommandError(f"database {args.database!r} does not exist")
    settings = Settings(password_rounds=rounds) if rounds else Settings()
    try:
        with backend.transaction(args.database) as conn:
            migrate.upgrade(conn)
            env = Env(conn, Registry.load(conn), SUPERUSER_ID, {"active_test": False},
                      su=True, settings=settings)
            yield env
    finally:
        backend.dispose()


def user_id(env: Env, login: str) -> int:
    found = env.conn.execute(sa.text("SELECT id FROM res_users WHERE login = :l"), {"l": login}).scalar()
    if found is None:
        raise CommandError(f"no user with login {login!r}")
    return int(found)


def set_password(args: argparse.Namespace) -> int:
    password = args.password if args.password is not None else (
        getpass.getpass("New password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n"))
    if not password:
        raise CommandError("Setting empty passwords is not allowed for security reasons!")
    with superuser(args, args.password_rounds) as env:
        env["res.users"].write([user_id(env, args.login)], {"password": password})
    print(f"password of {args.login!r} changed")
    return 0


def create_key(args: argparse.Namespace) -> int:
    expiration = None
    if args.expires:
        try:
            expiration = dt.datetime.strptime(args.expires, "%Y-%m-%d").replace(hour=23, minute=59, second=59)
        except ValueError:
            raise CommandError(f"--expires must be a date YYYY-MM-DD, not {args.expires!r}") from None
    with superuser(args) as env:
        kid, key = generate_api_key(env.conn, user_id(env, args.login), args.name, args.scope,
                                    expiration)
    print(f"API key {kid} created for {args.login!r} ({args.name}); it is shown only once:")
    print(key)
    return 0


def list_keys(args: argparse.Namespace) -> int:
    with superuser(args) as env:
        users = sa.table("res_users", sa.column("id"), sa.column("login"))
        query = sa.select(APIKEYS.c.id, users.c.login, APIKEYS.c.name, APIKEYS.c.scope, APIKEYS.c.create_date,
                          APIKEYS.c.expiration_date).join(users, users.c.id == APIKEYS.c.user_id).order_by(APIKEYS.c.id)
        if args.login:
            query = query.where(users.c.login == args.login)
        rows = env.conn.execute(query).all()
    print("id\tlogin\tname\tscope\tcreated\texpires")
    for r in rows:
        print(f"{r.id}\t{r.login}\t{r.name}\t{r.scope or ''}\t{str(r.create_date)[:19]}\t"
              f"{str(r.expiration_date)[:19] if r.expiration_date else 'never'}")
    return 0


def revoke_key(args: argparse.Namespace) -> int:
    with superuser(args) as env:
        deleted = env.conn.execute(sa.delete(APIKEYS).where(APIKEYS.c.id == args.id)).rowcount
    if not deleted:
        raise CommandError(f"no API key with id {args.id}")
    print(f"API key {args.id} revoked")
    return 0


def create_application(args: argparse.Namespace) -> int:
    """An OAuth application of a user; its secret is printed once and never stored."""
    from odoorpc_server.storage import oauth

    with superuser(args) as env:
        client_id, secret = oauth.create_application(env.conn, user_id(env, args.login), args.name,
                                                     args.redirect_uri)
    print(f"OAuth application {args.name!r} created for {args.login!r}; the secret is shown only once:")
    print(f"client_id: {client_id}")
    print(f"client_secret: {secret}")
    return 0


def list_applications(args: argparse.Namespace) -> int:
    from odoorpc_server.storage.oauth import APPLICATIONS, USERS

    with superuser(args) as env:
        query = (sa.select(APPLICATIONS.c.client_id, USERS.c.login, APPLICATIONS.c.name, APPLICATIONS.c.redirect_uri,
                           APPLICATIONS.c.create_date)
                 .join(USERS, USERS.c.id == APPLICATIONS.c.user_id).order_by(APPLICATIONS.c.id))
        if args.login:
            query = query.where(USERS.c.login == args.login)
        rows = env.conn.execute(query).all()
    print("client_id\tlogin\tname\tredirect_uri\tcreated")
    for r in rows:
        print(f"{r.client_id}\t{r.login}\t{r.name}\t{r.redirect_uri or ''}\t{str(r.create_date)[:19]}")
    return 0


def revoke_application(args: argparse.Namespace) -> int:
    """Delete an application; its tokens go with it (ON DELETE CASCADE is not relied upon)."""
    from odoorpc_server.storage.oauth import APPLICATIONS, TOKENS

    with superuser(args) as env:
        found = env.conn.execute(sa.select(APPLICATIONS.c.id)
                                 .where(APPLICATIONS.c.client_id == args.client_id)).scalar()
        if found is not None:
            env.conn.execute(sa.delete(TOKENS).where(TOKENS.c.application_id == found))
            env.conn.execute(sa.delete(APPLICATIONS).where(APPLICATIONS.c.id == found))
    if found is None:
        raise CommandError(f"no OAuth application with client id {args.client_id!r}")
    print(f"OAuth application {args.client_id} revoked")
    return 0
