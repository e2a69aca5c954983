"""Masking of personal data and secrets: the one set of rules for logs and the audit log.

By name: a value under a secret's name (password, token, secret, signature,
authorization, API key, TOTP) is replaced whole; a value under a personal
datum's name (email, name, phone, postal address) is masked, an email keeping
its first letter and domain so that people can still tell accounts apart.
By shape, in any string: email addresses, Bearer credentials, webhook secrets
(`whsec_`), API keys and secrets (`ak_`, `sk_`), OAuth client secrets (`cs_`)
and JWTs.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "***"
SECRET_NAMES = re.compile(
    r"secret|signature|password|passphrase|token|authorization|api[-_]?key|totp|cookie", re.I
)
# `client_address` and `ip_address` are network addresses, not where someone lives.
PERSONAL_NAMES = re.compile(
    r"(?i:e-?mail|phone|mobile|street|postal|zip)|(?<!client_)(?<!ip_)(?i:address)"
    r"|(^|_)name$|[a-z]Name$|^[Nn]ame$"
)
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.I)
CREDENTIAL = re.compile(r"\b(ak|sk|cs|whsec)_[A-Za-z0-9_+/=-]{6,}")
# Every shape above needs one of these; most log values have none and skip the rest.
ANY_SHAPE = re.compile(r"@|_|earer|eyJ")
JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")


def mask_email(address: str) -> str:
    """`ada@example.com` → `a***@example.com`."""
    return EMAIL.sub(lambda m: f"{m.group(1)}{MASK}@{m.group(2)}", address)


def mask_text(text: str) -> str:
    """Mask whatever in free text is shaped like an email address or a credential."""
    if not ANY_SHAPE.search(text):
        return text
    text = JWT.sub(MASK, text)
    text = BEARER.sub(lambda m: m.group(1) + MASK, text)
    text = CREDENTIAL.sub(lambda m: f"{m.group(1)}_{MASK}", text)
    return mask_email(text)


def mask_value(name: str, value: Any) -> Any:
    """One named value, masked by its name and, inside it, by shape."""
    if value is None:
        return None
    if SECRET_NAMES.search(name):
        return MASK
    if PERSONAL_NAMES.search(name):
        if isinstance(value, str) and "@" in value:
            return mask_email(value)
        return MASK
    return mask_data(value)


def mask_data(value: Any) -> Any:
    """A JSON-like value: mapping entries masked by name, strings by shape."""
    if isinstance(value, dict):
        return {key: mask_value(str(key), item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(item) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value
