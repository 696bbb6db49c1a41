"""Shows one of Flask-Session's files as cachelib wrote it: four bytes of
expiry (a Unix time), then the session as a Python pickle, in the clear.

    target/flask-venv/bin/python original/show_session_file.py FILE
"""

import pickle
import struct
import sys
from datetime import datetime, timezone

with open(sys.argv[1], "rb") as file:
    (expires,) = struct.unpack("I", file.read(4))
    data = pickle.load(file)
when = datetime.fromtimestamp(expires, timezone.utc)
print(f"expires: {expires} ({when:%Y-%m-%d %H:%M:%S} UTC)")
print(f"data: {data!r}")
