"""gatehouse.masking: the rules logs and the audit log share."""

from __future__ import annotations

import pytest

from gatehouse.masking import mask_data, mask_email, mask_text


def test_an_email_keeps_its_first_letter_and_domain():
    assert mask_email("ada.lovelace@example.com") == "a***@example.com"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Bearer abc.def-ghi", "Bearer ***"),
        ("secret whsec_MfKQ9r8GKYqrTwjUPD8I", "secret whsec_***"),
        ("client cs_0123456789abcdef", "client cs_***"),
        ("key ak_test_AbCdEfGh12345678", "key ak_***"),
        ("jwt eyJhbGciOi.eyJzdWIiOi.c2lnbmF0", "jwt ***"),
        ("write to ada@example.com now", "write to a***@example.com now"),
    ],
)
def test_shapes_are_masked_in_any_text(text, masked):
    assert mask_text(text) == masked


def test_personal_data_and_secrets_are_masked_by_name_at_any_depth():
    body = {
        "email": "ada@example.com",
        "firstName": "Ada",
        "name": "Ada Lovelace",
        "phone": "+442079460000",
        "addresses": [{"line1": "1 Analytical Way"}],
        "password": "correct horse",
        "nested": [{"client_secret": "x", "customerName": "Ada", "note": "mail ada@example.com"}],
        "sku": "MUG-1",
        "quantity": 2,
        "client_address": "203.0.113.7",
    }
    assert mask_data(body) == {
        "email": "a***@example.com",
        "firstName": "***",
        "name": "***",
        "phone": "***",
        "addresses": "***",
        "password": "***",
        "nested": [
            {"client_secret": "***", "customerName": "***", "note": "mail a***@example.com"}
        ],
        "sku": "MUG-1",
        "quantity": 2,
        "client_address": "203.0.113.7",
    }
