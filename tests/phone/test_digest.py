"""Digest answers against the RFCs' own worked examples, and challenges that cannot be answered."""

from __future__ import annotations

import pytest

from phone import digest

_CREDS_2617 = digest.Credentials("Mufasa", "Circle Of Life")
_CREDS_7616 = digest.Credentials("Mufasa", "Circle of Life")
_NONCE_7616 = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
_CNONCE_7616 = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


def test_rfc_2617_md5_example() -> None:
    challenge = digest.parse_challenge(
        'Digest realm="testrealm@host.com", qop="auth,auth-int", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    assert isinstance(challenge, digest.Challenge)
    answer = digest.authorization(challenge, _CREDS_2617, "GET", "/dir/index.html", 1, "0a4f113b")
    assert 'response="6629fae49393a05397450978507c4ef1"' in answer
    assert "qop=auth," in answer and "nc=00000001" in answer
    assert 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in answer


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_rfc_7616_examples(algorithm: str, expected: str) -> None:
    challenge = digest.parse_challenge(
        f'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={algorithm}, '
        f'nonce="{_NONCE_7616}", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
    )
    assert isinstance(challenge, digest.Challenge)
    answer = digest.authorization(challenge, _CREDS_7616, "GET", "/dir/index.html", 1, _CNONCE_7616)
    assert f'response="{expected}"' in answer


def test_sha256_is_preferred_and_stale_and_proxy_are_read() -> None:
    md5 = digest.parse_challenge('Digest realm="pbx", nonce="n1", qop="auth"', proxy=True)
    sha = digest.parse_challenge('digest realm="pbx", nonce="n2", algorithm=SHA-256, stale=TRUE')
    assert isinstance(md5, digest.Challenge) and isinstance(sha, digest.Challenge)
    assert digest.strongest([md5, sha]) == sha
    assert sha.stale and not md5.stale
    assert md5.answer_header == "proxy-authorization" and sha.answer_header == "authorization"
    assert digest.strongest([]) is None


def test_no_qop_is_the_rfc_2069_form() -> None:
    challenge = digest.parse_challenge('Digest realm="r", nonce="abc"')
    assert isinstance(challenge, digest.Challenge)
    answer = digest.authorization(challenge, digest.Credentials("u", "p"), "REGISTER", "sip:r", 1, "c")
    assert "qop=" not in answer and "cnonce" not in answer


@pytest.mark.parametrize(
    "value",
    ['Basic realm="x"', 'Digest realm="x"', 'Digest nonce="n"', 'Digest realm="x", nonce="n", algorithm=SHA1',
     'Digest realm="x" nonce', "", 'Digest realm="x", nonce="n", ,,='],
)  # fmt: skip
def test_unusable_challenges_are_named_not_raised(value: str) -> None:
    assert isinstance(digest.parse_challenge(value), digest.DigestError)


def test_only_auth_int_is_answered_and_unknown_qop_is_an_error() -> None:
    only_int = digest.parse_challenge('Digest realm="r", nonce="n", qop="auth-int"')
    assert isinstance(only_int, digest.Challenge)
    creds = digest.Credentials("u", "p")
    assert "qop=auth-int" in digest.authorization(only_int, creds, "REGISTER", "sip:r", 1, "c", b"body")
    assert isinstance(digest.parse_challenge('Digest realm="r", nonce="n", qop="token"'), digest.DigestError)


def test_the_password_never_shows_in_a_repr() -> None:
    assert "Circle" not in repr(_CREDS_2617) and "Mufasa" in repr(_CREDS_2617)
