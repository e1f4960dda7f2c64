"""The Origin rule of API.md, case by case."""

import pytest

from server.origins import origin_allowed

ALLOWED = ("https://app.example",)


@pytest.mark.parametrize(
    ("origin", "host", "expected"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
        ("http://localhost:8000", "localhost:8000", True),
        ("http://LOCALHOST:8000", "localhost:8000", True),
        ("https://social.example", "social.example", True),  # TLS proxy, Host without port
        ("http://social.example", "social.example:80", True),
        ("https://social.example", "social.example:443", True),
        ("https://app.example", "api.example", True),  # listed
        ("https://app.example/", "api.example", True),
        ("http://127.0.0.1:8001", "127.0.0.1:8000", False),  # other port
        ("http://evil.example", "127.0.0.1:8000", False),
        ("http://social.example:8080", "social.example", False),
        ("null", "127.0.0.1:8000", False),
        ("file://", "127.0.0.1:8000", False),
        ("http://127.0.0.1:notaport", "127.0.0.1:8000", False),
        ("http://[::1]:8000", "[::1]:8000", True),
        ("http://127.0.0.1:8000", "", False),
    ],
)
def test_origin_allowed(origin, host, expected):
    assert origin_allowed(origin, host, ALLOWED) is expected
