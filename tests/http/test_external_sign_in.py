"""Sign in with an external provider (API.md, Auth: /api/auth/providers, /api/auth/oidc/...),
through a REAL OpenID provider run locally (tests/oidc/provider.mjs, the npm package
oidc-provider): a new account and its profile completion, an account linked by a verified
email, an unverified email refused, a forged state, a provider answer for another nonce."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

from tests.conftest import PASSWORD, start_server
from tests.oidc_provider import running_provider, settings, through_provider

PUBLIC_URL = "http://socialnet.test"
CALLBACK = f"{PUBLIC_URL}/api/auth/oidc/local/callback"


@pytest.fixture(scope="session")
def issuer():
    with running_provider(CALLBACK) as issuer:
        yield issuer


@pytest.fixture
async def server(database_url, tmp_path, nursery, issuer):
    """This module's server knows the local provider as `local`."""
    async for running in start_server(
        database_url, tmp_path, nursery, public_url=PUBLIC_URL, oidc_providers=(settings(issuer),)
    ):
        yield running


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


async def start(client, next_path: str = "/groups"):
    response = await client.get("/api/auth/oidc/local/start", params={"next": next_path})
    assert response.status_code == 302, response.text
    return response.headers["location"]


async def sign_in(client, login: str, next_path: str = "/groups"):
    """Start, sign in at the provider, come back: our callback's answer."""
    back = await through_provider(await start(client, next_path), login, CALLBACK)
    return await client.get(path_of(back))


def refused_with(response, reason: str) -> None:
    assert response.status_code == 302, response.text
    assert response.headers["location"] == f"/login?error={reason}"
    assert "sid=" not in response.headers.get("set-cookie", "")


async def test_providers_are_listed_without_a_session(server, new_client):
    response = await new_client().get("/api/auth/providers")
    assert response.status_code == 200
    assert response.json() == {"items": [{"name": "local", "label": "Local ID"}]}


async def test_start_sends_the_browser_to_the_provider_with_pkce_state_and_nonce(
    server, issuer, new_client
):
    location = await start(new_client())
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}" == issuer
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["response_type"] == "code" and query["client_id"] == "socialnet-test"
    assert query["redirect_uri"] == CALLBACK
    assert set(query["scope"].split()) == {"openid", "email", "profile"}
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 43 and len(query["nonce"]) >= 43


async def test_a_first_sign_in_makes_an_account_that_completes_its_profile(server, new_client):
    browser = new_client()
    response = await sign_in(browser, "newbie")
    assert response.status_code == 302
    assert response.headers["location"] == "/complete-profile?next=/groups"
    me = (await browser.get("/api/auth/me")).json()["user"]
    assert me["email"] == "newbie@example.com"
    assert (me["first_name"], me["last_name"]) == ("Newbie", "Provider")
    assert me["date_of_birth"] is None

    bad = await browser.post("/api/auth/complete-profile", json={"date_of_birth": "2999-01-01"})
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"date_of_birth"}
    done = await browser.post(
        "/api/auth/complete-profile", json={"date_of_birth": "1991-02-03", "last_name": "Newman"}
    )
    assert done.status_code == 200, done.text
    user = done.json()["user"]
    assert (user["date_of_birth"], user["first_name"], user["last_name"]) == (
        "1991-02-03",
        "Newbie",
        "Newman",
    )
    again = await browser.post("/api/auth/complete-profile", json={"date_of_birth": "1990-01-01"})
    assert again.status_code == 409

    # The next sign-in finds the same account and goes straight on.
    later = new_client()
    response = await sign_in(later, "newbie", "/people?q=a")
    assert response.headers["location"] == "/people?q=a"
    assert (await later.get("/api/auth/me")).json()["user"]["id"] == user["id"]
    # No password was ever set: logging in with one fails like any wrong password.
    login = await new_client().post(
        "/api/auth/login", json={"email": "newbie@example.com", "password": "whatever123"}
    )
    assert login.status_code == 401


async def test_a_verified_email_links_the_existing_account(alice, new_client):
    browser = new_client()
    response = await sign_in(browser, "alice", "/")
    assert response.headers["location"] == "/"
    assert (await browser.get("/api/auth/me")).json()["user"]["id"] == alice.id
    # Her password still works, and she stays one account.
    login = await new_client().post(
        "/api/auth/login", json={"email": "alice@example.com", "password": PASSWORD}
    )
    assert login.json()["user"]["id"] == alice.id


async def test_an_unverified_email_never_reaches_an_existing_account(alice, new_client):
    browser = new_client()
    refused_with(await sign_in(browser, "unverified-alice"), "email_unverified")
    assert (await browser.get("/api/auth/me")).status_code == 401


async def test_an_unverified_email_of_nobody_makes_a_new_account(server, new_client):
    browser = new_client()
    response = await sign_in(browser, "unverified-zed")
    assert response.headers["location"].startswith("/complete-profile")
    assert (await browser.get("/api/auth/me")).json()["user"]["email"] == "zed@example.com"


async def test_a_forged_state_is_refused(server, new_client):
    browser = new_client()
    back = await through_provider(await start(browser), "mallory", CALLBACK)
    parts = urlsplit(back)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    forged = {**query, "state": "forged-" + query["state"][7:]}
    refused_with(await browser.get(f"{parts.path}?{urlencode(forged)}"), "state")
    # Another browser (without this one's state cookie) cannot use the real answer either.
    refused_with(await new_client().get(path_of(back)), "state")
    missing = {key: value for key, value in query.items() if key != "state"}
    refused_with(await browser.get(f"{parts.path}?{urlencode(missing)}"), "state")
    assert (await browser.get("/api/auth/me")).status_code == 401


async def test_a_state_is_used_once(server, new_client):
    browser = new_client()
    back = await through_provider(await start(browser), "once", CALLBACK)
    first = await browser.get(path_of(back))
    assert first.status_code == 302 and "sid=" in first.headers["set-cookie"]
    # The state cookie is cleared; even with it, the sign-in it named is spent.
    browser.cookies.set("oidc_state", parse_qs(urlsplit(back).query)["state"][0])
    refused_with(await browser.get(path_of(back)), "state")


async def test_a_provider_answer_for_another_nonce_is_refused(server, new_client):
    """The provider answers an authorization request that differs from ours only by its
    nonce (same client, redirect, state and PKCE challenge): its code exchanges, but the ID
    token names the other nonce, and the sign-in is refused."""
    browser = new_client()
    ours = urlsplit(await start(browser))
    query = {key: values[0] for key, values in parse_qs(ours.query).items()}
    replayed = urlunsplit(ours._replace(query=urlencode({**query, "nonce": "someone-elses"})))
    back = await through_provider(replayed, "victim", CALLBACK)
    refused_with(await browser.get(path_of(back)), "nonce")
    assert (await browser.get("/api/auth/me")).status_code == 401


async def test_the_provider_saying_no_is_refused(server, new_client):
    browser = new_client()
    location = await start(browser)
    state = parse_qs(urlsplit(location).query)["state"][0]
    answer = await browser.get(
        "/api/auth/oidc/local/callback", params={"error": "access_denied", "state": state}
    )
    refused_with(answer, "provider_refused")


async def test_an_unknown_provider_is_not_found(server, new_client):
    client = new_client()
    for path in ("/api/auth/oidc/nope/start", "/api/auth/oidc/nope/callback?state=x&code=y"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("next_path", "where"),
    [
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/groups?tab=events", "/groups?tab=events"),
    ],
)
async def test_next_stays_on_this_site(alice, new_client, next_path, where):
    browser = new_client()
    response = await sign_in(browser, "alice", next_path)
    assert response.headers["location"] == where


async def test_complete_profile_needs_a_session_and_refuses_complete_profiles(alice, new_client):
    anonymous = await new_client().post(
        "/api/auth/complete-profile", json={"date_of_birth": "1990-01-01"}
    )
    assert anonymous.status_code == 401
    complete = await alice.client.post(
        "/api/auth/complete-profile", json={"date_of_birth": "1990-01-01"}
    )
    assert complete.status_code == 409
