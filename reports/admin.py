from django import forms
from django.contrib import admin

from standards.admin import BaseAdmin

from .models import (
    DEFAULT_SMALL_GROUP_THRESHOLD,
    MINIMUM_SMALL_GROUP_THRESHOLD,
    Measure,
    ReportJob,
    Target,
    TrustReportSettings,
)


@admin.register(ReportJob)
class ReportJobAdmin(BaseAdmin):
    """Read-only: jobs change only through reports.services (ask, run, try again)."""

    list_display = ["pk", "kind", "key", "status", "progress", "attempts", "created_at", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["key"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Target)
class TargetAdmin(BaseAdmin):
    list_display = ["trust", "commitment_number", "value"]
    list_filter = ["trust"]


class TrustReportSettingsForm(forms.ModelForm):
    small_group_threshold = forms.IntegerField(
        min_value=MINIMUM_SMALL_GROUP_THRESHOLD,
        initial=DEFAULT_SMALL_GROUP_THRESHOLD,
        help_text=TrustReportSettings._meta.get_field("small_group_threshold").help_text,
    )

    class Meta:
        model = TrustReportSettings
        fields = [
            "trust",
            "small_group_threshold",
            "small_count_max",
            "minimum_bed_days",
            "minimum_wards",
        ]


@admin.register(TrustReportSettings)
class TrustReportSettingsAdmin(BaseAdmin):
    form = TrustReportSettingsForm
    list_display = [
        "trust",
        "small_group_threshold",
        "small_count_max",
        "minimum_bed_days",
        "minimum_wards",
    ]


@admin.register(Measure)
class MeasureAdmin(BaseAdmin):
    """A trust's own measures are added here (the national catalogue comes from its fixture)."""

    list_display = ["name", "code", "unit", "higher_is_better", "catalogue", "trust"]
    list_filter = ["catalogue", "trust"]
