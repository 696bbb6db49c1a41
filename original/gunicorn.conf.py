"""How `scripts/flask-original N` serves the tutorial's app: gunicorn, two
worker processes of four threads each (a common small deployment, and what
the benchmark measures), on 127.0.0.1:500N unless FLASK_ORIGINAL_PORT says
otherwise.

Threads, not gunicorn's default sync workers: a browser opens connections
before it needs them and leaves them idle, and a sync worker waits on such
a connection until gunicorn kills it, 30 s later; two of them stall the
whole app. gunicorn's docs say sync workers belong behind a buffering proxy,
and the tutorial runs with none."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from app import SECTIONS  # noqa: E402

section = int(os.environ["FLASK_ORIGINAL_SECTION"])
port = int(os.environ.get("FLASK_ORIGINAL_PORT", 5000 + section))

bind = f"127.0.0.1:{port}"
workers = 2
worker_class = "gthread"
threads = 4


def when_ready(server):
    """Says where to look, as a chapter does when it launches."""
    print(
        f"\nThe original, section {section}: {SECTIONS[section]['title']}\n"
        f"  open http://127.0.0.1:{port} in your browser\n",
        flush=True,
    )
    store = os.environ.get("FLASK_ORIGINAL_SESSION_DIR")
    if "SESSION_TYPE" in SECTIONS[section] and store:
        print(f"  Flask-Session keeps its files in {store}\n", flush=True)
