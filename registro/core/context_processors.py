from django.conf import settings


def site(request):
    from registro.accounts.permissions import is_service_desk

    return {
        "IS_SERVICE_DESK": is_service_desk(getattr(request, "user", None)),
        "SITE_NAME": "Registro SECOP",
        "DEV_OUTBOX": settings.DEV_OUTBOX,
        "TERMS_URL": settings.TERMS_URL,
        "EMAIL_CONFIRMATION_EXPIRE_DAYS": settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS,
        "expire_days": settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS,
    }
