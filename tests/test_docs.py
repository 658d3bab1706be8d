"""Docs are tested (STYLE.md §9): every setting, command and API endpoint is documented."""

import re
from pathlib import Path

import pytest

from track2.cli import TRACK2_COMMANDS
from track2.config import SETTINGS_DOC

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def own_commands() -> set[str]:
    return {
        path.stem
        for path in (ROOT / "src" / "track2").glob("*/management/commands/*.py")
        if path.stem != "__init__"
    }


@pytest.mark.parametrize("name", sorted(SETTINGS_DOC))
def test_every_setting_is_documented(name):
    assert f"`{name}`" in (DOCS / "configuration.md").read_text(), (
        f"document {name} in docs/configuration.md"
    )


def test_every_environment_variable_read_is_declared():
    source = (ROOT / "src" / "track2" / "config.py").read_text()
    read = set(re.findall(r'"(TRACK2_[A-Z0-9_]+)"', source))
    assert read <= set(SETTINGS_DOC), f"add to SETTINGS_DOC: {sorted(read - set(SETTINGS_DOC))}"


@pytest.mark.parametrize("name", sorted(own_commands()))
def test_every_command_is_documented_and_listed(name):
    assert f"## track2 {name}" in (DOCS / "cli.md").read_text(), (
        f"document `track2 {name}` in docs/cli.md"
    )
    assert name in TRACK2_COMMANDS, f"list {name} in track2.cli.TRACK2_COMMANDS (track2 --help)"


def command_section(name: str) -> str:
    text = (DOCS / "cli.md").read_text()
    heading = f"## track2 {name}"
    assert heading in text, f"document `track2 {name}` in docs/cli.md"
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


def own_arguments(name: str) -> list[tuple[str, str]]:
    """(how the docs must spell it, what it is) for each argument the command adds to Django's own."""
    from django.core.management import get_commands, load_command_class
    from django.core.management.base import BaseCommand

    common = {
        option
        for action in BaseCommand().create_parser("track2", "x")._actions
        for option in action.option_strings
    }
    parser = load_command_class(get_commands()[name], name).create_parser("track2", name)
    arguments = []
    for action in parser._actions:
        if not action.option_strings:
            arguments.append(((action.metavar or action.dest).upper(), "argument"))
        elif not set(action.option_strings) & common:
            longest = max(action.option_strings, key=len)
            arguments.append((longest, "option"))
    return arguments


@pytest.mark.parametrize("name", sorted(own_commands()))
def test_every_command_option_is_documented(name):
    section = command_section(name)
    missing = [
        f"{kind} {spelling}"
        for spelling, kind in own_arguments(name)
        if not re.search(rf"(?<![\w-]){re.escape(spelling)}(?![\w-])", section)
    ]
    assert not missing, f"document in docs/cli.md under `## track2 {name}`: {', '.join(missing)}"


def test_listed_commands_exist():
    assert set(TRACK2_COMMANDS) <= own_commands()


@pytest.mark.django_db
def test_every_api_endpoint_is_documented(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    text = (DOCS / "api.md").read_text()
    for path, operations in paths.items():
        for method in operations:
            assert f"`{method.upper()} {path}`" in text, (
                f"document `{method.upper()} {path}` in docs/api.md"
            )


def _body_fields(operation: dict, schemas: dict) -> list[str]:
    fields = []
    for content in operation.get("requestBody", {}).get("content", {}).values():
        schema = content["schema"]
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
        fields += list(schema.get("properties", {}))
    return fields


@pytest.mark.django_db
def test_every_api_parameter_and_body_field_is_documented(client):
    """Each query parameter and request-body field appears, in backticks, on a line of docs/api.md
    that names its endpoint (the endpoint's row, or a row of the request fields table)."""
    document = client.get("/api/v1/openapi.json").json()
    schemas = document.get("components", {}).get("schemas", {})
    lines = (DOCS / "api.md").read_text().splitlines()
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            endpoint = f"`{method.upper()} {path}`"
            text = "\n".join(line for line in lines if endpoint in line)
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] != "path"]
            names += _body_fields(operation, schemas)
            missing += [f"{endpoint}: `{name}`" for name in names if f"`{name}`" not in text]
    assert not missing, "document in docs/api.md:\n" + "\n".join(missing)


def test_readme_gives_the_two_commands_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci in readme
    assert "bash scripts/demo.sh" in readme
