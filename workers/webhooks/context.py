"""What the relay and the delivery function need: the database, the keyring, the policy,
and where outcomes are counted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from storage import Database
from storage.keys import Keyring
from storage.webhook_models import Webhook
from workers.webhooks.policy import DeliveryPolicy


@dataclass(frozen=True)
class DeliveryContext:
    database: Database
    keyring: Keyring
    policy: DeliveryPolicy
    # Told each attempt's outcome (succeeded, retried, failed, disabled): the
    # metrics of the process making it.
    observe: Callable[[str], None] = lambda outcome: None

    def now(self) -> datetime:
        return self.policy.clock()

    def signing_secrets(self, webhook: Webhook) -> list[str]:
        """The secrets that sign now: the current one, and the previous during its grace."""
        found = [self.keyring.decrypt(webhook.secret_ciphertext)]
        expires = webhook.previous_secret_expires_at
        if webhook.previous_secret_ciphertext and expires and expires > self.now():
            found.append(self.keyring.decrypt(webhook.previous_secret_ciphertext))
        return found
