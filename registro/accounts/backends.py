"""The authentication backend: allauth's, with the user of each request read in one query together
with what every page asks of it."""

from collections.abc import Callable

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Expression

from registro.core.compiled import CompiledQuery

# attribute name -> the expression of that fact for the user `OuterRef("pk")`. Each rule registers
# its fact beside itself and asks the database itself when the user was loaded some other way
# (`permissions.is_service_desk`, `mfa.status`, `membership.selectors.user_is_administrador`).
# Every page asked them: three queries a request, now three subqueries of the user's own. The
# modules are imported by their apps' `ready()`.
_FACTS: dict[str, Callable[[], Expression]] = {}


# The query of `get_user`, compiled once per process: building three subqueries through the ORM
# cost more than running them.
_USER = CompiledQuery(lambda pk: with_request_facts(get_user_model()._default_manager.filter(pk=pk)))


def register_request_fact(name: str, expression: Callable[[], Expression]) -> None:
    _FACTS[name] = expression
    _USER.clear()


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
        user = next(iter(_USER.run(pk, using=User._default_manager.db)), None)
        if user is not None:
            for name in _FACTS:  # SQLite answers 0 and 1, and a raw query does not convert them
                setattr(user, name, bool(getattr(user, name)))
        return user if user is not None and self.user_can_authenticate(user) else None
