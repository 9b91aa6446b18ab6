from __future__ import annotations

from django.urls import path

from .views import dashboard, task_response, tasks

app_name = "portals"

urlpatterns = [
    path("", dashboard.hub, name="hub"),
    path("issues/<uuid:public_id>/", dashboard.issue_detail, name="issue-detail"),
    path("tasks/", tasks.task_list, name="task-list"),
    path("tasks.csv", tasks.task_csv, name="task-csv"),
    path("worklist/", tasks.worklist, name="worklist"),
    path("tasks/<uuid:public_id>/", task_response.task_response, name="task"),
    path(
        "tasks/<uuid:public_id>/unpostables/",
        task_response.task_unpostables,
        name="task-unpostables",
    ),
    path(
        "tasks/<uuid:public_id>/password/",
        task_response.reveal_password,
        name="task-password",
    ),
    path("tasks/<uuid:public_id>/view/", tasks.task_view, name="task-view"),
    path("unpostables/<uuid:public_id>/", tasks.unpostable_detail, name="unpostable"),
]
