from django.urls import path

from track2.deliberation import convener_views as c
from track2.deliberation import views as v

app_name = "deliberation"
R = "<int:dialogue_id>/meetings/<int:meeting_id>/room/"
urlpatterns = [
    path(R, v.room, name="room"),
    path(R + "statements/new/", v.submit_statement, name="submit"),
    path(R + "statements/<int:statement_id>/vote/", v.vote, name="vote"),
    path(R + "mine/", v.mine, name="mine"),
    path(R + "moderation/", v.moderation, name="moderation"),
    path(R + "moderation/<int:statement_id>/", v.moderate, name="moderate"),
    path(R + "moderation/order/", v.order, name="order"),
    path(R + "moderation/order/<int:statement_id>/move/", v.move, name="move"),
    path(R + "map/", v.map_page, name="map"),
    path(R + "settings/", v.settings_page, name="settings"),
    path(R + "settings/close/", v.close, name="close"),
    path(R + "exports/", c.exports_page, name="exports"),
    path(R + "exports/<str:fmt>/", c.download, name="download"),
    path("<int:dialogue_id>/room-key/", c.destroy_key, name="destroy_key"),
]
