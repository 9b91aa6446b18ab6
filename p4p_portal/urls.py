from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from practices.views import invitations as invitation_views

from . import health, start

admin.site.site_header = "P4P portal operations"
admin.site.site_title = "P4P portal admin"

urlpatterns = [
    path("", start.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitations/<str:token>/", invitation_views.invitation, name="invitation"),
    path("admin/", admin.site.urls),
    path("setup/", include("practices.urls")),
    path("enrollment/", include("enrollment.urls")),
    path("exceptions/", include("exceptions.urls")),
    path("mips/", include("mips.urls")),
    path("portals/", include("portals.urls")),
    path("incentives/", include("incentives.urls")),
]
