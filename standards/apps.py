from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "standards"
    verbose_name = "Standards, organisations and people"

    def ready(self) -> None:
        from . import lookups, signals  # noqa: F401
        from .accounts import events  # noqa: F401
