"""Sign-in and reset throttling per account and per client address (limits, moving window)."""

from __future__ import annotations

import pytest

from tests.support.api import BaseUrlSession, assert_error
from tests.support.people import AUTH, Person, new_password, unique_email, verified_person
from tests.support.server import LiveServer
from tests.support.services import REDIS_HOST, REDIS_PORT, require

PER_ACCOUNT, PER_ADDRESS, RESETS = 3, 8, 2


@pytest.fixture(scope="module")
def throttled(server, tmp_path_factory):
    """A process on `server`'s database with small budgets, counting from zero."""
    env = {name: server.env[name] for name in ("DATABASE_URL", "GATEHOUSE_VAR_DIR")}
    env |= {
        "GATEHOUSE_VALIDATE_RESPONSES": "true",
        "GATEHOUSE_LOGIN_LIMIT_PER_ACCOUNT": f"{PER_ACCOUNT} per 15 minutes",
        "GATEHOUSE_LOGIN_LIMIT_PER_ADDRESS": f"{PER_ADDRESS} per 15 minutes",
        "GATEHOUSE_RESET_LIMIT_PER_ACCOUNT": f"{RESETS} per hour",
    }
    live = LiveServer(env, tmp_path_factory.mktemp("throttled") / "server.log").start()
    yield live
    live.stop()


@pytest.fixture
def anonymous_there(throttled) -> BaseUrlSession:
    return BaseUrlSession(throttled.url)


def assert_throttled(response) -> None:
    error = assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
    assert int(response.headers["Retry-After"]) >= 1
    # The body says the same, for clients that read only bodies.
    assert error["retryAfter"] == int(response.headers["Retry-After"])
    assert list(error) == [
        "code",
        "message",
        "retryAfter",
        "requestId",
        "timestamp",
        "documentation",
    ]
    assert "retry" in error["message"].lower()


# In file order: the per-account test spends 3 of the address's 8 failures first.
def test_failed_sign_ins_are_limited_per_account(
    throttled, anonymous_there, visitor, people_server
):
    person = verified_person(people_server, visitor, "locked")
    guesser = Person(person.email, new_password())
    for _ in range(PER_ACCOUNT):
        assert_error(guesser.login(anonymous_there), 401, "AUTHENTICATION_ERROR")

    # Now even the right password waits: the budget is the account's.
    assert_throttled(person.login(anonymous_there))
    # Another account from the same address is not affected yet.
    other = verified_person(people_server, visitor, "unlocked")
    assert other.login(anonymous_there).status_code == 200


def test_failed_sign_ins_are_limited_per_address(throttled, anonymous_there):
    answers = [
        Person(unique_email("spray"), new_password()).login(anonymous_there).status_code
        for _ in range(PER_ADDRESS)
    ]
    assert 429 in answers and set(answers) <= {401, 429}
    assert_throttled(Person(unique_email("fresh"), new_password()).login(anonymous_there))


def test_reset_requests_are_limited_per_account_whether_or_not_it_exists(
    throttled, anonymous_there
):
    email = unique_email("nobody")
    for _ in range(RESETS):
        asked = anonymous_there.post(f"{AUTH}/forgot-password", json={"email": email})
        assert asked.status_code == 202
    assert_throttled(anonymous_there.post(f"{AUTH}/forgot-password", json={"email": email}))


def test_with_redis_every_process_spends_the_same_budget(
    server, people_server, visitor, tmp_path_factory
):
    require("Redis", REDIS_HOST, REDIS_PORT)
    env = {name: server.env[name] for name in ("DATABASE_URL", "GATEHOUSE_VAR_DIR")}
    env |= {
        "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/0",
        "GATEHOUSE_LOGIN_LIMIT_PER_ACCOUNT": f"{PER_ACCOUNT} per 15 minutes",
        # Redis outlives the run: earlier runs' failures from 127.0.0.1 must not count here.
        "GATEHOUSE_LOGIN_LIMIT_PER_ADDRESS": "100000 per 15 minutes",
    }
    folder = tmp_path_factory.mktemp("redis-throttled")
    first = LiveServer(env, folder / "first.log").start()
    second = LiveServer(env, folder / "second.log").start()
    try:
        person = verified_person(people_server, visitor, "shared")
        guesser = Person(person.email, new_password())
        for _ in range(PER_ACCOUNT):
            assert_error(guesser.login(BaseUrlSession(first.url)), 401, "AUTHENTICATION_ERROR")
        assert_throttled(person.login(BaseUrlSession(second.url)))
    finally:
        first.stop()
        second.stop()
