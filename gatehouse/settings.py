"""Deployment settings, read from the environment once, at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

from gatehouse.client_address import Network, parse_networks
from gatehouse.cors import parse_origins
from gatehouse.rate_limits import RateLimitSettings


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _seconds_list(value: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    """`60,300,1800` -> (60, 300, 1800); empty means no retries at all."""
    if value is None:
        return default
    return tuple(int(part) for part in value.split(",") if part.strip())


def _switch(value: str | None, setting: str) -> bool:
    """`on` (the default) or `off`."""
    return _choice(value, setting, ("on", "off")) == "on"


def _choice(value: str | None, setting: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first when unset); ValueError naming the setting otherwise."""
    chosen = (value or choices[0]).strip().lower()
    if chosen not in choices:
        raise ValueError(f"{setting}: {value!r} is not one of {', '.join(choices)}")
    return chosen


METRICS_MODES = ("off", "open", "token")


def _metrics_mode(env: dict[str, str]) -> str:
    """Refused at start-up rather than served unprotected by mistake."""
    mode = _choice(env.get("GATEHOUSE_METRICS") or "open", "GATEHOUSE_METRICS", METRICS_MODES)
    if mode == "token" and not env.get("GATEHOUSE_METRICS_TOKEN"):
        raise ValueError("GATEHOUSE_METRICS=token needs GATEHOUSE_METRICS_TOKEN")
    return mode


@dataclass(frozen=True)
class Settings:
    """Everything that differs between deployments; nothing else reads os.environ."""

    var_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str | None = None
    secret_key: str = ""
    docs_url: str = "http://127.0.0.1:8000/docs"
    max_body_bytes: int = 1024 * 1024
    signature_tolerance_seconds: int = 300
    validate_responses: bool = False
    log_level: str = "INFO"
    log_json: bool = False
    db_pool_size: int = 10
    # Browser origins allowed to call the API (CORS); none means no CORS headers at all.
    cors_origins: tuple[str, ...] = ()
    # Proxies whose X-Forwarded-For is believed when judging a client's address.
    trusted_proxies: tuple[Network, ...] = ()
    # How often each process adds its in-memory usage counts to the database;
    # whether requests are counted at all (off only to measure what counting costs).
    usage_flush_seconds: float = 1.0
    usage_recording: bool = True
    # How many UTC days of per-request usage records are kept (today included).
    usage_retention_days: int = 90
    # Access tokens (JWT): who issues them, for whom, and for how long.
    jwt_issuer: str = "https://gatehouse.dev"
    jwt_audience: str = "gatehouse-api"
    access_token_ttl_seconds: int = 3600
    # Clock difference tolerated between the process that issued a token and the one checking it.
    jwt_leeway_seconds: int = 30
    # People: where mailed links point (the portal), and how often sign-in and
    # password resets may fail or be asked for (limits' notation, moving window).
    public_url: str = "http://127.0.0.1:8000"
    # Where support requests are mailed (the operator's support desk).
    support_email: str = "support@gatehouse.localhost"
    login_limit_per_account: str = "5 per 15 minutes"
    login_limit_per_address: str = "20 per 15 minutes"
    reset_limit_per_account: str = "5 per hour"
    reset_limit_per_address: str = "20 per hour"
    # Idempotency-Key: how long a POST's first successful answer is replayed, and
    # how long a request may hold its key before another may take it over (the
    # holder is presumed dead: no request runs anywhere near that long).
    idempotency_ttl_seconds: int = 24 * 3600
    idempotency_lock_timeout_seconds: int = 60
    # Webhooks: plain http and loopback/private targets (development and tests only),
    # the per-attempt timeout, the retry schedule (seconds), failed deliveries in a
    # row before an endpoint is disabled, a rotated-out secret's grace period, the
    # lease an attempt holds its delivery for, when a dispatched delivery nothing
    # came of is handed out again, and how often the relay polls the outbox.
    webhooks_allow_private: bool = False
    webhooks_timeout_seconds: float = 10.0
    webhooks_retry_schedule: tuple[int, ...] = (60, 300, 1800)
    webhooks_disable_after: int = 5
    webhooks_secret_grace_seconds: int = 86400
    webhooks_lease_seconds: float = 40.0
    webhooks_redispatch_seconds: float = 60.0
    webhooks_poll_seconds: float = 0.5
    # Request rate limits (moving windows, limits' notation): the hourly quota of
    # each tier, the burst every tier also has, and the small budgets of
    # unauthenticated callers per client address. When Redis is unreachable,
    # "open" lets requests pass (asking Redis again every retry seconds),
    # "closed" answers 503.
    rate_limits_enabled: bool = True
    rate_limit_free: str = "100 per hour"
    rate_limit_pro: str = "1000 per hour"
    rate_limit_enterprise: str = "10000 per hour"
    rate_limit_burst: str = "100 per minute"
    rate_limit_anonymous: str = "300 per hour"
    rate_limit_anonymous_burst: str = "30 per minute"
    rate_limit_on_redis_failure: str = "open"
    rate_limit_retry_seconds: float = 10.0
    # GET /api/metrics: `open` to anyone, `token` to a Bearer of metrics_token
    # only, `off` not served (404). Counters of every process on a host meet in
    # metrics_dir (prometheus-client's multiprocess mode).
    metrics: str = "open"
    metrics_token: str = ""
    # If set, only these client addresses may scrape (403 for others), whatever the mode.
    metrics_allow: tuple[Network, ...] = ()
    metrics_dir: Path = Path("var/metrics")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        var_dir = Path(env.get("GATEHOUSE_VAR_DIR", "var"))
        public_url = (env.get("GATEHOUSE_PUBLIC_URL") or cls.public_url).rstrip("/")
        return cls(
            var_dir=var_dir,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'gatehouse.db'}",
            redis_url=env.get("REDIS_URL") or None,
            secret_key=env.get("GATEHOUSE_SECRET_KEY", ""),
            # Unset, error bodies link to the guides this server serves itself.
            docs_url=(env.get("GATEHOUSE_DOCS_URL") or f"{public_url}/docs").rstrip("/"),
            max_body_bytes=int(env.get("GATEHOUSE_MAX_BODY_BYTES", cls.max_body_bytes)),
            signature_tolerance_seconds=int(
                env.get("GATEHOUSE_SIGNATURE_TOLERANCE", cls.signature_tolerance_seconds)
            ),
            validate_responses=_bool(env.get("GATEHOUSE_VALIDATE_RESPONSES"), False),
            log_level=env.get("GATEHOUSE_LOG_LEVEL", "INFO").upper(),
            log_json=_bool(env.get("GATEHOUSE_LOG_JSON"), False),
            db_pool_size=int(env.get("GATEHOUSE_DB_POOL_SIZE", cls.db_pool_size)),
            cors_origins=parse_origins(env.get("GATEHOUSE_CORS_ORIGINS", "")),
            trusted_proxies=parse_networks(env.get("GATEHOUSE_TRUSTED_PROXIES", "")),
            usage_flush_seconds=float(
                env.get("GATEHOUSE_USAGE_FLUSH_SECONDS", cls.usage_flush_seconds)
            ),
            usage_recording=_switch(
                env.get("GATEHOUSE_USAGE_RECORDING"), "GATEHOUSE_USAGE_RECORDING"
            ),
            usage_retention_days=_positive(
                "GATEHOUSE_USAGE_RETENTION_DAYS",
                int(env.get("GATEHOUSE_USAGE_RETENTION_DAYS", cls.usage_retention_days)),
            ),
            jwt_issuer=env.get("GATEHOUSE_JWT_ISSUER") or cls.jwt_issuer,
            jwt_audience=env.get("GATEHOUSE_JWT_AUDIENCE") or cls.jwt_audience,
            access_token_ttl_seconds=int(
                env.get("GATEHOUSE_ACCESS_TOKEN_TTL", cls.access_token_ttl_seconds)
            ),
            jwt_leeway_seconds=int(env.get("GATEHOUSE_JWT_LEEWAY", cls.jwt_leeway_seconds)),
            public_url=public_url,
            support_email=env.get("GATEHOUSE_SUPPORT_EMAIL") or cls.support_email,
            login_limit_per_account=env.get(
                "GATEHOUSE_LOGIN_LIMIT_PER_ACCOUNT", cls.login_limit_per_account
            ),
            login_limit_per_address=env.get(
                "GATEHOUSE_LOGIN_LIMIT_PER_ADDRESS", cls.login_limit_per_address
            ),
            reset_limit_per_account=env.get(
                "GATEHOUSE_RESET_LIMIT_PER_ACCOUNT", cls.reset_limit_per_account
            ),
            reset_limit_per_address=env.get(
                "GATEHOUSE_RESET_LIMIT_PER_ADDRESS", cls.reset_limit_per_address
            ),
            idempotency_ttl_seconds=int(
                env.get("GATEHOUSE_IDEMPOTENCY_TTL", cls.idempotency_ttl_seconds)
            ),
            idempotency_lock_timeout_seconds=int(
                env.get("GATEHOUSE_IDEMPOTENCY_LOCK_TIMEOUT", cls.idempotency_lock_timeout_seconds)
            ),
            webhooks_allow_private=_bool(env.get("GATEHOUSE_WEBHOOKS_ALLOW_PRIVATE"), False),
            webhooks_timeout_seconds=float(
                env.get("GATEHOUSE_WEBHOOKS_TIMEOUT", cls.webhooks_timeout_seconds)
            ),
            webhooks_retry_schedule=_seconds_list(
                env.get("GATEHOUSE_WEBHOOKS_RETRY_SCHEDULE"), cls.webhooks_retry_schedule
            ),
            webhooks_disable_after=int(
                env.get("GATEHOUSE_WEBHOOKS_DISABLE_AFTER", cls.webhooks_disable_after)
            ),
            webhooks_secret_grace_seconds=int(
                env.get("GATEHOUSE_WEBHOOKS_SECRET_GRACE", cls.webhooks_secret_grace_seconds)
            ),
            webhooks_lease_seconds=float(
                env.get("GATEHOUSE_WEBHOOKS_LEASE", cls.webhooks_lease_seconds)
            ),
            webhooks_redispatch_seconds=float(
                env.get("GATEHOUSE_WEBHOOKS_REDISPATCH", cls.webhooks_redispatch_seconds)
            ),
            webhooks_poll_seconds=float(
                env.get("GATEHOUSE_WEBHOOKS_POLL", cls.webhooks_poll_seconds)
            ),
            rate_limits_enabled=_switch(env.get("GATEHOUSE_RATE_LIMITS"), "GATEHOUSE_RATE_LIMITS"),
            rate_limit_free=env.get("GATEHOUSE_RATE_LIMIT_FREE") or cls.rate_limit_free,
            rate_limit_pro=env.get("GATEHOUSE_RATE_LIMIT_PRO") or cls.rate_limit_pro,
            rate_limit_enterprise=(
                env.get("GATEHOUSE_RATE_LIMIT_ENTERPRISE") or cls.rate_limit_enterprise
            ),
            rate_limit_burst=env.get("GATEHOUSE_RATE_LIMIT_BURST") or cls.rate_limit_burst,
            rate_limit_anonymous=(
                env.get("GATEHOUSE_RATE_LIMIT_ANONYMOUS") or cls.rate_limit_anonymous
            ),
            rate_limit_anonymous_burst=(
                env.get("GATEHOUSE_RATE_LIMIT_ANONYMOUS_BURST") or cls.rate_limit_anonymous_burst
            ),
            rate_limit_on_redis_failure=_choice(
                env.get("GATEHOUSE_RATE_LIMIT_ON_REDIS_FAILURE"),
                "GATEHOUSE_RATE_LIMIT_ON_REDIS_FAILURE",
                ("open", "closed"),
            ),
            rate_limit_retry_seconds=float(
                env.get("GATEHOUSE_RATE_LIMIT_RETRY_SECONDS", cls.rate_limit_retry_seconds)
            ),
            metrics=_metrics_mode(env),
            metrics_token=env.get("GATEHOUSE_METRICS_TOKEN", ""),
            metrics_allow=parse_networks(
                env.get("GATEHOUSE_METRICS_ALLOW", ""), "GATEHOUSE_METRICS_ALLOW"
            ),
            metrics_dir=Path(env.get("GATEHOUSE_METRICS_DIR") or var_dir / "metrics"),
        )

    def rate_limit_settings(self) -> RateLimitSettings:
        return RateLimitSettings(
            enabled=self.rate_limits_enabled,
            tiers={
                "free": self.rate_limit_free,
                "pro": self.rate_limit_pro,
                "enterprise": self.rate_limit_enterprise,
            },
            burst=self.rate_limit_burst,
            anonymous_hour=self.rate_limit_anonymous,
            anonymous_burst=self.rate_limit_anonymous_burst,
            on_redis_failure=self.rate_limit_on_redis_failure,
            retry_seconds=self.rate_limit_retry_seconds,
        )

    def resolved_secret_key(self) -> bytes:
        """The Fernet key that encrypts API key secrets at rest.

        Production passes GATEHOUSE_SECRET_KEY; the embedded default keeps a key
        generated on first start in var/secret.key, so a restart can still
        decrypt the secrets it stored.
        """
        if self.secret_key:
            return self.secret_key.encode()
        path = self.var_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(Fernet.generate_key())
        return path.read_bytes().strip()


def _positive(name: str, value: int) -> int:
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value
