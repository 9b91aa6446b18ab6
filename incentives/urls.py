from __future__ import annotations

app_name = "incentives"

urlpatterns: list = []
