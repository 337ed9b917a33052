from django.conf import settings
from django.utils.functional import SimpleLazyObject


def _switcher(user) -> dict:
    """The header's entity switcher (R1.2): the entity acted for and the others to choose from."""
    from registro.entities.membership import acting

    actual, opciones = acting.switcher(user)
    return {"actual": actual, "opciones": opciones}


def site(request):
    from registro.accounts.permissions import is_service_desk

    user = getattr(request, "user", None)
    return {
        "ENTITY_SWITCHER": SimpleLazyObject(lambda: _switcher(user)),
        "IS_SERVICE_DESK": is_service_desk(getattr(request, "user", None)),
        "SITE_NAME": "Registro SECOP",
        "DEV_OUTBOX": settings.DEV_OUTBOX,
        "TERMS_URL": settings.TERMS_URL,
        "EMAIL_CONFIRMATION_EXPIRE_DAYS": settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS,
        "expire_days": settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS,
    }
