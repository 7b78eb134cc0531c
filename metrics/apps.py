from django.apps import AppConfig


class MetricsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrics"
    verbose_name = "指标与填报"

    def ready(self):
        from lawgov.control_characters import install_model_validators

        # The services queue the app's tasks by name (metrics.tasks): every process knows them.
        from . import tasks  # noqa: F401

        install_model_validators(self.get_models())
