"""Who is limited by what, and how it is told (gatehouse.rate_limits and its headers)."""

from __future__ import annotations

import pytest

from gatehouse.rate_limit_headers import fields
from gatehouse.rate_limits import Breaker, RateLimits, Window
from gatehouse.settings import Settings


def limits(**env: str) -> RateLimits:
    settings = Settings.from_env({"GATEHOUSE_VAR_DIR": "/nonexistent", **env})
    return RateLimits(settings.rate_limit_settings(), None, ())


def test_a_keys_tier_sets_its_hourly_quota_and_every_tier_has_the_burst():
    rate_limits = limits()
    for tier, amount in (("free", 100), ("pro", 1000), ("enterprise", 10000)):
        policy = rate_limits.policy({"key_id": "key_1", "tier": tier})
        assert (policy.hour.amount, policy.hour.get_expiry()) == (amount, 3600)
        assert (policy.burst.amount, policy.burst.get_expiry()) == (100, 60)


def test_an_override_replaces_the_tier_but_not_the_burst():
    policy = limits().policy({"key_id": "key_1", "tier": "free", "rate_limit": 5000})
    assert (policy.hour.amount, policy.burst.amount) == (5000, 100)


def test_clients_and_people_count_as_free_and_strangers_by_address():
    rate_limits = limits(GATEHOUSE_RATE_LIMIT_ANONYMOUS_BURST="7 per minute")
    assert rate_limits.policy({"client_id": "cli_1"}).hour.amount == 100
    assert rate_limits.policy(None).burst.amount == 7
    assert rate_limits.key({"client_id": "cli_1", "org": "org_1"}, "192.0.2.1") == "client:cli_1"
    assert rate_limits.key({"user_id": "usr_1"}, "192.0.2.1") == "user:usr_1"
    assert rate_limits.key(None, "192.0.2.1") == "address:192.0.2.1"


def test_settings_refuse_a_failure_mode_they_do_not_know():
    with pytest.raises(ValueError, match="GATEHOUSE_RATE_LIMIT_ON_REDIS_FAILURE"):
        Settings.from_env({"GATEHOUSE_RATE_LIMIT_ON_REDIS_FAILURE": "sometimes"})
    with pytest.raises(ValueError, match="GATEHOUSE_RATE_LIMITS"):
        Settings.from_env({"GATEHOUSE_RATE_LIMITS": "maybe"})
    assert not Settings.from_env({"GATEHOUSE_RATE_LIMITS": "off"}).rate_limits_enabled
    with pytest.raises(ValueError, match="GATEHOUSE_RATE_LIMIT_PRO"):
        limits(GATEHOUSE_RATE_LIMIT_PRO="lots")


def test_a_tripped_breaker_stays_open_for_its_interval():
    assert not Breaker(60).is_open()
    long, short = Breaker(60), Breaker(0)
    long.trip()
    short.trip()
    assert long.is_open()
    assert not short.is_open()


def test_the_fields_name_the_window_closest_to_running_out():
    hour = Window("hour", 100, 3600, remaining=3, reset_at=1_000_900, reset_time=1_000_899.5)
    burst = Window("burst", 100, 60, remaining=97, reset_at=1_000_060, reset_time=1_000_059.2)

    found = dict(fields([burst, hour], now=1_000_000))

    assert found == {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "3",
        "X-RateLimit-Reset": "1000900",
        "RateLimit": '"hour";r=3;t=900',
        "RateLimit-Policy": '"burst";q=100;w=60, "hour";q=100;w=3600',
    }
