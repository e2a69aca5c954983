"""gatehouse.signing: the request signature of the API-key scheme."""

from __future__ import annotations

import hashlib
import hmac

from gatehouse.signing import sign, signature_matches, signing_payload

SECRET = "sk_test_secret"  # noqa: S105 - a test vector
TIMESTAMP = "1700000000"
TARGET = "/api/v1/products?page=2&q=a%20b"
BODY = b'{"sku":"A.B","name":"x"}'


def reference(secret: str, payload: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def test_payload_joins_the_parts_with_dots():
    assert signing_payload(TIMESTAMP, "post", TARGET, BODY) == (
        b'1700000000.POST./api/v1/products?page=2&q=a%20b.{"sku":"A.B","name":"x"}'
    )


def test_known_vector_matches_a_direct_hmac():
    expected = reference(SECRET, b"1700000000.POST." + TARGET.encode() + b"." + BODY)
    assert sign(SECRET, TIMESTAMP, "POST", TARGET, BODY) == expected


def test_known_vector_literal():
    # Pinned (from `printf '1700000000.GET./api/v1/products.' | openssl dgst -sha256
    # -hmac secret`), so a change of scheme cannot pass by changing both sides at once.
    assert sign("secret", "1700000000", "GET", "/api/v1/products") == (
        "sha256=ef5fd9806ad06aeebaa874de1765290ae20a3a20dc2cefd76e94a91825203465"
    )


def test_every_part_changes_the_signature():
    base = sign(SECRET, TIMESTAMP, "POST", TARGET, BODY)
    variants = [
        sign("sk_other", TIMESTAMP, "POST", TARGET, BODY),
        sign(SECRET, "1700000001", "POST", TARGET, BODY),
        sign(SECRET, TIMESTAMP, "PUT", TARGET, BODY),
        sign(SECRET, TIMESTAMP, "POST", TARGET + "&x=1", BODY),
        sign(SECRET, TIMESTAMP, "POST", TARGET, BODY + b" "),
    ]
    assert base not in variants
    assert len(set(variants)) == len(variants)


def test_method_is_case_insensitive_and_body_defaults_to_empty():
    assert sign(SECRET, TIMESTAMP, "get", "/x") == sign(SECRET, TIMESTAMP, "GET", "/x", b"")


def test_signature_matches():
    good = sign(SECRET, TIMESTAMP, "GET", "/x")
    assert signature_matches(good, good)
    assert not signature_matches(good, good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert not signature_matches(good, good[:-1])
    assert not signature_matches(good, good.removeprefix("sha256="))
    assert not signature_matches(good, "")
