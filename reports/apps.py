from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        from assessments import lone_scorers, round_context

        from . import measure_panels, signals, small_groups  # noqa: F401

        # The agreeing pages show the ward's measures as context (issue 13).
        round_context.register_agreeing(measure_panels.agreeing_measures)
        # A scorer alone in their group is told what the trust's small-group rule means.
        lone_scorers.register_threshold(small_groups.small_group_threshold)
        # The round's summary holds the same rule for people outside the ward team.
        lone_scorers.register_protections(small_groups.protections)
