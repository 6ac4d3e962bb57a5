"""The OAuth sign-in's pure pieces: PKCE, the authorization address, kept tokens read back."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from deskterm.backend.connectors.token_store import account_key, zendesk_root
from deskterm.backend.connectors.zendesk_oauth import PKCE, OAuthTokens, authorize_url, s256


def test_s256_matches_rfc_7636_appendix_b() -> None:
    # The worked example of RFC 7636, Appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_a_new_verifier_is_within_rfc_7636_and_fresh() -> None:
    first, second = PKCE.new(), PKCE.new()
    assert 43 <= len(first.verifier) <= 128 and first.verifier != second.verifier
    assert set(first.verifier) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )
    assert first.verifier not in repr(first)


def test_the_authorization_address_carries_what_zendesk_documents() -> None:
    url = authorize_url(
        "https://acme.zendesk.com/",
        client_id="deskterm",
        redirect_uri="http://127.0.0.1:5000/callback",
        challenge="abc",
        state="xyz",
    )
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("acme.zendesk.com", "/oauth/authorizations/new")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "response_type": "code",
        "client_id": "deskterm",
        "redirect_uri": "http://127.0.0.1:5000/callback",
        "scope": "read write",
        "state": "xyz",
        "code_challenge": "abc",
        "code_challenge_method": "S256",
    }


def test_accounts_are_kept_apart_by_host_and_port() -> None:
    assert zendesk_root("Acme", None) == "https://acme.zendesk.com"
    assert zendesk_root("acme", "http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    assert account_key("http://127.0.0.1:8080") == "127.0.0.1-8080"
    assert zendesk_root(None, None) is None
    assert zendesk_root("evil.example.com/x?", None) is None


@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
    )
)
def test_whatever_was_kept_reads_back_as_tokens_or_nothing(data) -> None:
    tokens = OAuthTokens.from_json(data)
    assert tokens is None or isinstance(tokens.access_token, str)
    if tokens is not None:
        assert OAuthTokens.from_json(json.loads(json.dumps(tokens.to_json()))) == tokens
