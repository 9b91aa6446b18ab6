from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_set_up_pages_render_for_quality_manager(qm_client, tin_npi):
    provider = tin_npi.provider
    for url in [
        reverse("home"),
        reverse("practices:member-list"),
        reverse("practices:provider-list"),
        reverse("practices:provider-create"),
        reverse("practices:provider-detail", args=[provider.public_id]),
        reverse("practices:provider-numbers", args=[provider.public_id]),
        reverse("practices:number-list"),
        reverse("practices:group-list"),
        reverse("practices:group-detail", args=[tin_npi.medical_group.public_id]),
        reverse("practices:override-list"),
        reverse("practices:override-create"),
    ]:
        r = qm_client.get(url)
        assert r.status_code == 200, url
