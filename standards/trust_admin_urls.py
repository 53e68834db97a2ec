"""The trust administration area (/trusts/<id>/admin/...) and accepting an invitation."""

from django.urls import path

from .views import invitations, trust_admin

app_name = "trust_admin"

ADMIN = "trusts/<int:trust_id>/admin/"

urlpatterns = [
    path(ADMIN, trust_admin.home, name="home"),
    path(f"{ADMIN}sites/add/", trust_admin.site_form, name="site_create"),
    path(f"{ADMIN}sites/<int:site_id>/", trust_admin.site_form, name="site_edit"),
    path(f"{ADMIN}wards/add/", trust_admin.ward_form, name="ward_create"),
    path(f"{ADMIN}wards/<int:ward_id>/", trust_admin.ward_form, name="ward_edit"),
    path(f"{ADMIN}people/invite/", trust_admin.invite, name="invite"),
    path(f"{ADMIN}people/<int:person_id>/", trust_admin.person_detail, name="person"),
    path(
        f"{ADMIN}people/<int:person_id>/ward-roles/",
        trust_admin.person_add_ward_role,
        name="person_add_ward_role",
    ),
    path(
        f"{ADMIN}people/<int:person_id>/trust-roles/",
        trust_admin.person_add_trust_role,
        name="person_add_trust_role",
    ),
    path(
        f"{ADMIN}people/<int:person_id>/trust-roles/remove/",
        trust_admin.person_remove_trust_role,
        name="person_remove_trust_role",
    ),
    path(f"{ADMIN}people/<int:person_id>/active/", trust_admin.person_active, name="person_active"),
    path(
        f"{ADMIN}ward-roles/<int:membership_id>/remove/",
        trust_admin.membership_remove,
        name="membership_remove",
    ),
    path(
        f"{ADMIN}ward-roles/<int:membership_id>/move/",
        trust_admin.membership_move,
        name="membership_move",
    ),
    path(
        f"{ADMIN}invitations/<int:invitation_id>/resend/",
        trust_admin.invitation_resend,
        name="invitation_resend",
    ),
    path(
        f"{ADMIN}invitations/<int:invitation_id>/revoke/",
        trust_admin.invitation_revoke,
        name="invitation_revoke",
    ),
    path(f"{ADMIN}import/", trust_admin.import_upload, name="import"),
    path(f"{ADMIN}import/apply/", trust_admin.import_apply, name="import_apply"),
    path("invitations/<str:token>/", invitations.accept, name="accept"),
]
