"""deskterm in a browser: the same app, one process per browser tab, served by textual-serve.

Each tab that connects starts ``deskterm`` (the command the server was given) in a web
driver; its screen goes to the browser's terminal (xterm.js, served from textual-serve's own
files, as is the font: the page fetches nothing from elsewhere). With a token, the page is
opened once as ``/?token=…``, which leaves an HTTP-only cookie; every later request
(the terminal's websocket included) is refused without it, before any app starts.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
import textual_serve
from aiohttp import web
from textual_serve.server import Server

PAGE = Path(__file__).parent
STATIC = Path(textual_serve.__file__).parent / "static"
COOKIE = "deskterm_token"


class DeskServer(Server):
    """textual-serve's server with deskterm's page, an optional token, and URLs taken from
    the address the browser used (so a server bound to 0.0.0.0 works from another host)."""

    def __init__(
        self, command: str, *, host: str, port: int, token: str | None, title: str
    ) -> None:
        super().__init__(
            command, host=host, port=port, title=title, statics_path=STATIC, templates_path=PAGE
        )
        self.token = token or None

    def _allowed(self, request: web.Request) -> bool:
        if self.token is None or request.path.startswith("/static/"):
            return True
        given = request.query.get("token") or request.cookies.get(COOKIE) or ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not self._allowed(request):
            raise web.HTTPForbidden(
                text="deskterm: this address needs its token; open it as /?token=…\n"
            )
        response: web.StreamResponse = await handler(request)
        if self.token and request.query.get("token") and not response.prepared:
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
        return response

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        where = f"http://{self.host}:{self.port}/"
        if self.token:
            where += "?token=…"
        self.console.print(f"deskterm in a browser on {where}  (ctrl+c stops it)")

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """The page, with its URLs built from the address the browser asked for."""
        base = f"{request.scheme}://{request.host}"
        socket = ("wss:" if request.scheme == "https" else "ws:") + base.split(":", 1)[1]
        try:
            font_size = int(request.query.get("fontsize", "16"))
        except ValueError:
            font_size = 16
        return {
            "font_size": font_size,
            "app_websocket_url": socket + str(request.app.router["websocket"].url_for()),
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }
