from django.urls import path

from track2.people import views

app_name = "people"
urlpatterns = [
    path("dialogues/<int:dialogue_id>/people/", views.people_list, name="list"),
    path("dialogues/<int:dialogue_id>/people/add/", views.person_add, name="add"),
    path("dialogues/<int:dialogue_id>/people/nominate/", views.nominate_existing, name="nominate"),
    path("dialogues/<int:dialogue_id>/people/import/", views.roster_import, name="import"),
    path(
        "dialogues/<int:dialogue_id>/people/invite-vetted/",
        views.invite_all_vetted,
        name="invite_vetted",
    ),
    path("dialogues/<int:dialogue_id>/people/export.csv", views.roster_export, name="export"),
    path("dialogues/<int:dialogue_id>/people/<int:person_id>/", views.person_detail, name="detail"),
    path(
        "dialogues/<int:dialogue_id>/people/<int:person_id>/edit/", views.person_edit, name="edit"
    ),
    path(
        "dialogues/<int:dialogue_id>/people/<int:person_id>/vet/", views.candidacy_vet, name="vet"
    ),
    path(
        "dialogues/<int:dialogue_id>/people/<int:person_id>/invite/",
        views.candidacy_invite,
        name="invite",
    ),
    path(
        "dialogues/<int:dialogue_id>/people/<int:person_id>/withdraw/",
        views.candidacy_withdraw,
        name="withdraw",
    ),
    path(
        "dialogues/<int:dialogue_id>/people/<int:person_id>/renominate/",
        views.candidacy_renominate,
        name="renominate",
    ),
    path(
        "dialogues/<int:dialogue_id>/people/<int:person_id>/delete/",
        views.person_delete,
        name="delete",
    ),
    path("invitations/<str:secret>/", views.invitation, name="invitation"),
]
