"""The Flask tutorial's app, as its Nth section describes it, for running
beside chapter N of this project: `scripts/flask-original N`.

Written here, not copied: one module for the four sections, which differ
only in the configuration below, exactly as the tutorial's four listings do.
Its flaws are kept on purpose (a readable signed cookie, `next` followed as
given, `GET /logout`, no new session at sign-in, a hard-coded secret key):
the book shows each one happen. Do not deploy it.

gunicorn starts it with `app:create_app(N)`; `FLASK_ORIGINAL_SESSION_DIR`
is where sections 2 and 4 keep their Flask-Session files.
"""

import os
from datetime import timedelta

from flask import Flask, redirect, render_template, request, session, url_for
from flask_session import Session

# What each section of the tutorial configures.
SECTIONS = {
    1: {"title": "Non-persistent session, client-side"},
    2: {
        "title": "Non-persistent session, server-side",
        "SESSION_TYPE": "filesystem",
        "SESSION_PERMANENT": False,
    },
    3: {
        "title": "Persistent session, client-side",
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=5),
    },
    4: {
        "title": "Persistent session, server-side",
        "SESSION_TYPE": "filesystem",
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=5),
    },
}


def create_app(section):
    """The tutorial's app of section `section` (1 to 4)."""
    settings = dict(SECTIONS[section])
    del settings["title"]
    app = Flask(__name__)
    # The tutorial's key, in the code: anyone who reads it can sign cookies.
    app.config["SECRET_KEY"] = "supersecretkey"
    app.config.update(settings)
    if app.config.get("SESSION_TYPE") == "filesystem":
        # The tutorial leaves the folder at Flask-Session's default
        # (`flask_session/` in the working folder); here it is below target/.
        app.config["SESSION_FILE_DIR"] = os.environ.get(
            "FLASK_ORIGINAL_SESSION_DIR", "flask_session"
        )
        Session(app)

    def signed_in_or_to_login(template):
        if "user_name" not in session:
            # The whole URL, unescaped, as the tutorial writes it.
            return redirect(url_for("login") + f"?next={request.url}")
        return render_template(template)

    @app.route("/")
    @app.route("/home")
    def home():
        print("Session data is: ", session, flush=True)
        return render_template("home.html")

    @app.route("/about")
    def about():
        return signed_in_or_to_login("about.html")

    @app.route("/contact")
    def contact():
        return signed_in_or_to_login("contact.html")

    @app.route("/products")
    def products():
        return render_template("products.html")

    @app.route("/login", methods=["GET", "POST"])
    def login():
        next_url = request.args.get("next")
        if request.method == "POST":
            if section == 3:
                session.permanent = True
            # Written into whatever session the browser already has.
            session["user_name"] = request.form.get("username")
            session["lang"] = "en"
            session["theme"] = "dark"
            next_url = request.form.get("next")
            # Followed wherever it points.
            return redirect(next_url if next_url != "None" else url_for("home"))
        return render_template("login.html", next=next_url)

    @app.route("/logout")
    def logout():
        # A GET: any page that links or embeds it signs the reader out.
        session.clear()
        return "Signed Out!!!"

    return app
