from django.urls import path

from registro.entities.directory import views

app_name = "directorio"

urlpatterns = [
    path("", views.buscar, name="buscar"),
    path("<int:pk>/", views.perfil, name="perfil"),
    path("documentos/<int:pk>/", views.documento, name="documento"),
]
