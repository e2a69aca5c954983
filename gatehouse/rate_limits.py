"""Request rate limits per credential (or per client address), with flask-limiter.

Two application-wide moving windows apply to every limited request: an hourly
quota (the credential's tier, or its own override) and a per-minute burst.
Application limits share one counter across every operation, so a credential
has one budget however many operations (and API versions) it calls. The
counters live where the login throttle keeps its own (`throttle.storage_for`):
Redis when REDIS_URL is set, shared by every API process; memory otherwise.

Redis unreachable: with `on_redis_failure="open"` requests pass unlimited, and
Redis is not asked again for `retry_seconds`, so an outage costs no connect
timeout per request; each failed attempt is logged as an error. With
"closed" a limited request answers 503 instead.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import flask
import structlog
from connexion.context import context as connexion_context
from flask_limiter import ApplicationLimit, Limiter
from flask_limiter.errors import RateLimitExceeded
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.strategies import MovingWindowRateLimiter

from gatehouse.client_address import Network, client_address
from gatehouse.errors import ApiError, error_document
from gatehouse.rate_limit_headers import attach, fields
from gatehouse.throttle import Budget, storage_for

log = structlog.get_logger("gatehouse.rate_limits")

# Operations that are never limited: load balancers probe health, Prometheus
# scrapes metrics (protected by their own setting), token verifiers fetch the
# JWKS, and one look at the reference (or a portal page) loads several
# assets; none of them changes anything. The API calls the portal's script
# makes are counted like any other. (The specs and Swagger UI are served outside
# Flask and never counted either.)
EXEMPT_PATHS = ("/api/health", "/api/metrics", "/.well-known/", "/docs", "/portal")
# The flask-limiter scope of application limits: one counter for every operation.
SCOPE = "global"


@dataclass(frozen=True)
class Policy:
    """The two windows a caller is limited by, named as in the RateLimit-Policy header."""

    hour: RateLimitItem
    burst: RateLimitItem

    def windows(self) -> tuple[tuple[str, RateLimitItem], ...]:
        return (("hour", self.hour), ("burst", self.burst))


@dataclass(frozen=True)
class RateLimitSettings:
    enabled: bool
    tiers: dict[str, str]
    burst: str
    anonymous_hour: str
    anonymous_burst: str
    on_redis_failure: str
    retry_seconds: float


@dataclass(frozen=True)
class Window:
    """Where a caller stands in one window: what remains, and when it is whole again."""

    name: str
    limit: int
    seconds: int
    remaining: int
    reset_at: int
    # Unrounded, for the seconds to wait: never more than the window's length.
    reset_time: float


class Breaker:
    """After a storage failure, skip the storage for `seconds` (fail open, bounded)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._until = 0.0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self._until

    def trip(self) -> None:
        with self._lock:
            self._until = time.monotonic() + self.seconds


class RateLimits:
    """Who is limited by what, and where each caller stands; used by the limiter and handlers."""

    def __init__(
        self,
        config: RateLimitSettings,
        redis_url: str | None,
        trusted: tuple[Network, ...],
        on_storage_failure: Callable[[], None] = lambda: None,
    ) -> None:
        self.config = config
        # Raises the operators' metric: limiting is open (or closed) for a while.
        self.on_storage_failure = on_storage_failure
        self.trusted = trusted
        self.tiers = {
            tier: _setting(f"GATEHOUSE_RATE_LIMIT_{tier.upper()}", text)
            for tier, text in config.tiers.items()
        }
        self.burst = _setting("GATEHOUSE_RATE_LIMIT_BURST", config.burst)
        self.anonymous = Policy(
            _setting("GATEHOUSE_RATE_LIMIT_ANONYMOUS", config.anonymous_hour),
            _setting("GATEHOUSE_RATE_LIMIT_ANONYMOUS_BURST", config.anonymous_burst),
        )
        self.storage_uri = redis_url or "memory://"
        # Replaced by the limiter's own (`install`), so both read the same counters.
        self.strategy = MovingWindowRateLimiter(storage_for(redis_url))
        self.breaker = Breaker(config.retry_seconds)

    def storage_options(self) -> dict:
        options = {"wrap_exceptions": True}
        if self.storage_uri.startswith("redis"):
            # An unreachable Redis must cost a request little, even before the breaker trips.
            options |= {"socket_timeout": 1, "socket_connect_timeout": 1}
        return options

    def policy(self, principal: dict | None) -> Policy:
        if not principal:
            return self.anonymous
        override = principal.get("rate_limit")
        if override:
            hour = parse(f"{override} per hour")
        else:
            hour = self.tiers.get(principal.get("tier") or "free", self.tiers["free"])
        return Policy(hour, self.burst)

    def hourly_quota(self, tier: str) -> int:
        """The tier's quota in requests per hour, whatever window it is configured in."""
        item = self.tiers[tier]
        return int(item.amount * 3600 / item.get_expiry())

    def key(self, principal: dict | None, address: str | None) -> str:
        """The counter's owner: the credential, else the client address."""
        for claim, prefix in (("key_id", "key"), ("client_id", "client"), ("user_id", "user")):
            if principal and principal.get(claim):
                return f"{prefix}:{principal[claim]}"
        return f"address:{address or 'unknown'}"

    def standing(self, principal: dict | None, address: str | None = None) -> list[Window]:
        """Each window's remaining requests and reset time (StorageError if unreachable)."""
        key = self.key(principal, address)
        return [self.window(name, item, key) for name, item in self.policy(principal).windows()]

    def window(self, name: str, item: RateLimitItem, key: str) -> Window:
        stats = self.strategy.get_window_stats(item, key, SCOPE)
        return Window(
            name=name,
            limit=item.amount,
            seconds=item.get_expiry(),
            remaining=max(0, stats.remaining),
            reset_at=math.ceil(stats.reset_time),
            reset_time=stats.reset_time,
        )


class GatehouseLimiter(Limiter):
    """flask-limiter, with a bounded fail-open (or fail-closed) when Redis is away."""

    def __init__(self, limits: RateLimits, **options) -> None:
        super().__init__(**options)
        self.limits = limits

    def _check_request_limit(self, callable_name=None, in_middleware=True) -> None:
        if flask.request.path.startswith(EXEMPT_PATHS):
            return None
        if self.limits.breaker.is_open():
            return self._storage_failed(None)
        try:
            super()._check_request_limit(callable_name, in_middleware)
        except StorageError as error:
            self.limits.breaker.trip()
            self._storage_failed(error)

    def _storage_failed(self, error: StorageError | None) -> None:
        flask.g.rate_limit_skipped = True
        if error is not None:
            self.limits.on_storage_failure()
            log.error(
                "rate limit storage unreachable",
                error=type(error.storage_error).__name__,
                mode=self.limits.config.on_redis_failure,
                retry_in_seconds=self.limits.config.retry_seconds,
            )
        if self.limits.config.on_redis_failure == "closed":
            raise ApiError(503, "The service is briefly unavailable; retry shortly.")


def _setting(name: str, text: str) -> RateLimitItem:
    """A limit in limits' notation, or ValueError naming the setting that holds it."""
    return Budget.parse(name, text).limit


def _principal() -> dict | None:
    try:
        return connexion_context.get("token_info")
    except LookupError:
        return None


def install(flask_app: flask.Flask, limits: RateLimits, docs_url: str) -> GatehouseLimiter | None:
    """Limit every request the Flask app serves, except the exempt paths."""
    if not limits.config.enabled:
        return None

    def address() -> str | None:
        request = flask.request
        return client_address(
            request.remote_addr, request.headers.getlist("X-Forwarded-For"), limits.trusted
        )

    def key() -> str:
        return limits.key(_principal(), address())

    limiter = GatehouseLimiter(
        limits,
        key_func=key,
        application_limits=[
            ApplicationLimit(lambda: str(limits.policy(_principal()).hour), scope=SCOPE),
            ApplicationLimit(lambda: str(limits.policy(_principal()).burst), scope=SCOPE),
        ],
        strategy="moving-window",
        storage_uri=limits.storage_uri,
        storage_options=limits.storage_options(),
        # Our own fields (the IETF ones too; gatehouse.rate_limit_headers); errors are ours.
        headers_enabled=False,
        swallow_errors=False,
        fail_on_first_breach=False,
    )
    limiter.init_app(flask_app)
    limits.strategy = limiter.limiter
    reporter = Reporter(limiter, limits, docs_url)
    # After the limiter's own before_request (registered by init_app): the counts include this one.
    flask_app.before_request(reporter.report)
    # On the Flask app itself: Connexion's handlers would drop Retry-After.
    flask_app.register_error_handler(RateLimitExceeded, reporter.too_many)
    return limiter


class Reporter:
    """Tells each limited request where it stands, and answers the one over the limit."""

    def __init__(self, limiter: GatehouseLimiter, limits: RateLimits, docs_url: str) -> None:
        self.limiter = limiter
        self.limits = limits
        self.docs_url = docs_url

    def windows(self) -> list[Window]:
        found = []
        for request_limit in self.limiter.current_limits:
            item = request_limit.limit
            # The hour window (its quota) is the longer one; the burst window the shorter.
            name = "hour" if item.get_expiry() >= 3600 else "burst"
            found.append(self.limits.window(name, item, request_limit.request_args[0]))
        return found

    def report(self) -> None:
        if getattr(flask.g, "rate_limit_skipped", False) or not self.limiter.current_limits:
            return
        try:
            attach(fields(self.windows(), time.time()))
        except StorageError:
            self.limits.breaker.trip()

    def too_many(self, error: RateLimitExceeded) -> flask.Response:
        try:
            windows = self.windows()
        except StorageError:
            windows = []
        if windows:
            attach(fields(windows, time.time()))
        # Every exhausted window must have room again before a request passes.
        exhausted = [window.reset_time for window in windows if window.remaining == 0]
        retry_after = max(1, math.ceil(max(exhausted, default=time.time() + 1) - time.time()))
        principal = _principal()
        log.warning(
            "rate limit exceeded",
            credential=self.limits.key(principal, None) if principal else "anonymous",
            limit=str(error.limit.limit),
            path=flask.request.path,
            retry_after=retry_after,
        )
        message = f"Rate limit of {error.limit.limit} exceeded; retry in {retry_after} s."
        body, mimetype = error_document(
            flask.request.path, 429, message, None, self.docs_url, retry_after
        )
        response = flask.jsonify(body)
        response.status_code = 429
        response.mimetype = mimetype
        response.headers["Retry-After"] = str(retry_after)
        return response
