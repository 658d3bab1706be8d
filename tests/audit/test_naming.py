"""The trail names what each entry is about in plain words: every kind of object a write records
is one a reader may filter on and is looked up by name (never called "deleted since" while it
exists), and every action reads as a word, not an internal name ("moderate_reject statement").
The audit found 47 lines of the demo's Changes page calling live objects deleted."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from django.urls import reverse

import track2
from tests.dialogues.test_api import bearer
from tests.template_db import demo_in_database
from track2.audit import names, queries
from track2.audit.models import AuditEntry
from track2.deliberation.actions import DECISIONS
from track2.dialogues.models import Dialogue, Membership
from track2.facilitation.actions import TIMER_ACTIONS
from track2.outcomes.models import Amendment

SOURCE = Path(track2.__file__).parent


def _record_calls():
    """Every call of the trail's `record` in the source: (file, call node, enclosing function)."""
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts or path.parent.name == "audit":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call) or len(call.args) < 3:
                    continue
                func = call.func
                is_record = (isinstance(func, ast.Name) and func.id == "record") or (
                    isinstance(func, ast.Attribute)
                    and func.attr == "record"
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "audit"
                )
                if is_record:
                    yield path, call, function


def _actions_of(node, function) -> set[str]:
    """The action names an argument can take: a literal, either side of `a if c else b`, every
    string a variable is given in the function, and the f-strings of the room and the floor."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _actions_of(node.body, function) | _actions_of(node.orelse, function)
    if isinstance(node, ast.Name):
        found: set[str] = set()
        arguments = function.args
        for arg, default in zip(
            arguments.kwonlyargs
            + arguments.args[-len(arguments.defaults) or len(arguments.args) :],
            arguments.kw_defaults + arguments.defaults,
            strict=False,
        ):
            if arg.arg == node.id and default is not None:  # a parameter: its default
                found |= _actions_of(default, function)
        for assign in ast.walk(function):
            if isinstance(assign, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == node.id for t in assign.targets
            ):
                found |= _actions_of(assign.value, function)
        return found
    if isinstance(node, ast.JoinedStr):
        prefix = node.values[0].value if isinstance(node.values[0], ast.Constant) else ""
        choices = {"moderate_": DECISIONS, "timer_": TIMER_ACTIONS}[prefix]
        return {prefix + choice for choice in choices}
    if isinstance(node, ast.Attribute) and node.attr == "status":
        return {Amendment.Status.ACCEPTED, Amendment.Status.REJECTED}  # outcomes.do_decide
    raise AssertionError(f"an action the test cannot read: {ast.dump(node)}")


def test_every_action_any_write_records_reads_as_words():
    actions: set[str] = set()
    for path, call, function in _record_calls():
        found = _actions_of(call.args[1], function)
        assert found, (path, call.lineno)
        actions |= found
    assert len(actions) > 30  # the scan sees the writes (not an empty walk)
    assert actions <= set(queries.ACTIONS), sorted(actions - set(queries.ACTIONS))
    assert "propose" not in actions  # proposals are never recorded (outcomes)


def test_every_kind_is_filterable_and_named():
    assert set(names.LOOKUPS) | set(names.ABOUT_A_PERSON) == set(queries.OBJECT_TYPES)


@pytest.fixture
def demo_site(db):
    demo_in_database()
    return Dialogue.objects.get(title="Varena Sea Dialogue")


def test_the_demo_trail_names_every_live_object_in_plain_words(demo_site, client):
    entries = AuditEntry.objects.all()
    assert {e.object_type for e in entries} <= set(queries.OBJECT_TYPES)
    assert {e.action for e in entries} <= set(queries.ACTIONS)
    for dialogue in Dialogue.objects.all():
        lines = queries.lines(dialogue, queries.for_dialogue(dialogue))
        called_deleted = [(ln.entry.object_type, ln.entry.action) for ln in lines if ln.is_deleted]
        assert called_deleted == [], dialogue  # nothing of the demo is deleted
        unnamed = {ln.entry.object_type for ln in lines if ln.name is None}
        # One per dialogue, named by the dialogue itself: nothing more to call them.
        assert unnamed <= {"disclosure", "retentionpolicy", "keydestruction"}, unnamed
    convener = Membership.objects.get(
        dialogue=demo_site, role="convener", user__email="convener@demo.track2.invalid"
    ).user  # of its two conveners, the one who built the demo
    client.force_login(convener)
    pages, n = [], 1
    while True:
        response = client.get(reverse("audit:changes", args=[demo_site.pk]) + f"?page={n}")
        pages.append(html.unescape(response.content.decode()))
        if "Older" not in pages[-1]:
            break
        n += 1
    shown = "\n".join(pages)
    assert "deleted since" not in shown
    for internal in ("moderate_", "publish key bundle", "timer_start", "import_polis"):
        assert internal not in shown, internal
    assert re.search(r"accepted statement in the room of meeting “[^”]+”", shown)
    assert re.search(r"published back-channel key bundle of “[^”]+”", shown)
    assert re.search(r"created recommendation “[^”]+”", shown)
    assert re.search(r"made numbered copy of outcome document “[^”]+, copy 1”", shown)

    # The API filters on every kind the trail can hold (the page's filter offers the same list).
    token = bearer(convener)
    base = f"/api/v1/dialogues/{demo_site.pk}/changes"
    for object_type in queries.OBJECT_TYPES:
        answer = client.get(f"{base}?object_type={object_type}", **token)
        assert answer.status_code == 200, (object_type, answer.content)
        items = answer.json()["items"]
        assert all(i["object_type"] == object_type for i in items)
        assert not any(i["object_deleted"] for i in items), object_type
        page = client.get(
            reverse("audit:changes", args=[demo_site.pk]) + f"?object_type={object_type}"
        )
        assert "Select a valid choice" not in page.content.decode(), object_type

    # An object deleted since still reads as deleted, on the page and in the API.
    from track2.impact.models import Recommendation

    recommendation = Recommendation.objects.filter(dialogue=demo_site).first()
    Recommendation.objects.filter(pk=recommendation.pk).delete()
    query = f"?object_type=recommendation&object_id={recommendation.pk}"
    answer = client.get(base + query, **token).json()
    assert [(i["object_name"], i["object_deleted"]) for i in answer["items"]] == [(None, True)]
    page = client.get(reverse("audit:changes", args=[demo_site.pk]) + query).content.decode()
    assert "deleted since" in page


def test_docs_list_every_kind_the_api_filters_on():
    api = (SOURCE.parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
    (row,) = [line for line in api.splitlines() if "/changes` | conveners" in line]
    listed = set(re.findall(r"`(\w+)`", row.split("Query: `object_type` (", 1)[1].split(")")[0]))
    assert listed == set(queries.OBJECT_TYPES)
