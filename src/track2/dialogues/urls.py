from django.urls import path

from track2.dialogues import views

app_name = "dialogues"
urlpatterns = [
    path("<int:dialogue_id>/", views.detail, name="detail"),
]
