"""The authentication backend: allauth's, with the user of each request read in one query together
with what every page asks of it."""

from collections.abc import Callable
from functools import cache

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Expression

# attribute name -> the expression of that fact for the user `OuterRef("pk")`. Each rule registers
# its fact beside itself and asks the database itself when the user was loaded some other way
# (`permissions.is_service_desk`, `mfa.status`, `membership.selectors.user_is_administrador`).
# Every page asked them: three queries a request, now three subqueries of the user's own. The
# modules are imported by their apps' `ready()`.
_FACTS: dict[str, Callable[[], Expression]] = {}


# A user id no account has: where it lands among the compiled query's parameters is where each
# request's id goes.
_PLACEHOLDER = -7_340_021_118


@cache
def _user_sql(alias: str) -> tuple[str, tuple, int]:
    """The query of `get_user`, compiled once per process: building three subqueries through the
    ORM cost more than running them."""
    queryset = with_request_facts(get_user_model()._default_manager.filter(pk=_PLACEHOLDER))
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    return sql, tuple(params), list(params).index(_PLACEHOLDER)


def register_request_fact(name: str, expression: Callable[[], Expression]) -> None:
    _FACTS[name] = expression
    _user_sql.cache_clear()


def with_request_facts(queryset):
    return queryset.annotate(**{name: expression() for name, expression in _FACTS.items()})


class AuthenticationBackend(AllauthBackend):
    """Logs in as allauth's does (username or e-mail, its rate limits); loads the session's user
    with the facts above. They are what the request started with, as `mfa.status` already was."""

    def get_user(self, user_id):
        User = get_user_model()
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        alias = User._default_manager.db
        sql, params, at = _user_sql(alias)
        params = (*params[:at], pk, *params[at + 1 :])
        user = next(iter(User._default_manager.raw(sql, params).using(alias)), None)
        if user is not None:
            for name in _FACTS:  # SQLite answers 0 and 1, and a raw query does not convert them
                setattr(user, name, bool(getattr(user, name)))
        return user if user is not None and self.user_can_authenticate(user) else None
