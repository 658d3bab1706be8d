"""What `track2 serve` loads is kept out of the garbage collector's full collections, and the
full collections are rarer.

A full collection walks every object the collector tracks while holding the interpreter; with
Django, the URLs, numpy and scipy loaded that was ~200,000 objects and 100–150 ms without an
answered vote (docs/benchmarks.md, stop 22). The ASGI module loads them and freezes them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json, sys
import track2.asgi
print(json.dumps({"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects()),
                  "engine": "track2.commonground" in sys.modules, "threshold": gc.get_threshold()}))
"""


def test_the_served_application_loads_its_views_and_freezes_the_heap(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "track2.settings",
        "TRACK2_HOME": str(tmp_path),
        "TRACK2_EMAIL_URL": "locmem://",
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("TRACK2_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    heap = json.loads(done.stdout.strip().splitlines()[-1])
    # The views (and through the room's, the engine) are imported before the freeze, not on the
    # first request; what stays in the collector's sight is what was made after it.
    assert heap["engine"]
    assert heap["frozen"] > 50_000
    assert heap["tracked"] < heap["frozen"] / 10
    # Full collections wait for 100 younger ones (the rooms' maps are rebuilt as votes come).
    assert heap["threshold"][2] == 100
