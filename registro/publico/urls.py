"""The public view (no login): the search (the Directorio's, with public fields only), each
account's page and the open data."""

from django.urls import path

from . import views

app_name = "publico"

urlpatterns = [
    path("publico/", views.buscar, name="buscar"),
    path("publico/cuentas/<int:pk>/", views.cuenta, name="cuenta"),
    path("datos/", views.datos, name="datos"),
    path("datos/diccionario/", views.diccionario, name="diccionario"),
    path("datos/proveedores.csv", views.descarga, {"archivo": "proveedores.csv"}, name="proveedores_csv"),
    path("datos/proveedores.json", views.descarga, {"archivo": "proveedores.json"}, name="proveedores_json"),
    path("datos/entidades.csv", views.descarga, {"archivo": "entidades.csv"}, name="entidades_csv"),
    path("datos/entidades.json", views.descarga, {"archivo": "entidades.json"}, name="entidades_json"),
    path("datos/ocds/parties.json", views.parties, name="parties"),
    path("datos/instantaneas/<str:archivo>.gz", views.instantanea, name="instantanea"),
]
