from __future__ import annotations

app_name = "enrollment"

urlpatterns: list = []
