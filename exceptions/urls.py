from __future__ import annotations

app_name = "exceptions"

urlpatterns: list = []
