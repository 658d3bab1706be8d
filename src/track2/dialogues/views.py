from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from track2 import access


@login_required
def detail(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    dialogue = access.access_dialogue(request.user, dialogue_id, need="member")
    roles = access.roles_of(request.user, dialogue.pk)
    return render(request, "dialogues/detail.html", {"dialogue": dialogue, "roles": sorted(roles)})
