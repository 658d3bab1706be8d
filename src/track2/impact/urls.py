from django.urls import path

from track2.impact import views as v

app_name = "impact"
D = "dialogues/<int:dialogue_id>/impact/"
R = D + "recommendations/<int:recommendation_id>/"
S = D + "surveys/<int:survey_id>/"
urlpatterns = [
    path(D, v.overview, name="overview"),
    path(R, v.recommendation, name="recommendation"),
    path(R + "correct/", v.correct_recommendation, name="correct"),
    path(R + "relays/", v.relay, name="relay"),
    path(R + "reactions/", v.react, name="react"),
    path(D + "surveys/", v.surveys, name="surveys"),
    path(S, v.survey, name="survey"),
    path(S + "close/", v.close_survey, name="close_survey"),
    path(D + "evaluation/", v.evaluation, name="evaluation"),
    path(D + "evaluation/export/<str:fmt>/", v.export, name="export"),
    path(D + "notifications/", v.notifications, name="notifications"),
    path(D + "disclosure/", v.disclosure, name="disclosure"),
    path(D + "relay-sensitivity/", v.relay_sensitivity, name="relay_sensitivity"),
    path("public/dialogues/<int:dialogue_id>/", v.public_page, name="public"),
    path("institutions/<int:institution_id>/programme/", v.programme, name="programme"),
]
