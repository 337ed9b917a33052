from allauth.account.decorators import secure_admin_login
from allauth.headless.constants import Client
from allauth.headless.spec.views import OpenAPIHTMLView
from django.contrib import admin
from django.db import transaction
from django.shortcuts import redirect
from django.urls import include, path
from django.views.generic import TemplateView
from django_rq.models import Dashboard

from config import views
from config.api import api
from registro.accounts import headless
from registro.accounts.urls import account_urlpatterns
from registro.accounts.views import RegistrarUsuarioView
from registro.core.csp import api_reference_page

admin.site.site_header = "Registro SECOP – Administración"
admin.site.site_title = "Registro SECOP"
# The admin has no login or password check of its own: staff (the service desk among them) log in
# on the site's page, with its rate limits, trusted-device policy and access history, and change
# their password there too. An authenticated user who is not active staff gets 403.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.password_change = lambda request, extra_context=None: redirect("account_change_password")
# django-rq is installed for its worker command (TASKS_BACKEND=rq); its queue pages in the admin,
# with their JSON and metrics views outside the admin's login, are not offered.
if admin.site.is_registered(Dashboard):
    admin.site.unregister(Dashboard)


urlpatterns = [
    path("", views.home, name="home"),
    path("", include("registro.core.urls")),
    # "Registrar usuario" in one transaction: the user, the e-mail address and the queued e-mail.
    path("cuentas/signup/", transaction.atomic(RegistrarUsuarioView.as_view()), name="account_signup"),
    path("cuentas/", include(account_urlpatterns)),
    path("cuentas/", include("allauth.urls")),
    path("usuario/", include("registro.accounts.urls")),
    path("entidades/", include("registro.entities.registration.urls")),
    path("directorio/", include("registro.entities.directory.urls")),
    path("", include("registro.entities.console.urls")),
    path("", include("registro.entities.information_requests.urls")),
    path("", include("registro.servicedesk.urls")),
    path("", include("registro.publico.urls")),
    path("api/v1/auth/openapi.json", headless.auth_openapi_json, name="auth_openapi_json"),
    path("api/v1/auth/openapi.yaml", headless.auth_openapi_yaml, name="auth_openapi_yaml"),
    path("api/v1/auth/app/v1/auth/signup", headless.AtomicSignupView.as_api_view(client=Client.APP)),
    path("api/v1/auth/browser/v1/auth/signup", headless.AtomicSignupView.as_api_view(client=Client.BROWSER)),
    *[
        path(f"api/v1/auth/{client.value}/v1/{route}", view.as_api_view(client=client))
        for client in (Client.APP, Client.BROWSER)
        for route, view in (
            ("account/password/change", headless.ChangePasswordView),
            ("auth/password/request", headless.RequestPasswordResetView),
        )
    ],
    *[
        path(f"api/v1/auth/{client}/v1/{route}", headless.phone_not_supported)
        for client in ("app", "browser")
        for route in ("account/phone", "auth/phone/verify", "auth/phone/verify/resend")
    ],
    path("api/v1/auth/openapi.html", api_reference_page(OpenAPIHTMLView.as_view()), name="auth_openapi_html"),
    path("api/v1/auth/", include("allauth.headless.urls")),
    path("api/v1/", api.urls),
    path(
        "terminos/",
        TemplateView.as_view(template_name="accounts/terms_text.html"),
        name="terms_text",
    ),
    # Answers 404 unless DEV_OUTBOX is on.
    path("dev/correos/", include("registro.notifications.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "registro.core.error_views.bad_request"
handler403 = "registro.core.error_views.permission_denied"
handler404 = "registro.core.error_views.page_not_found"
handler500 = "registro.core.error_views.server_error"
