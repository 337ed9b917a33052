"""Mesa de Servicio accounts: staff users outside every entity."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from registro.accounts import mfa
from registro.core.errors import refusal
from registro.servicedesk.models import (
    SERVICE_DESK_GROUP,
)


@transaction.atomic
def staff_create(*, username: str, email: str, first_name: str, last_name: str, password: str | None):
    """A Mesa de Servicio member: a role outside any entity (group "Mesa de Servicio")."""
    from registro.accounts.models import TermsAcceptance

    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise refusal(_("Ya existe un usuario con ese nombre."), "username")
    user = User(username=username, email=email, first_name=first_name, last_name=last_name, is_staff=True)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    TermsAcceptance.objects.create(user=user, version=settings.TERMS_VERSION)
    group, _created = Group.objects.get_or_create(name=SERVICE_DESK_GROUP)
    user.groups.add(group)
    # The desk needs a second factor from the start (MFA_GRACE_DAYS_DESK, ADR 0017).
    mfa.role_granted(user=user)
    return user
