from django.urls import path

from track2.outcomes import views as v

app_name = "outcomes"
D = "<int:dialogue_id>/outcomes/"
O = D + "<int:document_id>/"  # noqa: E741
urlpatterns = [
    path(D, v.documents, name="documents"),
    path(O, v.document, name="document"),
    path(O + "edit/", v.edit, name="edit"),
    path(O + "endorse/", v.endorse, name="endorse"),
    path(O + "amendments/", v.propose, name="propose"),
    path(O + "amendments/<int:amendment_id>/decision/", v.decide, name="decide"),
    path(O + "drafts/", v.add_draft, name="add_draft"),
    path(O + "ranking/", v.rank, name="rank"),
    path(O + "diff/", v.diff, name="diff"),
    path(O + "export/<str:fmt>/", v.export, name="export"),
]
