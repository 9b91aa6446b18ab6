from __future__ import annotations

app_name = "portals"

urlpatterns: list = []
