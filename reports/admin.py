from django.contrib import admin

from standards.admin import BaseAdmin

from .models import ReportJob, Target


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
