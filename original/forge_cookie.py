"""Signs a session cookie for any user name with the tutorial's key, as
anyone who has read the tutorial's code can: Flask's own serializer, given
"supersecretkey".

    target/flask-venv/bin/python original/forge_cookie.py NAME
"""

import sys

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = "supersecretkey"
serializer = app.session_interface.get_signing_serializer(app)
print(serializer.dumps({"user_name": sys.argv[1], "lang": "en", "theme": "dark"}))
