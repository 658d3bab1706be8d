from django.urls import path

from track2.operations import views

app_name = "operations"

urlpatterns = [
    path("dialogues/<int:dialogue_id>/retention/", views.retention, name="retention"),
]
