"""Webhook resources as the API shows them."""

from __future__ import annotations

from datetime import datetime

from storage.clock import rfc3339
from storage.keys import Keyring
from storage.webhook_models import Webhook, WebhookAttempt, WebhookDelivery


def _time(moment: datetime | None) -> str | None:
    return rfc3339(moment) if moment else None


def webhook_view(webhook: Webhook) -> dict:
    return {
        "id": webhook.id,
        "url": webhook.url,
        "description": webhook.description,
        "events": list(webhook.events),
        "status": webhook.status,
        "disabledReason": webhook.disabled_reason,
        "consecutiveFailures": webhook.consecutive_failures,
        "createdAt": rfc3339(webhook.created_at),
        "updatedAt": rfc3339(webhook.updated_at),
    }


def secret_view(webhook: Webhook, keyring: Keyring, now: datetime) -> dict:
    expires = webhook.previous_secret_expires_at
    previous = webhook.previous_secret_ciphertext if expires and expires > now else None
    return {
        "secret": keyring.decrypt(webhook.secret_ciphertext),
        "previousSecret": keyring.decrypt(previous) if previous else None,
        "previousSecretExpiresAt": _time(expires) if previous else None,
    }


def delivery_view(delivery: WebhookDelivery) -> dict:
    return {
        "id": delivery.id,
        "webhookId": delivery.webhook_id,
        "eventId": delivery.event_id,
        "eventType": delivery.event_type,
        "status": delivery.status,
        "attemptCount": delivery.attempt_count,
        "nextAttemptAt": _time(delivery.next_attempt_at),
        "lastStatusCode": delivery.last_status_code,
        "createdAt": rfc3339(delivery.created_at),
        "updatedAt": rfc3339(delivery.updated_at),
    }


def attempt_view(attempt: WebhookAttempt) -> dict:
    return {
        "number": attempt.number,
        "attemptedAt": rfc3339(attempt.attempted_at),
        "requestHeaders": dict(attempt.request_headers),
        "responseStatus": attempt.response_status,
        "responseBody": attempt.response_body,
        "latencyMs": attempt.latency_ms,
        "error": attempt.error,
        "nextRetryAt": _time(attempt.next_retry_at),
    }
