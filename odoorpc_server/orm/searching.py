"""Searching records: search, search_count, search_read, name_search, exists and the access
checks callable over RPC."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import AccessError
from odoorpc_server.orm import access, api
from odoorpc_server.orm.domains import normalize_domain
from odoorpc_server.orm.order import OrderBuilder
from odoorpc_server.orm.reading import Reading
from odoorpc_server.orm.records import ACCESS_MODES, check_bound, normalize_ids
from odoorpc_server.orm.where import name_domain
from odoorpc_server.storage.database import statements

# searches whose statement is kept for reuse: domains, orders, bounds and context up to this
# size in their repr (a huge domain is compiled each time), this many per process and security state
MAX_CACHED_SHAPE = 4000
MAX_CACHED_STATEMENTS = 2000


class Searching(Reading):
    def _search_ids(self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None,
                    active_test: bool | None = None) -> list[int]:
        offset, limit = check_bound(offset, "offset"), check_bound(limit, "limit")
        filtered = self.FILTERED_SEARCH and not self.env.su

        def build() -> Any:
            query = self.env.compiler.ids_query(self.model, domain, active_test)
            builder = OrderBuilder(self.env.registry)
            builder.add(self.model, self.table, order or self.model.order)
            query = builder.apply(query, self.table)
            if not filtered and offset:
                query = query.offset(offset)
            if not filtered and limit:
                query = query.limit(limit)
            return query

        query = self._statement(("search", domain, order, active_test, offset, limit), build)
        if filtered:
            found = self._filter_searched(list(self.conn.execute(query).scalars()))
            return found[offset:offset + limit] if limit else found[offset:]
        return list(self.conn.execute(query).scalars())

    def _statement(self, shape: tuple[Any, ...], build: Any) -> Any:
        """The statement `build()` makes, kept for the same user, registry, context and `shape`
        (the domain, order, bounds...) when its compilation read nothing from the database: a
        search repeated (an integration polling, a list paging) is not compiled again."""
        text = repr((shape, self.env.context))
        if len(text) > MAX_CACHED_SHAPE:
            return build()
        key = (self.env.registry, self.env.uid, self.env.su, self.model.name, text)
        store = access.cache(self.env, "search_statements")
        found = store.get(key)
        if found is not None:
            return found
        before = statements(self.conn)
        query = build()
        if statements(self.conn) == before:
            if len(store) >= MAX_CACHED_STATEMENTS:
                store.clear()
            store[key] = query
        return query

    # -- search -------------------------------------------------------------------------------
    @api.model(readonly=True, when="!search_count_kwarg")
    def search(self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None) -> list[int]:
        self._check_access("read")
        return self._search_ids(domain, offset, limit, order)

    @api.model(readonly=True, name="search", when="search_count_kwarg")
    def _search_counting(self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None,
                         count: bool = False) -> Any:
        """Odoo 16 and earlier: `count=True` answers the number of matches. Odoo's count query
        leaves offset and order aside, and the limit too up to 15; 16's caps the count with it
        (its search_count(domain, limit) is this very call)."""
        self._check_access("read")
        if count:
            return self._count(domain, limit if self.env.profile.has("search_count_limit") else None)
        return self._search_ids(domain, offset, limit, order)

    @api.model(readonly=True, when="search_count_limit")
    def search_count(self, domain: Any, limit: int | None = None) -> int:
        self._check_access("read")
        return self._count(domain, limit)

    @api.model(readonly=True, name="search_count", when="!search_count_limit")
    def _search_count_uncapped(self, args: Any) -> int:
        """Odoo 15 and earlier: no `limit`, the domain parameter is named `args`."""
        self._check_access("read")
        return self._count(args, None)

    def _count(self, domain: Any, limit: Any) -> int:
        limit = check_bound(limit, "limit")
        if self.FILTERED_SEARCH and not self.env.su:
            return len(self._search_ids(domain, 0, limit))
        def build() -> Any:
            query = self.env.compiler.ids_query(self.model, domain)
            if limit:
                query = query.limit(limit)
            return sa.select(sa.func.count()).select_from(query.subquery())

        return int(self.conn.execute(self._statement(("count", domain, limit), build)).scalar_one())

    @api.model(readonly=True)
    def search_read(self, domain: Any = None, fields: Any = None, offset: int = 0, limit: int | None = None,
                    order: str | None = None, **read_kwargs: Any) -> list[dict[str, Any]]:
        self._check_access("read")
        for key in set(read_kwargs) - {"load"}:
            raise TypeError(f"read() got an unexpected keyword argument '{key}'")
        names = self._field_names(fields)
        ids = self._search_ids(domain or [], offset, limit, order)
        if not ids:
            return []
        # the search already applied the read rules: no second check of the same records
        return self._read_all(ids, names if "id" in names else ["id", *names], read_kwargs.get("load", "_classic_read"))

    @api.records(readonly=True)
    def exists(self, ids: Any) -> list[int]:
        return self._existing(normalize_ids(ids))

    @api.model(readonly=True, when="!name_search_domain")
    def name_search(self, name: Any = "", args: Any = None, operator: str = "ilike",
                    limit: int | None = 100) -> list[list[Any]]:
        return self._name_matches(name, args, operator, limit)

    @api.model(readonly=True, name="name_search", when="name_search_domain")
    def _name_search_by_domain(self, name: Any = "", domain: Any = None, operator: str = "ilike",
                               limit: int | None = 100) -> list[list[Any]]:
        """Odoo 19 names the domain parameter `domain` (earlier `args`)."""
        return self._name_matches(name, domain, operator, limit)

    def _name_matches(self, name: Any, args: Any, operator: str, limit: int | None) -> list[list[Any]]:
        self._check_access("read")
        domain = list(args or [])
        extra = name_domain(self.model, name, operator)
        if extra:
            domain = ["&", *normalize_domain(domain), *extra] if domain else extra
        ids = self._search_ids(domain, 0, limit, None)
        names = self._display_names(ids)
        return [[i, names.get(i, False)] for i in ids]

    @api.model(readonly=True)
    def check_access_rights(self, operation: Any, raise_exception: bool = True) -> bool:
        return access.check_model(self.env, self.model, operation, raise_exception)

    @api.records(readonly=True, when="has_access")
    def check_access(self, ids: Any, operation: Any) -> None:
        """Odoo 18: the access right and the record rules of `operation` in one call."""
        access.check_model(self.env, self.model, operation)
        self.check_access_rule(ids, operation)
        return None

    @api.records(readonly=True, when="has_access")
    def has_access(self, ids: Any, operation: Any) -> bool:
        """Odoo 18: whether check_access would pass (no ids: the access right alone)."""
        if not access.check_model(self.env, self.model, operation, raise_exception=False):
            return False
        try:
            self.check_access_rule(ids, operation)
        except AccessError:
            return False
        return True

    @api.records(readonly=True)
    def check_access_rule(self, ids: Any, operation: Any) -> None:
        if operation not in ACCESS_MODES:
            raise ValueError(f"Invalid access mode: {operation!r}")
        ids = normalize_ids(ids)
        if operation not in ("read", "unlink"):
            self._check_exist(ids)
        self._check_rules(self._existing(ids), operation)
        return None
