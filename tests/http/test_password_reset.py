"""Password reset by email (API.md, Auth: /api/auth/password-reset), through a real SMTP server
(aiosmtpd) that requires a login: the mail in text and HTML, its single-use link valid an hour,
and the same answer whether or not the email is registered."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import trio
import trio.testing
import trio_asyncio

from server.db.sessions import token_hash
from server.mail import Mail, Mailer
from tests import postgres
from tests.conftest import PASSWORD, start_server
from tests.http.test_password_change import assert_closed_for_ended_session
from tests.mailbox import USER, link_in, running_mailbox
from tests.realtime.wsclient import open_socket, ping

PUBLIC_URL = "https://social.example"
NEW_PASSWORD = "a fresh passphrase"


@pytest.fixture
def mailbox():
    with running_mailbox() as box:
        yield box


@pytest.fixture
async def server(database_url, tmp_path, nursery, mailbox):
    """This module's server sends its mail to the test's SMTP server."""
    async for running in start_server(
        database_url, tmp_path, nursery, smtp_url=mailbox.url, public_url=PUBLIC_URL
    ):
        yield running


async def next_mail(mailbox):
    return await trio.to_thread.run_sync(mailbox.next_mail)


async def ask(client, email: str):
    return await client.post("/api/auth/password-reset", json={"email": email})


def token_of(link: str) -> str:
    (token,) = parse_qs(urlsplit(link).query)["token"]
    return token


async def confirm(client, token: str, password: str = NEW_PASSWORD):
    return await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": password}
    )


async def log_in(client, password: str):
    return await client.post(
        "/api/auth/login", json={"email": "alice@example.com", "password": password}
    )


async def sql(url: str, statement: str, *args):
    async with trio_asyncio.open_loop():
        return await trio_asyncio.aio_as_trio(postgres.fetch)(url, statement, *args)


async def test_the_mailed_link_sets_a_new_password_and_ends_every_session(
    server, alice, new_client, mailbox
):
    other = new_client()
    assert (await log_in(other, PASSWORD)).status_code == 200
    stranger = new_client()
    response = await ask(stranger, "ALICE@example.com")
    assert response.status_code == 204

    mail = await next_mail(mailbox)
    assert mail["To"] == "alice@example.com" and mail["X-Envelope-To"] == "alice@example.com"
    assert mail["X-Authenticated-As"] == USER
    assert mail["Subject"] == "Reset your socialnet password"
    link = link_in(mail)
    assert link.startswith(f"{PUBLIC_URL}/reset-password?token=")
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert f'href="{link}"' in html
    token = token_of(link)
    assert len(token) >= 43  # 256 bits
    # Only the token's hash is stored.
    rows = await sql(server.config.database_url, "SELECT token_hash FROM password_resets")
    assert [bytes(row["token_hash"]) for row in rows] == [token_hash(token)]

    async with open_socket(server, alice) as socket:
        await ping(socket)
        assert (await confirm(stranger, token)).status_code == 204
        await assert_closed_for_ended_session(socket)
    assert (await alice.client.get("/api/auth/me")).status_code == 401
    assert (await other.get("/api/auth/me")).status_code == 401
    assert (await log_in(new_client(), PASSWORD)).status_code == 401
    assert (await log_in(new_client(), NEW_PASSWORD)).status_code == 200

    # Single use.
    reused = await confirm(stranger, token, "yet another passphrase")
    assert reused.status_code == 422
    assert set(reused.json()["error"]["fields"]) == {"token"}
    assert (await log_in(new_client(), NEW_PASSWORD)).status_code == 200


async def test_an_unknown_email_answers_the_same_and_mails_nothing(alice, new_client, mailbox):
    client = new_client()
    unknown = await ask(client, "nobody@example.com")
    known = await ask(client, "alice@example.com")
    assert unknown.status_code == known.status_code == 204
    assert unknown.content == known.content == b""
    # Requests are handled in order: the first mail is Alice's, and none came before it.
    assert (await next_mail(mailbox))["To"] == "alice@example.com"
    assert mailbox.empty()


async def test_an_expired_token_is_refused(server, alice, new_client, mailbox):
    await ask(new_client(), "alice@example.com")
    token = token_of(link_in(await next_mail(mailbox)))
    await sql(
        server.config.database_url,
        "UPDATE password_resets SET expires_at = now() - interval '1 second'",
    )
    response = await confirm(new_client(), token)
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"token"}
    assert (await alice.client.get("/api/auth/me")).status_code == 200
    assert (await log_in(new_client(), PASSWORD)).status_code == 200


async def test_a_link_is_valid_for_an_hour(server, alice, new_client, mailbox):
    await ask(new_client(), "alice@example.com")
    await next_mail(mailbox)
    (row,) = await sql(
        server.config.database_url,
        "SELECT extract(epoch FROM expires_at - created_at) AS seconds FROM password_resets",
    )
    assert row["seconds"] == 3600


async def test_using_a_newer_link_spends_the_older_ones(alice, new_client, mailbox):
    client = new_client()
    await ask(client, "alice@example.com")
    await ask(client, "alice@example.com")
    older = token_of(link_in(await next_mail(mailbox)))
    newer = token_of(link_in(await next_mail(mailbox)))
    assert older != newer
    assert (await confirm(client, newer)).status_code == 204
    assert (await confirm(client, older, "and yet another one")).status_code == 422
    assert (await log_in(new_client(), NEW_PASSWORD)).status_code == 200


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"token", "new_password"}),
        ({"token": "made-up", "new_password": NEW_PASSWORD}, {"token"}),
        ({"token": "x" * 500, "new_password": NEW_PASSWORD}, {"token"}),
        ({"token": 12, "new_password": NEW_PASSWORD}, {"token"}),
        ({"token": "made-up", "new_password": "short"}, {"new_password"}),
        ({"token": "bad\x00token", "new_password": NEW_PASSWORD}, {"token"}),
    ],
)
async def test_bad_confirmations_name_their_fields(server, new_client, body, fields):
    response = await new_client().post("/api/auth/password-reset/confirm", json=body)
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["fields"]) == fields


@pytest.mark.parametrize("body", [{}, {"email": "not an email"}, {"email": ["a@b.co"]}])
async def test_a_malformed_email_is_a_validation_error(server, new_client, body):
    response = await new_client().post("/api/auth/password-reset", json=body)
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"email"}


async def test_without_smtp_the_mail_goes_to_the_log(caplog):
    mailer = Mailer(None, "socialnet <no-reply@socialnet.test>")
    mail = Mail(
        "ada@example.com", "Hello", "the text https://x/reset-password?token=abc", "<p>hi</p>"
    )
    with caplog.at_level("INFO", logger="socialnet.mail"):
        async with trio.open_nursery() as nursery:
            await nursery.start(mailer.run)
            assert mailer.send_nowait(mail)
            with trio.fail_after(5):
                while not any("reset-password?token=abc" in r.getMessage() for r in caplog.records):
                    await trio.testing.wait_all_tasks_blocked()
            nursery.cancel_scope.cancel()
