from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "汇报发言稿"

    def ready(self):
        from metrics import references

        from .references import template_versions_referring_to

        references.register(template_versions_referring_to)
        references.register_history(
            "document", "文稿", self.get_model("ReportTemplate"), ["name", "slug"]
        )
