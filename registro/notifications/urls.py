from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:email_id>/", views.outbox_detail, name="outbox_detail"),
    path("<int:email_id>/html/", views.outbox_html, name="outbox_html"),
]
