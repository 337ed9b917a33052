from django.urls import path

from . import views

app_name = "entities"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("registro/nuevo/", views.registro_nuevo, name="registro_nuevo"),
    path("registro/<int:pk>/", views.registro, name="registro"),
    path("registro/<int:pk>/eliminar/", views.registro_eliminar, name="registro_eliminar"),
    path("<int:pk>/registrada/", views.registrada, name="registrada"),
    path("<int:pk>/", views.escritorio, name="escritorio"),
    path("documentos/<int:pk>/", views.documento_descargar, name="documento"),
]
