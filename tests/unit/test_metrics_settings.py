"""The metrics setting: one of three modes, and `token` never without its token."""

from __future__ import annotations

import pytest

from gatehouse.settings import Settings


def test_metrics_are_open_by_default():
    settings = Settings.from_env({})
    assert settings.metrics == "open"
    assert str(settings.metrics_dir) == "var/metrics"


def test_the_metrics_directory_follows_the_var_directory():
    assert str(Settings.from_env({"GATEHOUSE_VAR_DIR": "/srv/gh"}).metrics_dir) == "/srv/gh/metrics"
    chosen = Settings.from_env({"GATEHOUSE_METRICS_DIR": "/run/gh-metrics"})
    assert str(chosen.metrics_dir) == "/run/gh-metrics"


def test_token_mode_needs_a_token():
    with pytest.raises(ValueError, match="GATEHOUSE_METRICS_TOKEN"):
        Settings.from_env({"GATEHOUSE_METRICS": "token"})
    settings = Settings.from_env({"GATEHOUSE_METRICS": "TOKEN", "GATEHOUSE_METRICS_TOKEN": "t"})
    assert (settings.metrics, settings.metrics_token) == ("token", "t")


def test_an_unknown_mode_is_refused_rather_than_served_open():
    with pytest.raises(ValueError, match="off, open, token"):
        Settings.from_env({"GATEHOUSE_METRICS": "private"})
