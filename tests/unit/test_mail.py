"""Mail letters: any address the API's Email pattern admits can be written."""

from __future__ import annotations

import pytest

from gatehouse.mail import letter


@pytest.mark.parametrize("to", ["OĚ@[", ":;@`", ".<i@5lL}", "x@y,<", "ada@example.com"])
def test_a_letter_to_any_admitted_address_serialises(to):
    message = letter(to, "Subject", "https://example.com/link")
    assert message.as_bytes().startswith(b"From: ")
    assert str(message["To"]) == to


def test_ordinary_addresses_stay_structured():
    message = letter("ada@example.com", "Subject", "text")
    assert message["To"].addresses[0].domain == "example.com"
