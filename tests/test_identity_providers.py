"""The provider side that needs no provider: configuration, GitHub's preset (its authorization
URL and the mapping of its /user and /user/emails answers), PKCE, and ID tokens that must be
refused (signed by another key, for another audience, expired, another nonce)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from server.config import ProviderSettings, providers_from_env
from server.identity_providers import (
    Attempt,
    GitHubProvider,
    OidcProvider,
    ProviderError,
    github_identity,
)

ISSUER = "https://id.example"


def test_providers_from_the_environment():
    environ = {
        "SOCIALNET_OIDC_PROVIDERS": "github, Corp-SSO",
        "SOCIALNET_OIDC_GITHUB_CLIENT_ID": "gh-id",
        "SOCIALNET_OIDC_GITHUB_CLIENT_SECRET": "gh-secret",
        "SOCIALNET_OIDC_CORP_SSO_ISSUER": "https://sso.corp.example/",
        "SOCIALNET_OIDC_CORP_SSO_CLIENT_ID": "corp-id",
        "SOCIALNET_OIDC_CORP_SSO_CLIENT_SECRET": "corp-secret",
        "SOCIALNET_OIDC_CORP_SSO_LABEL": "Corp account",
    }
    github, corp = providers_from_env(environ)
    assert (github.name, github.label, github.issuer) == ("github", "GitHub", None)
    assert (corp.name, corp.label, corp.issuer) == (
        "corp-sso",
        "Corp account",
        "https://sso.corp.example",
    )
    assert "secret" not in repr(corp)
    assert providers_from_env({}) == ()


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({"SOCIALNET_OIDC_PROVIDERS": "corp"}, "SOCIALNET_OIDC_CORP_ISSUER"),
        (
            {"SOCIALNET_OIDC_PROVIDERS": "github", "SOCIALNET_OIDC_GITHUB_CLIENT_ID": "x"},
            "SOCIALNET_OIDC_GITHUB_CLIENT_SECRET",
        ),
        ({"SOCIALNET_OIDC_PROVIDERS": "no spaces please"}, "not a provider name"),
    ],
)
def test_a_provider_missing_a_setting_stops_the_server(environ, names):
    with pytest.raises(ValueError, match=names):
        providers_from_env(environ)


def github() -> GitHubProvider:
    return GitHubProvider(ProviderSettings("github", "GitHub", "gh-id", "gh-secret", None))


async def test_the_github_authorization_url():
    attempt = Attempt.new()
    url = await github().authorization_url(attempt, "https://social.example/cb")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://github.com/login/oauth/authorize"
    )
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["client_id"] == "gh-id" and query["redirect_uri"] == "https://social.example/cb"
    assert query["scope"] == "read:user user:email" and query["state"] == attempt.state
    assert query["code_challenge"] == attempt.code_challenge
    assert query["code_challenge_method"] == "S256"
    assert "gh-secret" not in url


def test_pkce_s256_of_rfc_7636_appendix_b():
    attempt = Attempt("s", "n", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    assert attempt.code_challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.parametrize(
    ("user", "emails", "expected"),
    [
        (
            {"id": 1, "login": "octo", "name": "Mona Lisa Octocat", "email": None},
            [
                {"email": "old@example.com", "primary": False, "verified": True},
                {"email": "mona@example.com", "primary": True, "verified": True},
            ],
            ("1", "mona@example.com", True, "Mona", "Lisa Octocat"),
        ),
        (
            {"id": 2, "login": "solo", "name": None, "email": "solo@example.com"},
            [{"email": "solo@example.com", "primary": True, "verified": False}],
            ("2", "solo@example.com", False, "solo", None),
        ),
        (
            {"id": 3, "login": "quiet", "name": "Quiet", "email": None},
            [],
            ("3", None, False, "Quiet", None),
        ),
        (
            {"id": 4, "login": "x", "name": "X"},
            {"message": "Bad credentials"},
            ("4", None, False, "X", None),
        ),
    ],
)
def test_github_answers_map_to_an_identity(user, emails, expected):
    identity = github_identity(user, emails)
    assert (
        identity.subject,
        identity.email,
        identity.email_verified,
        identity.first_name,
        identity.last_name,
    ) == expected


def test_a_github_user_without_an_id_is_refused():
    with pytest.raises(ProviderError):
        github_identity({"login": "x"}, [])


@pytest.fixture(scope="module")
def key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "k1"})


def id_token(key: RSAKey, **changes) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER, "aud": "client", "sub": "42", "nonce": "n1", "iat": now, "exp": now + 300,
        **changes,
    }  # fmt: skip
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def oidc() -> OidcProvider:
    return OidcProvider(ProviderSettings("id", "ID", "client", "secret", ISSUER))


def jwks(key: RSAKey) -> dict:
    return KeySet([key]).as_dict(private=False)


def test_a_sound_id_token_passes(key):
    claims = oidc().verify_id_token(id_token(key), jwks(key), "n1")
    assert claims["sub"] == "42"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"aud": "someone-else"}, "id_token"),
        ({"iss": "https://evil.example"}, "id_token"),
        ({"exp": int(time.time()) - 3600}, "id_token"),
        ({"nonce": "n2"}, "nonce"),
        ({"aud": ["client", "other"]}, "id_token"),  # several audiences, no azp
    ],
)
def test_a_wrong_id_token_is_refused(key, changes, reason):
    with pytest.raises(ProviderError) as refused:
        oidc().verify_id_token(id_token(key, **changes), jwks(key), "n1")
    assert refused.value.reason == reason


def test_a_tampered_or_foreign_id_token_is_refused(key):
    header, payload, signature = id_token(key).split(".")
    forged_payload = id_token(key, sub="1").split(".")[1]
    with pytest.raises(ProviderError) as refused:
        oidc().verify_id_token(f"{header}.{forged_payload}.{signature}", jwks(key), "n1")
    assert refused.value.reason == "id_token"
    other = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    with pytest.raises(ProviderError):
        oidc().verify_id_token(id_token(other), jwks(key), "n1")
    with pytest.raises(ProviderError):
        oidc().verify_id_token(None, jwks(key), "n1")
