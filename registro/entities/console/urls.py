from django.urls import path

from registro.entities.console import views as console

app_name = "console"


urlpatterns = [
    path("entidad/", console.escritorio, name="escritorio"),
    path("entidad/cambiar/", console.cambiar, name="cambiar"),
    path("entidad/usuarios/", console.miembros, name="miembros"),
    path("entidad/usuarios/<int:pk>/<str:accion>/", console.miembro_accion, name="miembro_accion"),
    path("entidad/solicitudes/", console.solicitudes, name="solicitudes"),
    path("entidad/solicitudes/<int:pk>/<str:decision>/", console.solicitud_decidir, name="solicitud_decidir"),
    path("entidad/roles/", console.roles_lista, name="roles"),
    path("entidad/roles/<int:pk>/", console.rol_editar, name="rol_editar"),
    path("entidad/roles/<int:pk>/eliminar/", console.rol_eliminar, name="rol_eliminar"),
    path("entidad/invitaciones/", console.invitaciones_lista, name="invitaciones"),
    path("entidad/invitaciones/<int:pk>/<str:accion>/", console.invitacion_accion, name="invitacion_accion"),
    path("entidad/unidades/", console.unidades_lista, name="unidades"),
    path("entidad/unidades/<int:pk>/", console.unidad_editar, name="unidad_editar"),
    path("entidad/unidades/<int:pk>/eliminar/", console.unidad_eliminar, name="unidad_eliminar"),
    path("entidad/historial/", console.historial, name="historial"),
    path("entidad/perfil/", console.perfil, name="perfil"),
    path("entidad/perfil/editar/", console.perfil_editar, name="perfil_editar"),
    path("entidad/areas/", console.areas, name="areas"),
    path("entidad/biblioteca/", console.biblioteca, name="biblioteca"),
    path("entidad/biblioteca/<int:pk>/<str:accion>/", console.biblioteca_accion, name="biblioteca_accion"),
    path("invitaciones/<str:token>/", console.invitacion, name="invitacion"),
    path("invitaciones/<int:pk>/aceptar/", console.invitacion_aceptar, name="invitacion_aceptar"),
]
