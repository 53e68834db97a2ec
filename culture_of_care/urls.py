from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from standards.views import accounts, sso

from . import views as shell

# The admin site signs in through the same pages, rate limits and second factor as everyone.
admin.site.login = secure_admin_login(admin.site.login)

account_urls = [
    path("", accounts.security, name="account_security"),
    path("emails/", accounts.emails, name="account_emails"),
    path("second-factor-needed/", accounts.mfa_required, name="account_mfa_required"),
    path("stay-signed-in/", accounts.stay_signed_in, name="account_stay_signed_in"),
    # allauth pages this service does not offer: accounts come from a trust's invitation
    # (never a public sign-up) and email addresses are the trust's to set.
    *[
        path(route, accounts.not_offered)
        for route in ("signup/", "3rdparty/signup/", "confirm-email/", "email/")
    ],
    re_path(r"^confirm-email/(?P<key>[-:\w]+)/$", accounts.not_offered),
    # allauth's start of single sign-on, answering "provider not available" instead of an error.
    path("oidc/<str:provider_id>/login/", sso.start, name="openid_connect_login"),
    path("", include("allauth.urls")),
]

urlpatterns = [
    path("", shell.home, name="home"),
    path("privacy/", shell.privacy, name="privacy"),
    path("health/", shell.health, name="health"),
    path("account/", include(account_urls)),
    path("standards/", include("standards.urls")),
    path("", include("standards.trust_admin_urls")),
    path("", include("assessments.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
