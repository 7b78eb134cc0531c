from django.urls import path

from . import import_views, views

app_name = "reports"
urlpatterns = [
    path("", views.report_panel, name="panel"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status/", views.job_status, name="job-status"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job-retry"),
    path("jobs/<int:pk>/download/<str:fmt>/", views.download, name="download"),
    path("jobs/<int:pk>/public/", views.public_review, name="public-review"),
    path("deadlines/", views.document_deadlines, name="document-deadlines"),
    path("template/", views.template_edit, name="template"),
    path("template/preview/", views.template_preview, name="template-preview"),
    path("template/help/", views.template_help, name="template-help"),
    path("template/preview.css", views.preview_stylesheet, name="preview-css"),
    path("template/versions/<int:number>/", views.template_version, name="template-version"),
    path("import/", import_views.import_start, name="import"),
    path("import/<int:pk>/", import_views.import_review, name="import-review"),
]
