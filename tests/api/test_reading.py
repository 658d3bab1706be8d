"""Reads run outside ATOMIC_REQUESTS's transaction (on SQLite it takes the write lock), writes
inside it (a refused write keeps nothing): checked on the resolved views Django calls."""

from __future__ import annotations

from django.urls import resolve

from track2.deliberation import views

M = "/api/v1/dialogues/1/meetings/2"


def in_transaction(path: str) -> bool:
    return not getattr(resolve(path).func, "_non_atomic_requests", set())


def test_the_room_s_reads_take_no_transaction_and_its_writes_do():
    assert not in_transaction(M + "/common-ground")
    # The list and the submission share a path: the path keeps the transaction.
    assert in_transaction(M + "/statements")
    assert not in_transaction("/dialogues/1/meetings/2/room/")
    assert not in_transaction("/dialogues/1/meetings/2/room/map/")
    assert in_transaction(M + "/statements/3/vote")
    assert in_transaction(M + "/statements/3/moderate")
    assert in_transaction(M + "/export")


def test_pages_that_only_read_refuse_other_methods(client, django_user_model):
    user = django_user_model.objects.create_user(email="a@example.org", password="x" * 12)
    client.force_login(user)
    for view in (views.room, views.map_page):
        assert getattr(view, "_non_atomic_requests", None)
    assert client.post("/dialogues/1/meetings/2/room/").status_code == 405
