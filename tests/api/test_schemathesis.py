"""An authenticated schemathesis run over the whole API (issue 8): a convener's personal token on
a realistic dialogue (tests/dialogues/conftest.py's world, built through the real actions); no
server error, and every answer conforms to the status codes and JSON schemas the OpenAPI
document declares.

Path ids are mostly the world's real ones, so that operations get past 404 and their bodies are
exercised; hypothesis still varies them (and every body, query and header it may send).
Examples are bounded so that the run takes well under two minutes on SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from tests.dialogues.conftest import world  # noqa: F401  (the fixture, shared)
from tests.dialogues.test_api import bearer
from track2.api.urls import api
from track2.wsgi import application

# A copy: schemathesis adds the links it infers to the document it is given, and the site keeps
# one document per process (api.urls), which must stay as served.
# The event streams (live updates) never end: under this WSGI app a stream would be read forever.
# tests/live/ covers them (their 401/404 answers through the ASGI client, the streams on real servers).
schema = schemathesis.openapi.from_dict(copy.deepcopy(api.get_openapi_schema())).exclude(
    path_regex=r"/events$"
)
schema.app = application

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def real_ids(world) -> dict[str, int]:  # noqa: F811
    # Taken once, before the examples (which may delete these objects: then 404 is the answer).
    return {
        "dialogue_id": world.dialogue.pk,
        "meeting_id": world.meeting.pk,
        "delegation_id": world.caldera.pk,
        "venue_id": world.venue.pk,
        "person_id": world.persons["eli"].pk,
        "party_id": world.caldera.party_id,
        "seat_id": world.caldera.members.first().pk,
        "item_id": 1,
        "participant_id": 1,
        "membership_id": world.dialogue.memberships.first().pk,
    }


@pytest.fixture
def test_transaction_kept():
    """The WSGI app closes database connections at the end of each request; inside a test that
    would close the test's own transaction (PostgreSQL). Django's test client does the same."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def convener_token(world):  # noqa: F811
    return bearer(world.users["convener"])["HTTP_AUTHORIZATION"]


# The SQLite pass only: what it checks (status codes, content types, answers' schemas) is the API's
# Python, not the vendor's; what a vendor refuses differently (a NUL, a length, a range) is in the
# form sweep, which sends it to every operation on both (tests/test_every_form.py).
@pytest.mark.any_database
@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_whole_api_conforms_to_its_openapi_document(
    case, real_ids, convener_token, test_transaction_kept
):
    for name, value in list((case.path_parameters or {}).items()):
        # Three times in four the real id (reaching the operation itself), else what was drawn.
        if name in real_ids and isinstance(value, int) and value % 4 != 0:
            case.path_parameters[name] = real_ids[name]
    case.call_and_validate(headers={"Authorization": convener_token}, checks=CHECKS)


def test_stateful_workflows_through_the_links_schemathesis_infers(
    world,  # noqa: F811
    convener_token,
    test_transaction_kept,
):
    """Sequences of calls where each uses what an earlier answer gave (GET /me → a dialogue id →
    its meetings → one meeting …): the links schemathesis infers from the declared schemas."""
    workflow = schema.as_state_machine()

    class ConvenerWorkflow(workflow):
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": convener_token}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    ConvenerWorkflow.run(
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
