from django.urls import path

from registro.entities.information_requests import views

app_name = "information_requests"

urlpatterns = [
    path("entidad/solicitudes-informacion/", views.lista, name="lista"),
    path("entidad/solicitudes-informacion/nueva/", views.nueva, name="nueva"),
    path("entidad/solicitudes-informacion/<int:pk>/", views.detalle, name="detalle"),
    path("entidad/solicitudes-informacion/<int:pk>/invitar/", views.invitar, name="invitar"),
    path("entidad/solicitudes-informacion/<int:pk>/ampliar/", views.ampliar, name="ampliar"),
    path("entidad/solicitudes-informacion/<int:pk>/cancelar/", views.cancelar, name="cancelar"),
    path("proveedor/invitaciones-recibidas/", views.recibidas, name="recibidas"),
    path("proveedor/invitaciones-recibidas/<int:pk>/", views.recibida, name="recibida"),
    path("proveedor/invitaciones-recibidas/<int:pk>/responder/", views.responder, name="responder"),
    path("proveedor/invitaciones-recibidas/<int:pk>/no-interesado/", views.no_interesado, name="no_interesado"),
    path("solicitudes-informacion/adjuntos/<int:pk>/", views.adjunto_solicitud, name="adjunto_solicitud"),
    path("solicitudes-informacion/respuestas/adjuntos/<int:pk>/", views.adjunto_respuesta, name="adjunto_respuesta"),
]
