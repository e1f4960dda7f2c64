"""Talking to external sign-in providers: OpenID Connect (discovery, the authorization code
flow with PKCE, state and nonce, the ID token verified against the provider's keys), and
GitHub's OAuth 2 as a preset (fixed endpoints; the person and their emails come from its API).

HTTP to the providers goes through httpx, which runs on trio natively (through anyio): a
well-kept client with timeouts, redirects off and TLS verification on by default. ID tokens
are verified by joserfc (the JOSE library Authlib itself now builds on): the signature with a
key of the provider's JWKS, then `iss`, `aud`, `exp`, `iat` and the `nonce` of this sign-in.
No JWT is parsed by hand here.

Discovery and keys are fetched at each sign-in: sign-ins are rare, and a rotated key or a moved
endpoint is then never stale.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from server.config import ProviderSettings

HTTP_TIMEOUT_SECONDS = 10
OIDC_SCOPES = "openid email profile"
# Asymmetric algorithms only: an HMAC token would be signed with the client secret, which is
# not a proof of the provider.
ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
CLOCK_SKEW_SECONDS = 60

GITHUB_AUTHORIZE = "https://github.com/login/oauth/authorize"
GITHUB_TOKEN = "https://github.com/login/oauth/access_token"
GITHUB_API = "https://api.github.com"
GITHUB_SCOPES = "read:user user:email"


class ProviderError(Exception):
    """The provider's answer cannot sign anyone in; `reason` is a short code for the user."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the provider says signed in."""

    subject: str
    email: str | None
    email_verified: bool
    first_name: str | None
    last_name: str | None


@dataclass(frozen=True, slots=True)
class Attempt:
    """The secrets of one sign-in, kept by the server between start and callback."""

    state: str
    nonce: str
    code_verifier: str

    @classmethod
    def new(cls) -> Attempt:
        return cls(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48))

    @property
    def code_challenge(self) -> str:
        """PKCE S256 (RFC 7636)."""
        digest = hashlib.sha256(self.code_verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=False)


async def _json(response: httpx.Response, what: str) -> dict:
    if response.status_code != 200:
        raise ProviderError(what, f"HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        raise ProviderError(what, "not JSON") from None
    if not isinstance(data, dict):
        raise ProviderError(what, "not a JSON object")
    return data


def _text(value: object, limit: int = 200) -> str | None:
    return value.strip()[:limit] or None if isinstance(value, str) else None


class OidcProvider:
    """An OpenID Connect provider found by discovery."""

    def __init__(self, settings: ProviderSettings):
        assert settings.issuer is not None
        self.settings = settings
        self.issuer = settings.issuer

    async def _metadata(self, client: httpx.AsyncClient) -> dict:
        try:
            response = await client.get(f"{self.issuer}/.well-known/openid-configuration")
        except httpx.HTTPError as error:
            raise ProviderError("unreachable", str(error)) from None
        metadata = await _json(response, "discovery")
        # OpenID Connect Discovery 1.0, 4.3: the issuer must be the one we asked.
        if metadata.get("issuer") != self.issuer:
            raise ProviderError("discovery", "the issuer does not match")
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(metadata.get(key), str):
                raise ProviderError("discovery", f"no {key}")
        return metadata

    async def authorization_url(self, attempt: Attempt, redirect_uri: str) -> str:
        async with _client() as client:
            metadata = await self._metadata(client)
        query = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": redirect_uri,
            "scope": OIDC_SCOPES,
            "state": attempt.state,
            "nonce": attempt.nonce,
            "code_challenge": attempt.code_challenge,
            "code_challenge_method": "S256",
        }
        return f"{metadata['authorization_endpoint']}?{urlencode(query)}"

    async def identity(self, code: str, attempt: Attempt, redirect_uri: str) -> Identity:
        try:
            async with _client() as client:
                metadata = await self._metadata(client)
                tokens = await _json(
                    await client.post(
                        metadata["token_endpoint"],
                        data={
                            "grant_type": "authorization_code",
                            "code": code,
                            "redirect_uri": redirect_uri,
                            "code_verifier": attempt.code_verifier,
                        },
                        auth=(self.settings.client_id, self.settings.client_secret),
                        headers={"Accept": "application/json"},
                    ),
                    "token",
                )
                keys = await _json(await client.get(metadata["jwks_uri"]), "keys")
                claims = self.verify_id_token(tokens.get("id_token"), keys, attempt.nonce)
                userinfo = metadata.get("userinfo_endpoint")
                access_token = tokens.get("access_token")
                if isinstance(userinfo, str) and isinstance(access_token, str):
                    extra = await _json(
                        await client.get(
                            userinfo, headers={"Authorization": f"Bearer {access_token}"}
                        ),
                        "userinfo",
                    )
                    # OpenID Connect Core 5.3.2: the userinfo answer must be about the same person.
                    if extra.get("sub") != claims["sub"]:
                        raise ProviderError("userinfo", "another subject")
                    claims = {**extra, **claims}
        except httpx.HTTPError as error:
            raise ProviderError("unreachable", str(error)) from None
        return identity_from_claims(claims)

    def verify_id_token(self, id_token: object, jwks: dict, nonce: str) -> dict:
        """The ID token's claims once its signature (a key of `jwks`), issuer, audience,
        expiry and nonce hold; ProviderError otherwise."""
        if not isinstance(id_token, str):
            raise ProviderError("id_token", "missing")
        try:
            keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
            token = jwt.decode(id_token, keys, algorithms=list(ID_TOKEN_ALGORITHMS))
            registry = jwt.JWTClaimsRegistry(
                leeway=CLOCK_SKEW_SECONDS,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.settings.client_id},
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
            )
            registry.validate(token.claims)
        except (JoseError, ValueError, TypeError) as error:
            raise ProviderError("id_token", str(error) or type(error).__name__) from None
        claims = token.claims
        # Compared here rather than by the registry, so that a wrong nonce has its own reason.
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise ProviderError("nonce", "the ID token answers another sign-in")
        # OpenID Connect Core 3.1.3.7: with several audiences, azp must be us.
        audience = claims.get("aud")
        if isinstance(audience, list) and len(audience) > 1:
            if claims.get("azp") != self.settings.client_id:
                raise ProviderError("id_token", "issued to another party")
        return claims


def identity_from_claims(claims: dict) -> Identity:
    given, family = _text(claims.get("given_name"), 100), _text(claims.get("family_name"), 100)
    if given is None and (name := _text(claims.get("name"), 201)):
        given, _, rest = name.partition(" ")
        family = family or rest.strip() or None
    return Identity(
        subject=str(claims["sub"]),
        email=_text(claims.get("email"), 254),
        email_verified=claims.get("email_verified") is True,
        first_name=given,
        last_name=family,
    )


class GitHubProvider:
    """GitHub's OAuth 2 (not OpenID Connect: no discovery, no ID token). Who signed in comes
    from its API: GET /user, and GET /user/emails for the primary email and whether GitHub
    has verified it. State and PKCE protect the flow as for OpenID Connect."""

    def __init__(self, settings: ProviderSettings):
        self.settings = settings

    async def authorization_url(self, attempt: Attempt, redirect_uri: str) -> str:
        query = {
            "client_id": self.settings.client_id,
            "redirect_uri": redirect_uri,
            "scope": GITHUB_SCOPES,
            "state": attempt.state,
            "code_challenge": attempt.code_challenge,
            "code_challenge_method": "S256",
            "allow_signup": "true",
        }
        return f"{GITHUB_AUTHORIZE}?{urlencode(query)}"

    async def identity(self, code: str, attempt: Attempt, redirect_uri: str) -> Identity:
        try:
            async with _client() as client:
                tokens = await _json(
                    await client.post(
                        GITHUB_TOKEN,
                        data={
                            "client_id": self.settings.client_id,
                            "client_secret": self.settings.client_secret,
                            "code": code,
                            "redirect_uri": redirect_uri,
                            "code_verifier": attempt.code_verifier,
                        },
                        headers={"Accept": "application/json"},
                    ),
                    "token",
                )
                access_token = tokens.get("access_token")
                if not isinstance(access_token, str):
                    raise ProviderError("token", str(tokens.get("error") or "no access token"))
                headers = {
                    "Authorization": f"Bearer {access_token}",
                    "Accept": "application/vnd.github+json",
                    "X-GitHub-Api-Version": "2022-11-28",
                }
                user = await _json(await client.get(f"{GITHUB_API}/user", headers=headers), "user")
                answer = await client.get(f"{GITHUB_API}/user/emails", headers=headers)
                if answer.status_code != 200:
                    raise ProviderError("user", f"emails: HTTP {answer.status_code}")
                try:
                    emails = answer.json()
                except ValueError:
                    raise ProviderError("user", "emails: not JSON") from None
        except httpx.HTTPError as error:
            raise ProviderError("unreachable", str(error)) from None
        return github_identity(user, emails)


def github_identity(user: dict, emails: object) -> Identity:
    """Who signed in, from GitHub's /user and /user/emails answers: the primary email when
    GitHub verified it, else another verified one, else the profile's public email
    (unverified)."""
    if not isinstance(user.get("id"), int):
        raise ProviderError("user", "no id")
    listed = [e for e in emails if isinstance(e, dict)] if isinstance(emails, list) else []
    verified = [e for e in listed if e.get("verified") is True and isinstance(e.get("email"), str)]
    verified.sort(key=lambda e: e.get("primary") is not True)
    if verified:
        email, email_verified = verified[0]["email"], True
    else:
        email, email_verified = _text(user.get("email"), 254), False
    name = _text(user.get("name"), 201) or _text(user.get("login"), 100)
    first, _, last = (name or "").partition(" ")
    return Identity(
        subject=str(user["id"]),
        email=email,
        email_verified=email_verified,
        first_name=first or None,
        last_name=last.strip() or None,
    )


IdentityProvider = OidcProvider | GitHubProvider


def provider_for(settings: ProviderSettings) -> IdentityProvider:
    return OidcProvider(settings) if settings.issuer else GitHubProvider(settings)
