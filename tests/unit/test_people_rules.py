"""People without I/O: roles and their scopes, the password policy, hashing, mail files, budgets."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
import yaml
from argon2 import PasswordHasher

from gatehouse.mail import FileMailer, letter
from gatehouse.passwords import Passwords, policy_problem
from gatehouse.throttle import Budget
from scripts.generate import ROOT
from storage.keys import SCOPES
from storage.roles import MANAGES_MEMBERS, ROLES, scopes_for
from storage.users import canonical_email


def test_the_roles_are_the_specs_role_enum():
    schemas = yaml.safe_load((ROOT / "openapi/v1/components/schemas.yaml").read_text())
    assert tuple(schemas["Role"]["enum"]) == ROLES


def test_a_viewer_holds_only_read_scopes_and_no_keys_manage():
    assert scopes_for("viewer") == [
        "products:read",
        "orders:read",
        "customers:read",
        "inventory:read",
        "usage:read",
        "support:read",
    ]
    assert "keys:manage" not in scopes_for("viewer")
    # A viewer reads the organization's support requests but sends none.
    assert "support:write" not in scopes_for("viewer")


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owners_and_admins_hold_the_whole_catalogue(role):
    assert scopes_for(role) == list(SCOPES)


def test_a_developer_holds_every_scope_but_the_audit_log():
    assert scopes_for("developer") == [scope for scope in SCOPES if scope != "audit:read"]
    assert {"support:read", "support:write"} <= set(scopes_for("developer"))


def test_only_owners_and_admins_manage_people():
    assert set(MANAGES_MEMBERS) == {"owner", "admin"}


@pytest.mark.parametrize(
    "password, email, problem",
    [
        ("short-pw", "a@example.com", "at least 12"),
        ("ADA@example.com", "ada@example.com", "email"),
        ("a perfectly fine pass", "ada@example.com", None),
    ],
)
def test_the_password_policy(password, email, problem):
    found = policy_problem(password, email)
    assert (found is None) if problem is None else (problem in found)


def test_hashes_are_argon2id_and_verify_only_the_right_password():
    passwords = Passwords()
    stored = passwords.hash("a perfectly fine pass")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "a perfectly fine pass")
    assert not passwords.verify(stored, "a perfectly fine pasS")
    # No account: the dummy hash is checked and the answer is always no.
    assert not passwords.verify(None, "a perfectly fine pass")
    assert not passwords.verify("not a hash", "a perfectly fine pass")


def test_a_hash_with_older_parameters_needs_rehashing():
    older = PasswordHasher(time_cost=1, memory_cost=8192).hash("a perfectly fine pass")
    passwords = Passwords()
    assert passwords.needs_rehash(older)
    assert not passwords.needs_rehash(passwords.hash("a perfectly fine pass"))


def test_addresses_are_looked_up_without_regard_to_case():
    assert canonical_email("  Ada@Example.COM ") == canonical_email("ada@example.com")


def test_the_file_mailer_writes_readable_rfc_5322_files(tmp_path):
    link = "http://127.0.0.1:8000/portal/reset-password?token=" + "x" * 60
    FileMailer(tmp_path / "mail").send(letter("ada@example.com", "Reset", f"Open {link}\n"))
    (written,) = (tmp_path / "mail").glob("*.eml")
    raw = written.read_bytes()
    assert link.encode() in raw  # whole, not folded by quoted-printable
    message = message_from_bytes(raw, policy=policy.default)
    assert message["To"] == "ada@example.com"
    assert message["Message-ID"] and message["Date"]
    assert link in message.get_content()


def test_budgets_are_read_in_limits_notation():
    budget = Budget.parse("login-account", "5 per 15 minutes")
    assert (budget.limit.amount, budget.limit.get_expiry()) == (5, 900)
    with pytest.raises(ValueError, match="login-account"):
        Budget.parse("login-account", "five a day")
