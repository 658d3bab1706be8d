from django.urls import path

from track2.backchannel import views

app_name = "backchannel"
urlpatterns = [
    path("dialogues/<int:dialogue_id>/backchannel/", views.directory, name="directory"),
]
