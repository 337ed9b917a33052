from django.urls import path

from registro.entities.registration import views

app_name = "entities"


urlpatterns = [
    path("", views.landing, name="landing"),
    path("registro/nuevo/", views.registro_nuevo, name="registro_nuevo"),
    path("registro/<int:pk>/", views.registro, name="registro"),
    path("registro/<int:pk>/eliminar/", views.registro_eliminar, name="registro_eliminar"),
    path("<int:pk>/registrada/", views.registrada, name="registrada"),
    path("<int:pk>/", views.escritorio, name="escritorio"),
    path("documentos/<int:pk>/", views.documento_descargar, name="documento"),
    path("documentos/<int:pk>/paginas/", views.documento_paginas, name="documento_paginas"),
    path("documentos/<int:pk>/paginas/<int:numero>.png", views.documento_pagina, name="documento_pagina"),
    path("mis-registros/", views.mis_registros, name="mis_registros"),
    path("mis-registros/nuevo/", views.nuevo_registro, name="nuevo_registro"),
    path("<int:pk>/solicitar/", views.solicitar_acceso, name="solicitar_acceso"),
    path("solicitudes/<int:pk>/cancelar/", views.cancelar_solicitud, name="cancelar_solicitud"),
]
