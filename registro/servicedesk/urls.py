from django.urls import path

from . import views

app_name = "servicedesk"

urlpatterns = [
    path("casos/", views.mis_casos, name="mis_casos"),
    path("casos/nuevo/", views.crear_caso, name="crear_caso"),
    path("casos/<str:numero>/", views.caso, name="caso"),
    path("casos/adjuntos/<int:pk>/", views.adjunto, name="adjunto"),
    path("casos/<str:numero>/reemplazar/", views.reemplazar_documento, name="reemplazar"),
    path("casos/<str:numero>/reenviar/", views.reenviar, name="reenviar"),
    path("casos/<str:numero>/corregir-datos/", views.corregir_datos, name="corregir_datos"),
    path("mesa/", views.cola, name="cola"),
    path("mesa/tablero/", views.tablero, name="tablero"),
    path("mesa/usuarios/", views.usuarios, name="usuarios"),
    path("mesa/usuarios/<int:pk>/", views.usuario, name="usuario"),
    path("mesa/usuarios/<int:pk>/cerrar-sesiones/", views.usuario_cerrar_sesiones, name="usuario_cerrar_sesiones"),
    path(
        "mesa/usuarios/<int:pk>/retirar-segundo-factor/",
        views.usuario_retirar_segundo_factor,
        name="usuario_retirar_segundo_factor",
    ),
    path("mesa/cuentas/", views.cuentas, name="cuentas"),
    path("mesa/cuentas/<int:pk>/", views.cuenta, name="cuenta"),
    path("mesa/cuentas/<int:pk>/<str:accion>/", views.cuenta_accion, name="cuenta_accion"),
    path(
        "mesa/casos/<str:numero>/designar-administrador/",
        views.designar_administrador,
        name="designar_administrador",
    ),
    path("mesa/casos/<str:numero>/<str:accion>/", views.decidir, name="decidir"),
    path("mesa/casos/<str:numero>/documentos/<int:documento_id>/", views.revisar_documento, name="revisar"),
]
