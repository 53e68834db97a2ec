from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from standards.views import accounts, home

account_urls = [
    path("sign-in/", accounts.SignInView.as_view(), name="login"),
    path("sign-out/", accounts.SignOutView.as_view(), name="logout"),
    path("password/change/", accounts.ChangePasswordView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", accounts.ResetPasswordView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("privacy/", home.privacy, name="privacy"),
    path("health/", home.health, name="health"),
    path("account/", include(account_urls)),
    path("standards/", include("standards.urls")),
    path("", include("assessments.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
