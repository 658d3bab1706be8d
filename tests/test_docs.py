"""Docs are tested (STYLE.md §9): every setting, command and API endpoint is documented."""

import re
from pathlib import Path

import pytest

from track2.cli import TRACK2_COMMANDS
from track2.config import SETTINGS_DOC

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def own_commands() -> set[str]:
    return {path.stem for path in (ROOT / "src" / "track2").glob("*/management/commands/*.py") if path.stem != "__init__"}


@pytest.mark.parametrize("name", sorted(SETTINGS_DOC))
def test_every_setting_is_documented(name):
    assert f"`{name}`" in (DOCS / "configuration.md").read_text(), f"document {name} in docs/configuration.md"


def test_every_environment_variable_read_is_declared():
    source = (ROOT / "src" / "track2" / "config.py").read_text()
    read = set(re.findall(r'"(TRACK2_[A-Z0-9_]+)"', source))
    assert read <= set(SETTINGS_DOC), f"add to SETTINGS_DOC: {sorted(read - set(SETTINGS_DOC))}"


@pytest.mark.parametrize("name", sorted(own_commands()))
def test_every_command_is_documented_and_listed(name):
    assert f"## track2 {name}" in (DOCS / "cli.md").read_text(), f"document `track2 {name}` in docs/cli.md"
    assert name in TRACK2_COMMANDS, f"list {name} in track2.cli.TRACK2_COMMANDS (track2 --help)"


def test_listed_commands_exist():
    assert set(TRACK2_COMMANDS) <= own_commands()


@pytest.mark.django_db
def test_every_api_endpoint_is_documented(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    text = (DOCS / "api.md").read_text()
    for path, operations in paths.items():
        for method in operations:
            assert f"`{method.upper()} {path}`" in text, f"document `{method.upper()} {path}` in docs/api.md"


def test_readme_gives_the_two_commands_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci in readme
    assert "bash scripts/demo.sh" in readme
