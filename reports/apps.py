from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        from assessments import round_context

        from . import measure_panels, signals  # noqa: F401

        # The agreeing pages show the ward's measures as context (issue 13).
        round_context.register_agreeing(measure_panels.agreeing_measures)
