"""The brand's website: a login page and an account page that embed the LivePerson Web SDK.

The pages are static HTML and JavaScript; the server only fills in where the backend and the tag
are. Everything that talks to the backend runs in the browser, with the backend's login cookie.
"""

from __future__ import annotations

from flask import Flask, redirect, render_template, send_from_directory
from werkzeug.wrappers import Response

from web_client.settings import Settings


def create_app(settings: Settings) -> Flask:
    app = Flask(__name__)
    app.extensions["web_client"] = settings

    @app.context_processor
    def _page_config() -> dict[str, object]:
        return {"config": settings.page_config()}

    @app.get("/")
    def home() -> Response:
        return redirect("/account")

    @app.get("/login")
    def login() -> str:
        return render_template("login.html")

    @app.get("/account")
    def account() -> str:
        return render_template("account.html")

    @app.get("/favicon.ico")
    def favicon() -> Response:
        # Browsers ask for it on every page; an SVG (the path keeps its historic name).
        assert app.static_folder is not None
        return send_from_directory(app.static_folder, "favicon.svg", mimetype="image/svg+xml")

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    @app.after_request
    def _headers(response: Response) -> Response:
        # The pages hold no secrets, but they must not be framed, and the referrer stays on this site.
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return app
