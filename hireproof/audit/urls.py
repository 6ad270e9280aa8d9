from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.home, name="home"),
    path("export/", views.export, name="export"),
    path("checkpoint/", views.checkpoint, name="checkpoint"),
]
