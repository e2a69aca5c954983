"""storage.ids: prefixed, sortable ULIDs."""

from __future__ import annotations

import re
import time

import pytest

from storage.ids import PREFIXES, new_id

DESIGN_PREFIXES = {"org", "prod", "cust", "order", "inv", "pay", "wh", "whd", "evt", "key", "req"}
# Added by issue 3: OAuth clients, JWT signing keys, refresh-token families and
# refresh tokens, access-token ids (`jti`), users.
IDENTITY_PREFIXES = {"cli", "jwk", "rtf", "rt", "tok", "usr"}
# Added by issue 6: audit events.
AUDIT_PREFIXES = {"aud"}
# Added by issue 9: support requests.
SUPPORT_PREFIXES = {"sup"}
ALL_PREFIXES = DESIGN_PREFIXES | IDENTITY_PREFIXES | AUDIT_PREFIXES | SUPPORT_PREFIXES


@pytest.mark.parametrize("prefix", sorted(ALL_PREFIXES))
def test_every_documented_prefix_makes_a_prefixed_ulid(prefix):
    assert re.fullmatch(rf"{prefix}_[0-9A-HJKMNP-TV-Z]{{26}}", new_id(prefix))


def test_prefixes_are_exactly_the_documented_ones():
    assert set(PREFIXES) == ALL_PREFIXES


def test_ids_sort_in_creation_order():
    ids = []
    for _ in range(20):
        ids.append(new_id("prod"))
        time.sleep(0.002)  # ULIDs order by millisecond; within one, the order is random
    assert sorted(ids) == ids
    assert len(set(ids)) == len(ids)


def test_ids_are_unique_within_a_millisecond():
    assert len({new_id("req") for _ in range(1000)}) == 1000


@pytest.mark.parametrize("prefix", ["product", "", "PROD", "prod_"])
def test_unknown_prefix_is_refused(prefix):
    with pytest.raises(ValueError, match="unknown id prefix"):
        new_id(prefix)
