"""docs/engine.md's "From Python" example runs as written, against the package's exports."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import track2.commonground as library

ENGINE_MD = Path(__file__).resolve().parents[2] / "docs" / "engine.md"


def test_engine_md_example_runs() -> None:
    section = ENGINE_MD.read_text(encoding="utf-8").split("## From Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    exec(compile(code.group(1), str(ENGINE_MD), "exec"), {})  # noqa: S102 - our own docs


def test_every_public_name_is_exported() -> None:
    """Every function and class a module of the engine defines without a leading underscore is
    exported by the package (issue 15, item 8): a new public helper that is not fails here."""
    missing = []
    for info in pkgutil.iter_modules(library.__path__):
        module = importlib.import_module(f"{library.__name__}.{info.name}")
        for name, value in vars(module).items():
            defined_here = getattr(value, "__module__", None) == module.__name__
            if name.startswith("_") or not defined_here:
                continue
            if inspect.isfunction(value) or inspect.isclass(value):
                if name not in library.__all__ or getattr(library, name) is not value:
                    missing.append(f"{info.name}.{name}")
    assert missing == []
    for name in ("track2_groups", "bridging_scores", "agreement_by_side", "schulze", "kmeans"):
        assert name in library.__all__  # the ones the issue named, and the one k-means
    assert len(set(library.__all__)) == len(library.__all__)
