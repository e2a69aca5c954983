"""gatehouse.versions.api_version: which version a path belongs to."""

from __future__ import annotations

import pytest

from gatehouse.versions import api_version


@pytest.mark.parametrize(
    "path, version",
    [
        ("/api/v1/products", "v1"),
        ("/api/v1", "v1"),
        ("/api/v1/", "v1"),
        ("/api/v2/orders/order_1", "v2"),
        ("/api/v10/products", "v10"),
        # Not under a version: the default.
        ("/api/health", "v1"),
        ("/nope", "v1"),
        ("/api/v1x/products", "v1"),
        ("/api/vx/products", "v1"),
        ("/other/api/v2/products", "v1"),
    ],
)
def test_api_version(path, version):
    assert api_version(path) == version


def test_version_is_read_from_the_path_not_guessed():
    assert api_version("/api/v3/anything") == "v3"
