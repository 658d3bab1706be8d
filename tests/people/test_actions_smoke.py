from track2.people.models import Candidacy


def test_full_path(invited, make_user, django_capture_on_commit_callbacks):
    candidacy, secret = invited
    assert candidacy.status == Candidacy.Status.INVITED
