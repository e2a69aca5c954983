"""`gatehouse tokens purge`: dead token rows go, anything that can still matter stays."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import requests

from storage import UnitOfWork
from storage.clock import utcnow
from storage.ids import new_id
from storage.models import RefreshToken, RevokedAccessToken, TokenFamily
from tests.support.api import PRODUCTS, assert_error
from tests.support.cli import run_cli
from tests.support.oauth import REVOKE, bearer, grant, register_client, token_request
from tests.support.records import database_of


def aged_family(uow, organization_id: str, client_id: str, days_old: int) -> TokenFamily:
    family = TokenFamily(
        id=new_id("rtf"),
        organization_id=organization_id,
        client_id=client_id,
        mode="test",
        scopes=["products:read"],
        created_at=utcnow() - timedelta(days=days_old),
    )
    uow.tokens.add_family(family)
    return family


def refresh_token(uow, family: TokenFamily, expired_days_ago: float, used: bool = False) -> str:
    expires = utcnow() - timedelta(days=expired_days_ago)
    token = RefreshToken(
        id=new_id("rt"),
        family_id=family.id,
        token_hash=secrets.token_hex(32),
        created_at=expires - timedelta(days=30),
        expires_at=expires,
        used_at=expires - timedelta(days=29) if used else None,
    )
    uow.tokens.add_refresh_token(token)
    return token.id


def revoked_access_token(uow, expired_days_ago: float) -> str:
    jti = new_id("tok")
    expires = utcnow() - timedelta(days=expired_days_ago)
    uow.session.add(RevokedAccessToken(jti=jti, expires_at=expires, revoked_at=expires))
    return jti


def test_purge_deletes_dead_rows_and_keeps_live_ones(server, api, tenant):
    client = register_client(api, scopes=["products:read"])
    # A live grant, refreshed once: its used refresh token must stay (reuse detection).
    first = grant(server, client)
    second = token_request(
        server, client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    ).json()
    # A live access token revoked early: its revocation must stay until it expires.
    revoked = grant(server, client)
    revocation = requests.post(
        server.url + REVOKE, data={"token": revoked["access_token"]}, auth=client.basic, timeout=10
    )
    assert revocation.status_code == 200, revocation.text
    with database_of(server) as database, UnitOfWork(database.session_factory) as uow:
        dead = aged_family(uow, tenant.organization_id, client.client_id, days_old=45)
        dead_tokens = [
            refresh_token(uow, dead, expired_days_ago=10, used=True),
            refresh_token(uow, dead, expired_days_ago=9),
        ]
        mixed = aged_family(uow, tenant.organization_id, client.client_id, days_old=45)
        mixed_dead = refresh_token(uow, mixed, expired_days_ago=5, used=True)
        mixed_live = refresh_token(uow, mixed, expired_days_ago=-20)
        recent = aged_family(uow, tenant.organization_id, client.client_id, days_old=31)
        just_expired = refresh_token(uow, recent, expired_days_ago=0.5)
        old_revocation = revoked_access_token(uow, expired_days_ago=3)
        uow.commit()
        dead_id, mixed_id, recent_id = dead.id, mixed.id, recent.id

    purged = run_cli(server, "tokens", "purge", "--json")

    assert purged.returncode == 0, purged.stderr
    counts = json.loads(purged.stdout)
    assert counts["refreshTokens"] >= 3
    assert counts["families"] >= 1
    assert counts["revokedAccessTokens"] >= 1
    with database_of(server) as database, UnitOfWork(database.session_factory) as uow:
        assert uow.tokens.family(dead_id) is None
        for token_id in (*dead_tokens, mixed_dead):
            assert uow.session.get(RefreshToken, token_id) is None
        assert uow.session.get(RevokedAccessToken, old_revocation) is None
        # Kept: a family with a live token, a token expired less than a day ago, its family.
        assert uow.tokens.family(mixed_id) is not None
        assert uow.session.get(RefreshToken, mixed_live) is not None
        assert uow.tokens.family(recent_id) is not None
        assert uow.session.get(RefreshToken, just_expired) is not None
    # The live grant behaves as before: its access token works, the early revocation
    # holds, and its used refresh token still trips reuse detection.
    assert bearer(server, second["access_token"]).get(PRODUCTS).status_code == 200
    error = assert_error(
        bearer(server, revoked["access_token"]).get(PRODUCTS), 401, "AUTHENTICATION_ERROR"
    )
    assert error["message"] == "The access token has been revoked."
    reused = token_request(
        server, client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert "already used" in reused.json()["error_description"]
    # The reuse revoked the family: the rows that needs were kept.
    assert_error(bearer(server, second["access_token"]).get(PRODUCTS), 401, "AUTHENTICATION_ERROR")


def test_purge_says_what_it_deleted(server):
    first = run_cli(server, "tokens", "purge")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Deleted ")
    again = run_cli(server, "tokens", "purge", "--json")
    assert again.returncode == 0, again.stderr
    assert set(json.loads(again.stdout)) == {"refreshTokens", "families", "revokedAccessTokens"}
