from __future__ import annotations

app_name = "mips"

urlpatterns: list = []
