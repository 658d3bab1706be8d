"""Static files are collected at a site's start only when what would be collected changed."""

from __future__ import annotations

import json
import os

import pytest
from django.test import Client

from track2 import config
from track2.site import static_files
from track2.site.static_files import StaticFilesMiddleware


@pytest.fixture
def small_site(settings, tmp_path):
    """A site whose only static source is one folder, collected without compression (the real
    compression is exercised by every served test, tests/conftest.py)."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "site.css").write_text("body { color: black; }\n")
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    return source


def test_a_second_start_does_not_collect_again(small_site, tmp_path):
    assert static_files.collect() is True
    assert (tmp_path / "static" / "staticfiles.json").is_file()
    assert (tmp_path / "static.sources").is_file()  # beside the folder, never served from it
    assert not (tmp_path / "static" / "static.sources").exists()
    assert static_files.collect() is False


def test_a_changed_or_added_source_file_is_collected(small_site, tmp_path):
    static_files.collect()
    css = small_site / "site.css"
    css.write_text("body { color: navy; }\n")
    os.utime(css, ns=(1, 1))  # another modification time, whatever the clock's resolution
    assert static_files.collect() is True
    (small_site / "room.js").write_text("'use strict';\n")
    assert static_files.collect() is True
    assert any(p.name.startswith("room.") for p in (tmp_path / "static").iterdir())


def test_a_removed_static_folder_is_collected_again(small_site, tmp_path):
    static_files.collect()
    (tmp_path / "static" / "staticfiles.json").unlink()
    assert static_files.collect() is True


def test_an_interrupted_collection_is_not_taken_as_complete(small_site, tmp_path, monkeypatch):
    static_files.collect()
    (small_site / "site.css").write_text("changed\n")
    os.utime(small_site / "site.css", ns=(2, 2))

    def fails(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(static_files, "call_command", fails)
    with pytest.raises(OSError):
        static_files.collect()
    monkeypatch.undo()
    assert not (tmp_path / "static.sources").exists()
    assert static_files.collect() is True


def test_static_root_defaults_to_the_home_folder(tmp_path):
    loaded = config.load({"TRACK2_HOME": str(tmp_path)})
    assert loaded.static_root == tmp_path / "static"


def test_static_root_can_be_shared_elsewhere(tmp_path):
    loaded = config.load(
        {"TRACK2_HOME": str(tmp_path / "home"), "TRACK2_STATIC_ROOT": str(tmp_path / "shared")}
    )
    assert loaded.static_root == tmp_path / "shared"


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("static", "not an absolute path"),
        ("/srv/static\x00x", "control characters"),
        ("/srv/\nstatic", "control characters"),
    ],
)
def test_a_bad_static_root_is_refused_clearly(tmp_path, value, says):
    with pytest.raises(config.ConfigError, match=says):
        config.load({"TRACK2_HOME": str(tmp_path), "TRACK2_STATIC_ROOT": value})


def _served(path: str):
    """What a new request handler, as the test client makes one per client, answers for a path."""
    return Client().get(path)


def test_handlers_of_one_process_share_one_index_of_the_collected_files(small_site, tmp_path):
    static_files.collect()
    hashed = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]["site.css"]
    first, second = StaticFilesMiddleware(lambda r: None), StaticFilesMiddleware(lambda r: None)
    url = f"/static/{hashed}"
    assert first.files[url] is second.files[url]  # not indexed again
    answer = _served(url)
    assert answer.status_code == 200
    assert b"color: black" in b"".join(answer.streaming_content)
    assert "immutable" in answer["Cache-Control"]  # a hashed name is still known as one


def test_a_new_collection_is_indexed_again(small_site, tmp_path):
    static_files.collect()
    before = StaticFilesMiddleware(lambda r: None).files
    (small_site / "site.css").write_text("body { color: navy; }\n")
    os.utime(small_site / "site.css", ns=(3, 3))
    assert static_files.collect() is True
    manifest = tmp_path / "static" / "staticfiles.json"
    os.utime(manifest, ns=(4, 4))  # a new collection, whatever the clock's resolution
    after = StaticFilesMiddleware(lambda r: None).files
    hashed = json.loads(manifest.read_text())["paths"]["site.css"]
    assert f"/static/{hashed}" in after and f"/static/{hashed}" not in before
    assert b"navy" in b"".join(_served(f"/static/{hashed}").streaming_content)


def test_settings_that_shape_the_headers_get_their_own_index(small_site, settings):
    static_files.collect()
    cached = StaticFilesMiddleware(lambda r: None).files["/static/site.css"]
    settings.WHITENOISE_MAX_AGE = 7
    fresh = StaticFilesMiddleware(lambda r: None).files["/static/site.css"]
    assert fresh is not cached
    assert "max-age=7" in _served("/static/site.css")["Cache-Control"]
    # one index per folder, replaced, not one more kept for each change
    root = os.path.join(str(settings.STATIC_ROOT), "")
    assert [folder for folder, _ in StaticFilesMiddleware._indexes if folder == root] == [root]
