from django.urls import path

from . import dashboard_views as views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("data.json", views.data, name="data"),
    path("export.xlsx", views.export, name="export"),
    path("remind/", views.remind, name="remind"),
    path("department/<slug:code>/", views.department, name="department"),
    path("indicator/<slug:code>/", views.indicator, name="indicator"),
]
