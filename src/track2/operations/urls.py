from django.urls import path

from track2.operations import views

app_name = "operations"

urlpatterns = [
    path("dialogues/<int:dialogue_id>/retention/", views.retention, name="retention"),
    # Under the Retention tab, which it belongs to: deleting the whole dialogue.
    path("dialogues/<int:dialogue_id>/retention/deletion/", views.delete_dialogue, name="deletion"),
    path(
        "dialogues/<int:dialogue_id>/retention/deletion/withdraw/",
        views.withdraw_deletion,
        name="deletion_withdraw",
    ),
]
