"""The OpenAPI document, built once per process.

django-ninja walks every router, schema and signature to build it on each request to
/api/v1/openapi.json (about 200 ms here); the routes cannot change while a process runs.
"""

from __future__ import annotations

from ninja import NinjaAPI


def build_openapi_once(api: NinjaAPI) -> None:
    build = api.get_openapi_schema
    built: dict[str, object] = {}

    def schema(*, path_prefix: str | None = None, path_params: dict | None = None):
        prefix = api.get_root_path(path_params or {}) if path_prefix is None else path_prefix
        if prefix not in built:
            built[prefix] = build(path_prefix=prefix)
        return built[prefix]

    api.get_openapi_schema = schema  # type: ignore[method-assign]  # same signature, remembered
