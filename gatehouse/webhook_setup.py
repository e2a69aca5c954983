"""Webhook delivery wired from Settings: the policy, the context, the embedded runner."""

from __future__ import annotations

from contextlib import asynccontextmanager

import anyio

from gatehouse.metrics import Metrics, start_metrics
from gatehouse.settings import Settings
from storage import Database
from storage.keys import Keyring
from workers.webhooks.context import DeliveryContext
from workers.webhooks.policy import DeliveryPolicy
from workers.webhooks.runner import Runner


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    return DeliveryPolicy(
        timeout_seconds=settings.webhooks_timeout_seconds,
        retry_schedule=settings.webhooks_retry_schedule,
        disable_after=settings.webhooks_disable_after,
        allow_private=settings.webhooks_allow_private,
        secret_grace_seconds=settings.webhooks_secret_grace_seconds,
        lease_seconds=settings.webhooks_lease_seconds,
        redispatch_seconds=settings.webhooks_redispatch_seconds,
    )


def delivery_context(
    settings: Settings, database: Database, keyring: Keyring, metrics: Metrics
) -> DeliveryContext:
    return DeliveryContext(
        database, keyring, delivery_policy(settings), observe=metrics.observe_delivery
    )


def delivery_context_from_env() -> DeliveryContext:
    """For worker processes: everything from the environment, as the API process reads it."""
    settings = Settings.from_env()
    database = Database(settings.database_url, pool_size=2)
    keyring = Keyring(settings.resolved_secret_key())
    return delivery_context(settings, database, keyring, start_metrics(settings.metrics_dir))


def lifespan(settings: Settings, ctx: DeliveryContext, usage):
    """The app's lifespan: usage flushing always; with no REDIS_URL also the in-process
    webhook runner (with Redis, `gatehouse worker` processes deliver)."""

    @asynccontextmanager
    async def running(app=None):
        async with usage.running(app):
            runner = None
            if not settings.redis_url:
                runner = Runner(ctx, interval=settings.webhooks_poll_seconds)
                runner.start()
            try:
                yield
            finally:
                if runner is not None:
                    await anyio.to_thread.run_sync(runner.stop)

    return running
