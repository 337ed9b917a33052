from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("configuracion/", views.user_settings, name="settings"),
    path("configuracion/editar/", views.profile_edit, name="profile_edit"),
    path("accesos/", views.accesses, name="accesses"),
    path("accesos/sesiones/<int:pk>/cerrar/", views.session_end, name="session_end"),
    path("accesos/sesiones/cerrar-otras/", views.sessions_end_others, name="sessions_end_others"),
]

# Mounted under /cuentas/ beside allauth's own pages.
account_urlpatterns = [
    path("confirm-email/<str:key>/", views.ConfirmarRegistroView.as_view(), name="account_confirm_email"),
    path("reenviar-confirmacion/", views.resend_confirmation, name="account_resend_confirmation"),
    path("terminos/", views.terms, name="accounts_terms"),
    # allauth.usersessions' own page: "Sesiones activas" is part of "Accesos del usuario".
    path("sessions/", views.sessions_page, name="usersessions_list"),
]
