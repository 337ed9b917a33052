"""config/wsgi.py: the application a web worker serves, settled at start-up."""

import json
import subprocess
import sys

from tests.core.test_serve import ROOT, serve_env

PROBE = """
import gc, json, sys
import config.wsgi
from django.urls import get_resolver
gc.collect()  # what a full collection still looks at
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "populated": get_resolver()._populated,
    "views": "registro.entities.directory.views" in sys.modules,
}))
"""


def test_start_up_imports_every_view_and_hides_it_from_the_collector(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=serve_env(tmp_path), check=True, capture_output=True, text=True
    )
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    # The URL patterns, and so every view module, loaded before any request; `reverse` ready.
    assert probe["views"] and probe["populated"]
    # Start-up's objects are frozen; a full collection looks at a small remainder of them.
    assert probe["frozen"] > 50_000
    assert probe["tracked"] < probe["frozen"] / 5
