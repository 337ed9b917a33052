from django.urls import path

from . import views
from .observability import views as observability

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("health/", observability.health_report, name="health"),
    path("metrics", observability.metrics_view, name="metrics"),
]
