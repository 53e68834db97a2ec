from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import (
    Commitment,
    FrameworkEdition,
    Pillar,
    RatingLevel,
    Site,
    Standard,
    Trust,
    TrustMembership,
    User,
    Ward,
    WardMembership,
)


class EditionLockedMixin:
    """Editions in use by an assessment cannot be edited or deleted, nor their parts."""

    def _edition(self, obj):
        return obj if isinstance(obj, FrameworkEdition) else obj.edition

    def has_change_permission(self, request, obj=None):
        if obj is not None and self._edition(obj).is_in_use:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._edition(obj).is_in_use:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(FrameworkEdition)
class FrameworkEditionAdmin(EditionLockedMixin, admin.ModelAdmin):
    list_display = ["title", "edition", "created_at", "in_use"]
    readonly_fields = ["created_at"]

    @admin.display(boolean=True, description="Used by an assessment")
    def in_use(self, obj):
        return obj.is_in_use


@admin.register(Commitment)
class CommitmentAdmin(EditionLockedMixin, admin.ModelAdmin):
    list_display = ["number", "title", "edition"]
    list_filter = ["edition"]


@admin.register(Standard)
class StandardAdmin(EditionLockedMixin, admin.ModelAdmin):
    list_display = ["code", "text", "commitment", "edition"]
    list_filter = ["edition", "pillars"]
    search_fields = ["code", "text"]


admin.site.register(Pillar)
admin.site.register(RatingLevel)


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin):
    inlines = [SiteInline]
    search_fields = ["name", "code"]


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "service_type"]
    list_filter = ["service_type", "site__trust"]
    search_fields = ["name"]


@admin.register(WardMembership)
class WardMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "ward", "role"]
    list_filter = ["role", "ward__site__trust"]
    autocomplete_fields = ["user", "ward"]


@admin.register(TrustMembership)
class TrustMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "trust", "role"]
    list_filter = ["role", "trust"]
    autocomplete_fields = ["user", "trust"]


admin.site.register(User, UserAdmin)
admin.site.site_header = "Culture of Care administration"
