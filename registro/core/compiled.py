"""Queries compiled to SQL once per process: for the few that every page runs, where building the
SQL through the ORM costs more than the database takes to answer it (docs/adr/0014, "The page
around the search")."""

from collections.abc import Callable

from django.db.models import QuerySet
from django.db.models.query import RawQuerySet

# A value no id or parameter of these queries takes: where it lands among the compiled query's
# parameters is where each call's value goes.
PLACEHOLDER = -7_340_021_118


class CompiledQuery:
    """`build(PLACEHOLDER)` is a queryset of plain model rows (no `select_related`, which a raw
    query cannot fill) with one parameter; `run(value)` is the same query for `value`, as a raw
    query of its model, which converts the columns as the ORM does on every database."""

    def __init__(self, build: Callable[[int], QuerySet]):
        self.build = build
        self._compiled: dict[str, tuple] = {}

    def _sql(self, alias: str) -> tuple:
        if alias not in self._compiled:
            queryset = self.build(PLACEHOLDER)
            sql, params = queryset.query.get_compiler(using=alias).as_sql()
            self._compiled[alias] = (queryset.model, sql, tuple(params), list(params).index(PLACEHOLDER))
        return self._compiled[alias]

    def run(self, value, *, using: str) -> RawQuerySet:
        model, sql, params, at = self._sql(using)
        return model._default_manager.raw(sql, (*params[:at], value, *params[at + 1 :])).using(using)

    def clear(self) -> None:
        self._compiled.clear()
