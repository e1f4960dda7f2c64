"""The Origin rule of API.md, case by case."""

import pytest

from server.origins import origin_allowed

ALLOWED = ("https://app.example",)


@pytest.mark.parametrize(
    ("origin", "host", "scheme", "expected"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", "http", True),
        ("http://localhost:8000", "localhost:8000", "http", True),
        ("http://LOCALHOST:8000", "localhost:8000", "http", True),
        ("https://social.example", "social.example", "https", True),
        ("http://social.example", "social.example:80", "http", True),
        ("https://social.example", "social.example:443", "https", True),
        ("http://social.example", "social.example", "ws", True),  # a socket from the page
        ("https://social.example", "social.example", "wss", True),
        ("https://app.example", "api.example", "http", True),  # listed
        ("https://app.example/", "api.example", "https", True),
        ("http://127.0.0.1:8001", "127.0.0.1:8000", "http", False),  # other port
        ("http://evil.example", "127.0.0.1:8000", "http", False),
        ("http://social.example:8080", "social.example", "http", False),
        ("https://127.0.0.1:8000", "127.0.0.1:8000", "http", False),  # other scheme
        ("https://social.example", "social.example", "http", False),
        ("http://social.example", "social.example", "wss", False),
        ("null", "127.0.0.1:8000", "http", False),
        ("file://", "127.0.0.1:8000", "http", False),
        ("http://127.0.0.1:notaport", "127.0.0.1:8000", "http", False),
        ("http://[::1]:8000", "[::1]:8000", "http", True),
        ("http://127.0.0.1:8000", "", "http", False),
    ],
)
def test_origin_allowed(origin, host, scheme, expected):
    assert origin_allowed(origin, host, scheme, ALLOWED) is expected
