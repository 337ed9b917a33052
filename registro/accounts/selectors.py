from django.conf import settings
from django.db.models import Q, QuerySet

from .models import AccessEvent, TermsAcceptance, User


def user_get_by_login(*, login: str) -> User | None:
    """The account a username or e-mail refers to, regardless of letter case."""
    login = (login or "").strip()
    if not login:
        return None
    return User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).order_by("pk").first()


def access_event_list(*, user: User) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(user=user).order_by("-created_at", "-id")


def terms_current_version() -> str:
    return settings.TERMS_VERSION


def terms_is_accepted(*, user: User, version: str | None = None) -> bool:
    return TermsAcceptance.objects.filter(user=user, version=version or terms_current_version()).exists()


def terms_latest_acceptance(*, user: User) -> TermsAcceptance | None:
    return TermsAcceptance.objects.filter(user=user).order_by("-accepted_at").first()
