"""``deskterm --remote zendesk login`` and ``logout``: signing in to Zendesk with OAuth.

The sign-in is Zendesk's authorization-code flow with PKCE for a native app (see
``backend/connectors/zendesk_oauth.py``): a loopback redirect on 127.0.0.1, the browser
opened where there is one and the address printed where there is not, and the tokens kept
in the system keyring or an owner-only file (``backend/connectors/token_store.py``).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deskterm.config import Settings

#: How long the sign-in waits for the browser to come back, in seconds.
WAIT_SECONDS = 300.0


COMMAND = "login"


def add_command(sub: argparse._SubParsersAction) -> None:
    login = sub.add_parser(
        COMMAND,
        help="sign in to Zendesk with OAuth (opens the browser; keeps the tokens safe)",
        description="Sign in to the Zendesk account of --subdomain (or [remote]) through your "
        "browser. The tokens go to the system keyring, or where there is none to a file only "
        "you can read; never to the settings file.",
    )
    login.add_argument(
        "--client-id",
        help="the identifier of the account's OAuth client for deskterm (default: "
        "[remote] oauth_client_id, or DESKTERM_REMOTE__OAUTH_CLIENT_ID)",
    )
    login.add_argument(
        "--port",
        type=int,
        default=0,
        help="the loopback port Zendesk sends the browser back to (default: any free one; "
        "give one if the OAuth client's redirect URL names a port)",
    )
    login.add_argument(
        "--no-browser", action="store_true", help="print the sign-in address instead of opening it"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    return run_login(args, settings)


def _browser_available() -> bool:
    """A graphical browser can open here (not over plain SSH, not in a bare container)."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _open_browser(url: str) -> bool:
    import webbrowser  # not at start-up: the parser is built on every run

    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


def _account_root(args: argparse.Namespace, settings: Settings) -> str:
    from deskterm.backend.connectors.token_store import zendesk_root
    from deskterm.backend.sync.remote import RemoteSetupError, choice_from

    choice = choice_from(settings, args.remote, url=args.url, subdomain=args.subdomain)
    if choice is None or choice.kind != "zendesk":
        raise RemoteSetupError("login and logout are for Zendesk: give --remote zendesk")
    root = zendesk_root(choice.subdomain, choice.url)
    if root is None:
        raise RemoteSetupError(
            "Zendesk needs --subdomain (letters, digits, dashes: acme for acme.zendesk.com)"
        )
    return root


def run_login(args: argparse.Namespace, settings: Settings) -> int:
    """The whole sign-in; one line and a non-zero exit when it does not go through."""
    import secrets

    from deskterm.backend.connectors.errors import RemoteError
    from deskterm.backend.connectors.oauth_loopback import LoopbackReceiver
    from deskterm.backend.connectors.token_store import account_key, token_store
    from deskterm.backend.connectors.zendesk_api import ZendeskClient
    from deskterm.backend.connectors.zendesk_oauth import (
        PKCE,
        OAuthSession,
        TokenEndpoint,
        authorize_url,
    )
    from deskterm.backend.sync.remote import RemoteSetupError

    root = _account_root(args, settings)
    client_id = args.client_id or settings.remote.oauth_client_id
    if not client_id:
        raise RemoteSetupError(
            "give --client-id: the identifier of a public OAuth client in Zendesk's Admin "
            "Center (Apps and integrations > APIs > OAuth clients)"
        )
    pkce, state = PKCE.new(), secrets.token_urlsafe(24)
    try:
        receiver = LoopbackReceiver(state, port=args.port)
    except OSError as exc:
        raise RemoteSetupError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}") from None
    with receiver:
        url = authorize_url(
            root,
            client_id=client_id,
            redirect_uri=receiver.redirect_uri,
            challenge=pkce.challenge,
            state=state,
        )
        if not args.no_browser and _browser_available() and _open_browser(url):
            print("Sign in to Zendesk in the browser window that opened…", file=sys.stderr)
        else:
            print(
                f"Open this address in a browser to sign in to Zendesk:\n  {url}", file=sys.stderr
            )
        redirect = receiver.wait(WAIT_SECONDS)
        redirect_uri = receiver.redirect_uri
    if redirect is None:
        raise RemoteSetupError(f"no answer from the browser in {WAIT_SECONDS:.0f} s; try again")
    if redirect.code is None:
        raise RemoteSetupError(f"Zendesk did not sign you in: {redirect.error}")
    endpoint = TokenEndpoint(root, client_id)
    store = token_store(account_key(root))
    try:
        tokens = endpoint.exchange(redirect.code, pkce.verifier, redirect_uri)
        session = OAuthSession(tokens, endpoint, store)
        with ZendeskClient(base_url=root, auth_provider=session) as client:
            me = client.me()
    except RemoteError as exc:
        raise RemoteSetupError(f"Zendesk refused the sign-in: {exc}") from None
    store.save(session.tokens)  # refreshed meanwhile if Zendesk gave a very short expiry
    who = f"{me.get('name') or me.get('id')} <{me.get('email') or '?'}>"
    print(f"Signed in to {root} as {who}; the tokens are kept {store.describe()}.")
    return 0


def run_logout(args: argparse.Namespace, settings: Settings) -> int:
    """Forget the account's tokens, in the keyring and in the fallback file alike."""
    from deskterm.backend.connectors.token_store import account_key, every_token_store

    root = _account_root(args, settings)
    forgotten = [store.forget() for store in every_token_store(account_key(root))]
    if any(forgotten):
        print(f"Signed out of {root}: its tokens are forgotten.")
    else:
        print(f"No sign-in was kept for {root}; nothing to forget.")
    return 0
