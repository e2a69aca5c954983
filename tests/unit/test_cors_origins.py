"""GATEHOUSE_CORS_ORIGINS: exact origins only, refused at start-up otherwise."""

from __future__ import annotations

import pytest

from gatehouse.cors import parse_origins
from gatehouse.settings import Settings


def test_origins_are_read_exactly():
    text = " https://app.example.com, http://localhost:3000 ,,"
    assert parse_origins(text) == ("https://app.example.com", "http://localhost:3000")
    assert parse_origins("") == ()


@pytest.mark.parametrize(
    "origin",
    [
        "*",
        "app.example.com",
        "https://app.example.com/",
        "https://app.example.com/path",
        "ftp://files.example.com",
        "https://*.example.com/x",
        "https://*.example.com",
        "https://app.example.com?x=1",
    ],
)
def test_anything_but_an_origin_is_refused_with_the_setting_named(origin):
    with pytest.raises(ValueError, match="GATEHOUSE_CORS_ORIGINS: .* is not an origin"):
        parse_origins(origin)


def test_no_origins_by_default():
    assert Settings.from_env({}).cors_origins == ()
    listed = Settings.from_env({"GATEHOUSE_CORS_ORIGINS": "https://a.example"})
    assert listed.cors_origins == ("https://a.example",)
