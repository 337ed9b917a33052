from django.conf import settings


def site(request):
    """What every page shows whoever the user is; what depends on the user's roles comes from the
    apps that hold them (accounts, the entities' membership)."""
    return {
        "SITE_NAME": "Registro SECOP",
        "DEV_OUTBOX": settings.DEV_OUTBOX,
        "TERMS_URL": settings.TERMS_URL,
        "EMAIL_CONFIRMATION_EXPIRE_DAYS": settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS,
        "expire_days": settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS,
    }
