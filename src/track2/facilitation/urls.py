from django.urls import path

from track2.facilitation import views as v

app_name = "facilitation"
F = "<int:dialogue_id>/meetings/<int:meeting_id>/floor/"
urlpatterns = [
    path(F, v.floor, name="floor"),
    path(F + "room/", v.room_panel, name="room_panel"),
    path(F + "caucus/<int:delegation_id>/", v.caucus_room, name="caucus"),
    path(F + "caucus/<int:delegation_id>/<str:what>/", v.caucus_act, name="caucus_act"),
    path(F + "record/", v.record_page, name="record"),
    path(F + "record/export/<str:fmt>/", v.record_download, name="record_download"),
    path(F + "record/<str:what>/", v.record_act, name="record_act"),
    path(F + "<str:what>/", v.act, name="act"),
]
