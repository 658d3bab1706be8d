from django.urls import path

from track2.audit import views

app_name = "audit"
urlpatterns = [
    path("dialogues/<int:dialogue_id>/changes/", views.changes, name="changes"),
]
