from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "汇报发言稿"

    def ready(self):
        from celery.signals import worker_process_init, worker_ready

        from lawgov.control_characters import install_model_validators
        from metrics import references

        # tasks: the services queue the app's tasks by name, so every process knows them.
        from . import history, tasks, worker  # noqa: F401
        from .references import template_versions_referring_to

        install_model_validators(self.get_models())
        worker_ready.connect(worker.warn_about_slow_pdf_rendering, dispatch_uid="reports.warn")
        worker_process_init.connect(worker.load_report_fonts, dispatch_uid="reports.fonts")
        references.register(template_versions_referring_to)
        references.register_history(
            "document", "文稿", self.get_model("ReportTemplate"), ["name", "slug"]
        )
        for source in history.SOURCES:
            references.register_history_source(source)
