from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models

from . import people
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

# No searchable text is this long, so a longer search cannot match anything. SQLite refuses a
# LIKE pattern over 50,000 bytes, so without this a pasted essay in the search box is a crash.
SEARCH_LIMIT = 1000


class CheckedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget looks up the posted value to show it again after an error,
    and crashes on one that cannot be an id ("abc"); it looks up only values that can be."""

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        return super().optgroups(name, [v for v in value if _is_value_for(target, v)], attr)


def _is_value_for(field, value) -> bool:
    try:
        field.get_prep_value(value)
    except (TypeError, ValueError):
        return False
    return True


class GuardedJSONField(forms.JSONField):
    """Python's json refuses an integer of over 4,300 digits with a ValueError that Django's
    JSONField does not expect; it becomes the field's own "Enter a valid JSON." error."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValueError as error:
            if isinstance(error, ValidationError):
                raise
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error

    def has_changed(self, initial, data):
        try:
            return super().has_changed(initial, data)
        except ValueError:
            return True

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except ValueError:
            # Shown back as typed, with the error beside it.
            return forms.fields.InvalidJSONInput(data)


class BadInputMixin:
    """Admin pages answer bad input with no results or a field error, never a server error."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.JSONField):
            kwargs.setdefault("form_class", GuardedJSONField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_changelist_instance(self, request):
        # A date filter such as ?created_at__year=2147483648 overflows datetime(), and Django
        # only turns ValueError into its "invalid filter" page.
        try:
            return super().get_changelist_instance(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error

    def get_search_results(self, request, queryset, search_term):
        if len(search_term) > SEARCH_LIMIT:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BaseAdmin(BadInputMixin, admin.ModelAdmin):
    """What every admin page of the project starts from."""


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
class FrameworkEditionAdmin(EditionLockedMixin, BaseAdmin):
    list_display = ["title", "edition", "created_at", "in_use"]
    readonly_fields = ["created_at"]

    @admin.display(boolean=True, description="Used by an assessment")
    def in_use(self, obj):
        return obj.is_in_use


@admin.register(Commitment)
class CommitmentAdmin(EditionLockedMixin, BaseAdmin):
    list_display = ["number", "title", "edition"]
    list_filter = ["edition"]


@admin.register(Standard)
class StandardAdmin(EditionLockedMixin, BaseAdmin):
    list_display = ["code", "text", "commitment", "edition"]
    list_filter = ["edition", "pillars"]
    search_fields = ["code", "text"]


admin.site.register(Pillar, BaseAdmin)
admin.site.register(RatingLevel, BaseAdmin)


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


@admin.register(Trust)
class TrustAdmin(BaseAdmin):
    inlines = [SiteInline]
    search_fields = ["name", "code"]


@admin.register(Ward)
class WardAdmin(BaseAdmin):
    list_display = ["name", "site", "service_type"]
    list_filter = ["service_type", "site__trust"]
    search_fields = ["name"]


class NotYourOwnRolesMixin:
    """Nobody changes their own roles here either (standards.people.changes_yourself): another
    administrator must."""

    def _is_yours(self, request, obj) -> bool:
        return obj is not None and people.changes_yourself(by=request.user, person=obj.user)

    def has_change_permission(self, request, obj=None):
        return not self._is_yours(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._is_yours(request, obj) and super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class NotYourOwnForm(form):
            def clean_user(self):
                user = self.cleaned_data.get("user")
                if user is not None and people.changes_yourself(by=request.user, person=user):
                    raise ValidationError(
                        "You cannot give yourself a role. Ask another administrator."
                    )
                return user

        return NotYourOwnForm


@admin.register(WardMembership)
class WardMembershipAdmin(NotYourOwnRolesMixin, BaseAdmin):
    list_display = ["user", "ward", "role"]
    list_filter = ["role", "ward__site__trust"]
    autocomplete_fields = ["user", "ward"]


@admin.register(TrustMembership)
class TrustMembershipAdmin(NotYourOwnRolesMixin, BaseAdmin):
    list_display = ["user", "trust", "role"]
    list_filter = ["role", "trust"]
    autocomplete_fields = ["user", "trust"]


class PersonAdmin(BadInputMixin, UserAdmin):
    OWN_ACCOUNT_FIELDS = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        """Your own account's status and permissions are for another administrator to change."""
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and people.changes_yourself(by=request.user, person=obj):
            return fields + self.OWN_ACCOUNT_FIELDS
        return fields


# Registered by django.contrib.auth, which comes first in INSTALLED_APPS; swapped to add the mixin.
class PermissionGroupAdmin(BadInputMixin, GroupAdmin):
    pass


admin.site.register(User, PersonAdmin)
admin.site.unregister(Group)
admin.site.register(Group, PermissionGroupAdmin)
admin.site.site_header = "Culture of Care administration"


def _guard_other_apps_admins() -> None:
    """allauth's admin pages (email addresses, SSO accounts, second factors) get the same
    guard against bad input as ours."""
    for model, model_admin in list(admin.site._registry.items()):
        if isinstance(model_admin, BadInputMixin):
            continue
        guarded = type(
            f"Guarded{type(model_admin).__name__}", (BadInputMixin, type(model_admin)), {}
        )
        admin.site.unregister(model)
        admin.site.register(model, guarded)


_guard_other_apps_admins()
