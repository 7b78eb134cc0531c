from django.urls import path

from . import (
    history_views,
    indicator_views,
    organisation_views,
    period_views,
    review_views,
    rule_views,
    views,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("catalogue/", indicator_views.catalogue, name="catalogue"),
    path("periods/", period_views.periods, name="periods"),
    path("periods/<str:code>/", period_views.period_detail, name="period_detail"),
    path("periods/<str:code>/deadline/", period_views.period_deadline, name="period_deadline"),
    path("periods/<str:code>/extend/", period_views.period_extend, name="period_extend"),
    path(
        "periods/<str:code>/extensions/<int:pk>/withdraw/",
        period_views.period_withdraw_extension,
        name="period_withdraw_extension",
    ),
    path(
        "periods/<str:code>/open-entry/",
        period_views.period_step,
        {"step": "open_entry"},
        name="period_open_entry",
    ),
    path(
        "periods/<str:code>/lock/", period_views.period_step, {"step": "lock"}, name="period_lock"
    ),
    path(
        "periods/<str:code>/reopen/",
        period_views.period_step,
        {"step": "reopen"},
        name="period_reopen",
    ),
    path("settings/", period_views.office_settings_page, name="office_settings"),
    path("catalogue/new/", indicator_views.indicator_new, name="catalogue_indicator_new"),
    path("catalogue/sections/", organisation_views.sections, name="catalogue_sections"),
    path("catalogue/departments/", organisation_views.departments, name="catalogue_departments"),
    path(
        "catalogue/departments/<slug:code>/",
        organisation_views.department_edit,
        name="catalogue_department_edit",
    ),
    path(
        "catalogue/departments/<slug:code>/retire/",
        organisation_views.department_retire,
        name="catalogue_department_retire",
    ),
    path("catalogue/rules/", rule_views.rules, name="catalogue_rules"),
    path("catalogue/rules/<int:pk>/", rule_views.rule_edit, name="catalogue_rule_edit"),
    path(
        "catalogue/rules/<int:pk>/deactivate/",
        rule_views.rule_deactivate,
        name="catalogue_rule_deactivate",
    ),
    path("history/", history_views.changes, name="history"),
    path("catalogue/changes/", history_views.changes, name="catalogue_changes"),
    path(
        "catalogue/indicators/<slug:code>/",
        indicator_views.indicator_edit,
        name="catalogue_indicator_edit",
    ),
    path(
        "catalogue/indicators/<slug:code>/retire/",
        indicator_views.indicator_retire,
        name="catalogue_indicator_retire",
    ),
    path("entry/", views.entry_current, name="entry_current"),
    path("entry/<str:period_code>/", views.entry, name="entry"),
    path("entry/<str:period_code>/sheet.xlsx", views.entry_sheet, name="entry_sheet"),
    path("entry/<str:period_code>/upload/", views.entry_upload, name="entry_upload"),
    path("entry/<str:period_code>/row/<slug:indicator_code>/", views.entry_row, name="entry_row"),
    path(
        "figures/<str:period_code>/<slug:indicator_code>/",
        views.figure_detail,
        name="figure_detail",
    ),
    path(
        "figures/<str:period_code>/<slug:indicator_code>/evidence/",
        views.evidence_upload,
        name="evidence_upload",
    ),
    path(
        "figures/<str:period_code>/<slug:indicator_code>/comment/",
        views.figure_comment,
        name="figure_comment",
    ),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
    path("review/", review_views.review_current, name="review_current"),
    path("review/<str:period_code>/", review_views.review_queue, name="review_queue"),
    path("review/<str:period_code>/export.xlsx", review_views.review_export, name="review_export"),
    path("review/<str:period_code>/period/", review_views.review_period, name="review_period"),
    path(
        "review/<str:period_code>/area/<str:area_code>/",
        review_views.review_area,
        name="review_area",
    ),
    path(
        "review/<str:period_code>/period/lock/confirm/",
        review_views.review_lock_confirm,
        name="review_lock_confirm",
    ),
    path(
        "review/<str:period_code>/<slug:department_code>/",
        review_views.review_department,
        name="review_department",
    ),
    path(
        "review/<str:period_code>/<slug:department_code>/action/",
        review_views.review_action,
        name="review_action",
    ),
    path(
        "review/<str:period_code>/<slug:department_code>/approve/confirm/",
        review_views.review_approve_confirm,
        name="review_approve_confirm",
    ),
    path(
        "review/<str:period_code>/<slug:department_code>/remind/",
        review_views.review_remind,
        name="review_remind",
    ),
]
