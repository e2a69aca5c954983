"""Revoking through the API takes effect at once in every API process on the database."""

from __future__ import annotations

import pytest

from tests.support.api import PRODUCTS, BaseUrlSession, assert_error
from tests.support.server import LiveServer
from tests.support.signing import SignedKeyAuth

KEYS = "/api/v1/api-keys"


@pytest.fixture(scope="module")
def second_server(server, tmp_path_factory):
    """Another process on the same database and secret key, as behind a load balancer."""
    var_dir = tmp_path_factory.mktemp("second")
    env = {name: server.env[name] for name in ("DATABASE_URL", "GATEHOUSE_VAR_DIR")}
    live = LiveServer(env, var_dir / "server.log").start()
    yield live
    live.stop()


def test_a_key_revoked_in_one_process_is_refused_by_another(api, server, second_server):
    created = api.post(KEYS, json={"name": "Two processes"}).json()["data"]
    elsewhere = BaseUrlSession(second_server.url, SignedKeyAuth(created["key"], created["secret"]))
    assert elsewhere.get(PRODUCTS).status_code == 200

    assert api.delete(f"{KEYS}/{created['id']}").status_code == 204

    error = assert_error(elsewhere.get(PRODUCTS), 401, "AUTHENTICATION_ERROR")
    assert "revoked" in error["message"]


def test_a_regenerated_keys_predecessor_is_refused_by_another(api, second_server):
    created = api.post(KEYS, json={"name": "Regenerated"}).json()["data"]
    old = BaseUrlSession(second_server.url, SignedKeyAuth(created["key"], created["secret"]))
    assert old.get(PRODUCTS).status_code == 200

    fresh = api.post(f"{KEYS}/{created['id']}/regenerate").json()["data"]

    assert_error(old.get(PRODUCTS), 401, "AUTHENTICATION_ERROR")
    new = BaseUrlSession(second_server.url, SignedKeyAuth(fresh["key"], fresh["secret"]))
    assert new.get(PRODUCTS).status_code == 200
