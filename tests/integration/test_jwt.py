"""Access tokens are JWTs: verifiable from the JWKS, and refused when forged or wrong."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.api import PRODUCTS, assert_error
from tests.support.oauth import (
    JWKS,
    bearer,
    grant,
    register_client,
    server_signing_key,
)

KEYS = "/api/v1/api-keys"


@pytest.fixture
def client(api):
    return register_client(api, scopes=["products:read", "keys:manage"])


@pytest.fixture
def tokens(server, client):
    return grant(server, client)


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def refused(server, token: str) -> str:
    response = bearer(server, token).get(PRODUCTS)
    error = assert_error(response, 401, "AUTHENTICATION_ERROR")
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    return error["message"]


def test_the_jwks_verifies_tokens_with_a_standard_client(server, tokens):
    response = bearer(server, "unused").get(JWKS)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("public")
    kids = {key["kid"] for key in response.json()["keys"]}
    assert jwt.get_unverified_header(tokens["access_token"])["kid"] in kids

    signing_key = jwt.PyJWKClient(server.url + JWKS).get_signing_key_from_jwt(
        tokens["access_token"]
    )
    claims = jwt.decode(
        tokens["access_token"],
        signing_key.key,
        algorithms=["RS256"],
        audience=claims_of(tokens["access_token"])["aud"],
    )
    assert claims["scope"] == "products:read keys:manage"


def test_a_bearer_token_works_wherever_an_api_key_does(server, tokens):
    session = bearer(server, tokens["access_token"])
    assert session.get(PRODUCTS).status_code == 200
    assert session.get(KEYS).status_code == 200


def test_no_credentials_are_told_both_ways_in(anonymous):
    error = assert_error(anonymous.get(PRODUCTS), 401, "AUTHENTICATION_ERROR")
    assert "X-API-Key" in error["message"] and "Bearer" in error["message"]


def test_alg_none_is_refused(server, tokens):
    header = jwt.get_unverified_header(tokens["access_token"])
    forged = jwt.encode(
        claims_of(tokens["access_token"]),
        None,
        algorithm="none",
        headers={"kid": header["kid"]},
    )
    assert "RS256" in refused(server, forged)


def test_hs256_signed_with_the_public_key_is_refused(server, tokens):
    """The classic confusion attack: HMAC keyed with the PEM anyone can download."""
    kid = jwt.get_unverified_header(tokens["access_token"])["kid"]
    jwk = next(k for k in bearer(server, "x").get(JWKS).json()["keys"] if k["kid"] == kid)
    public_pem = jwt.algorithms.RSAAlgorithm.from_jwk(jwk).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    payload = b64(json.dumps(claims_of(tokens["access_token"])).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    forged = f"{header}.{payload}.{b64(signature)}"
    assert "RS256" in refused(server, forged)


def test_a_foreign_key_with_the_same_kid_is_refused(server, tokens):
    kid = jwt.get_unverified_header(tokens["access_token"])["kid"]
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        claims_of(tokens["access_token"]), foreign, algorithm="RS256", headers={"kid": kid}
    )
    assert "signature" in refused(server, forged)


def test_an_unknown_kid_is_refused(server, tokens):
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        claims_of(tokens["access_token"]),
        foreign,
        algorithm="RS256",
        headers={"kid": "jwk_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"},
    )
    assert "kid" in refused(server, forged)


@pytest.mark.parametrize(
    ("claim", "value", "named"),
    [
        ("iss", "https://impostor.example", "(iss)"),
        ("aud", "someone-else", "(aud)"),
        ("exp", int(time.time()) - 3600, "expired"),
    ],
    ids=["issuer", "audience", "expiry"],
)
def test_a_wrong_claim_signed_with_the_real_key_is_refused(server, tokens, claim, value, named):
    kid, private_key = server_signing_key(server)
    claims = {**claims_of(tokens["access_token"]), claim: value}
    forged = jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": kid})
    assert named in refused(server, forged)


def test_a_token_missing_a_required_claim_is_refused(server, tokens):
    kid, private_key = server_signing_key(server)
    claims = claims_of(tokens["access_token"])
    del claims["jti"]
    forged = jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": kid})
    assert "jti" in refused(server, forged)


def test_garbage_is_refused(server):
    assert "well-formed" in refused(server, "not.a.jwt")


def test_rotation_keeps_old_tokens_valid_and_signs_new_ones_with_the_new_key(
    server, client, tokens
):
    old_kid = jwt.get_unverified_header(tokens["access_token"])["kid"]

    rotated = server.cli("jwt", "rotate")

    assert rotated["kid"] != old_kid
    fresh = grant(server, client)
    assert jwt.get_unverified_header(fresh["access_token"])["kid"] == rotated["kid"]
    kids = {key["kid"] for key in bearer(server, "x").get(JWKS).json()["keys"]}
    assert {old_kid, rotated["kid"]} <= kids
    assert bearer(server, tokens["access_token"]).get(PRODUCTS).status_code == 200
    assert bearer(server, fresh["access_token"]).get(PRODUCTS).status_code == 200
