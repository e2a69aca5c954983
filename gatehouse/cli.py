"""The `gatehouse` command: serve, migrate, run workers, manage organizations and keys.

Every command works on the database named by DATABASE_URL (default: SQLite
under var/) and brings its schema up to date first.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from datetime import timedelta

import click

from gatehouse.credentials import parse_scopes
from gatehouse.members import grant_role
from gatehouse.people import people_services
from gatehouse.settings import Settings
from gatehouse.tokens import token_service
from gatehouse.usage import prune_records
from storage import Database, UnitOfWork
from storage.clients import issue_client
from storage.clock import rfc3339, utcnow
from storage.ids import new_id
from storage.keys import MODES, SCOPES, TIERS, IssuedKey, Keyring, tier_refusal
from storage.migrate import upgrade
from storage.models import Organization
from storage.roles import ROLES

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def _open() -> tuple[Settings, Database]:
    settings = Settings.from_env()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.database_url, pool_size=2)
    upgrade(database)
    return settings, database


def _emit(as_json: bool, data, text: str) -> None:
    click.echo(json.dumps(data, indent=2) if as_json else text)


@click.group()
def main() -> None:
    """Gatehouse: the public integration API of the commerce platform."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="API processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Apply migrations, then serve the API (creating a demo key on first start)."""
    import uvicorn

    # The links the server writes (error `documentation`, mailed portal links) name
    # where it listens unless the deployment says otherwise (behind a proxy); the
    # API processes uvicorn starts inherit the variable.
    os.environ.setdefault("GATEHOUSE_PUBLIC_URL", _listening_url(host, port))
    settings, database = _open()
    with UnitOfWork(database.session_factory) as uow:
        if not uow.organizations.list():
            issued = _demo(uow, Keyring(settings.resolved_secret_key()))
            uow.commit()
            _announce(issued, host, port)
    database.dispose()
    uvicorn.run(
        "gatehouse.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="warning",
        # Its lines go through the app's logging (gatehouse.logging), JSON when asked.
        log_config=None,
        # The client address stays the socket's peer: uvicorn would otherwise take
        # it from X-Forwarded-For on loopback, which anyone can write. Proxies we
        # trust are configured with GATEHOUSE_TRUSTED_PROXIES (gatehouse.client_address).
        proxy_headers=False,
    )


def _listening_url(host: str, port: int) -> str:
    # Every interface (a wildcard, not a host to link to): this machine's loopback reaches it.
    if host in ("", "0.0.0.0", "::"):  # noqa: S104
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@main.command()
def migrate() -> None:
    """Apply every pending migration."""
    _, database = _open()
    where = database.engine.url.render_as_string(hide_password=True)
    click.echo(f"Database at {where} is current.")


@main.command()
@click.option("--burst", is_flag=True, help="Drain the queues, then exit.")
@click.option(
    "--metrics-port",
    type=int,
    default=None,
    help="Also serve this host's metrics on PORT at /metrics (for hosts with no API process).",
)
@click.option(
    "--metrics-host",
    default="127.0.0.1",
    show_default=True,
    help="Address of --metrics-port; it has no token check, so widen it only behind a firewall.",
)
def worker(burst: bool, metrics_port: int | None, metrics_host: str) -> None:
    """Run a background worker on the Redis queues (REDIS_URL): jobs and the webhook relay."""
    from gatehouse.logging import configure_logging
    from gatehouse.metrics import start_metrics
    from gatehouse.webhook_setup import delivery_context
    from workers.rq_worker import run

    settings = Settings.from_env()
    if not settings.redis_url:
        raise click.ClickException(
            "REDIS_URL is not set: the embedded default runs background work in the API process."
        )
    configure_logging(settings.log_level, settings.log_json)
    _, database = _open()
    metrics = start_metrics(settings.metrics_dir)
    if metrics_port is not None:
        metrics.serve(metrics_port, metrics_host)
    keyring = Keyring(settings.resolved_secret_key())
    context = delivery_context(settings, database, keyring, metrics)
    run(
        settings.redis_url,
        burst=burst,
        context=context,
        poll_seconds=settings.webhooks_poll_seconds,
    )


@main.group()
def orgs() -> None:
    """Organizations (tenants)."""


plan_option = click.option(
    "--plan",
    type=click.Choice(TIERS),
    default="free",
    show_default=True,
    help="The highest key tier the organization may issue.",
)


@orgs.command("create")
@click.argument("name")
@plan_option
@json_option
def orgs_create(name: str, plan: str, as_json: bool) -> None:
    """Create an organization."""
    _, database = _open()
    with UnitOfWork(database.session_factory) as uow:
        org = _new_org(uow, name, plan)
        uow.commit()
    _emit(as_json, _org_json(org), f"Created organization {org.id} ({org.name}, {plan} plan).")


@orgs.command("set-plan")
@click.argument("org_id")
@click.argument("plan", type=click.Choice(TIERS))
@json_option
def orgs_set_plan(org_id: str, plan: str, as_json: bool) -> None:
    """Change an organization's plan (its keys keep their tiers)."""
    _, database = _open()
    with UnitOfWork(database.session_factory) as uow:
        org = uow.organizations.get(org_id)
        if org is None:
            raise click.ClickException(f"No organization {org_id}.")
        org.plan = plan
        uow.commit()
        data = _org_json(org)
    _emit(as_json, data, f"{org_id} is on the {plan} plan.")


@orgs.command("list")
@json_option
def orgs_list(as_json: bool) -> None:
    """List organizations."""
    _, database = _open()
    with UnitOfWork(database.session_factory) as uow:
        # Print before leaving: the unit of work's rollback expires what it loaded.
        found = uow.organizations.list()
        lines = "\n".join(f"{o.id}  {o.plan:<10}  {o.name}" for o in found) or "No organizations."
        _emit(as_json, [_org_json(o) for o in found], lines)


@main.group()
def keys() -> None:
    """API keys."""


@keys.command("create")
@click.option("--org", "org_id", required=True, help="The organization's id (org_...).")
@click.option("--name", default="CLI key", show_default=True)
@click.option("--tier", type=click.Choice(TIERS), default="free", show_default=True)
@click.option("--mode", type=click.Choice(MODES), default="test", show_default=True)
@click.option("--expires-in-days", type=click.IntRange(min=1), default=365, show_default=True)
@click.option(
    "--scopes",
    "scopes_text",
    default=",".join(SCOPES),
    help="Comma-separated scopes  [default: all]",
)
@json_option
def keys_create(org_id, name, tier, mode, expires_in_days, scopes_text, as_json) -> None:
    """Create an API key; its secret is shown this once."""
    try:
        scopes = parse_scopes(scopes_text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--scopes") from error
    settings, database = _open()
    with UnitOfWork(database.session_factory) as uow:
        org = uow.organizations.get(org_id)
        if org is None:
            raise click.ClickException(f"No organization {org_id}.")
        refusal = tier_refusal(org.plan, tier)
        if refusal:
            raise click.ClickException(f"{org_id}: {refusal} (gatehouse orgs set-plan changes it)")
        issued = Keyring(settings.resolved_secret_key()).issue(
            uow,
            org_id,
            name=name,
            mode=mode,
            tier=tier,
            scopes=scopes,
            expires_in_days=expires_in_days,
        )
        uow.commit()
    data = {**_key_json(issued.record), "key": issued.key, "secret": issued.secret}
    text = (
        f"Created {issued.record.mode}-mode key {issued.record.id} for {org_id}.\n"
        f"  key:    {issued.key}\n  secret: {issued.secret}\n"
        "The secret is shown only now; keep it safe."
    )
    _emit(as_json, data, text)


@keys.command("revoke")
@click.argument("key_id")
@json_option
def keys_revoke(key_id: str, as_json: bool) -> None:
    """Revoke a key; it is refused from the next request on."""
    _, database = _open()
    with UnitOfWork(database.session_factory) as uow:
        record = uow.api_keys.get(key_id)
        if record is None:
            raise click.ClickException(f"No API key {key_id}.")
        if record.status != "revoked":
            record.status, record.revoked_at = "revoked", utcnow()
        uow.commit()
    _emit(as_json, _key_json(record), f"Revoked {key_id}.")


@keys.command("list")
@click.option("--org", "org_id", required=True)
@json_option
def keys_list(org_id: str, as_json: bool) -> None:
    """List an organization's keys (never their secrets)."""
    _, database = _open()
    with UnitOfWork(database.session_factory) as uow:
        # Print before leaving: the unit of work's rollback expires what it loaded.
        found = uow.api_keys.list_for(org_id)
        lines = "\n".join(
            f"{k.id}  {k.prefix}…  {k.mode:4}  {k.tier:10}  {k.status:8}  "
            f"expires {rfc3339(k.expires_at) if k.expires_at else 'never'}"
            for k in found
        )
        _emit(as_json, [_key_json(k) for k in found], lines or f"No keys for {org_id}.")


@main.group()
def clients() -> None:
    """OAuth clients (client credentials grant)."""


@clients.command("create")
@click.option("--org", "org_id", required=True, help="The organization's id (org_...).")
@click.option("--name", default="CLI client", show_default=True)
@click.option("--mode", type=click.Choice(MODES), default="test", show_default=True)
@click.option(
    "--scopes",
    "scopes_text",
    default=",".join(SCOPES),
    help="Comma-separated scopes  [default: all]",
)
@json_option
def clients_create(org_id, name, mode, scopes_text, as_json) -> None:
    """Register an OAuth client; its secret is shown this once."""
    try:
        scopes = parse_scopes(scopes_text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--scopes") from error
    _, database = _open()
    with UnitOfWork(database.session_factory) as uow:
        if uow.organizations.get(org_id) is None:
            raise click.ClickException(f"No organization {org_id}.")
        issued = issue_client(uow, org_id, name=name, mode=mode, scopes=scopes)
        uow.commit()
    data = {**_client_json(issued.record), "clientSecret": issued.secret}
    text = (
        f"Registered {issued.record.mode}-mode OAuth client for {org_id}.\n"
        f"  client_id:     {issued.record.id}\n  client_secret: {issued.secret}\n"
        "The secret is shown only now; keep it safe."
    )
    _emit(as_json, data, text)


@clients.command("list")
@click.option("--org", "org_id", required=True)
@json_option
def clients_list(org_id: str, as_json: bool) -> None:
    """List an organization's OAuth clients (never their secrets)."""
    _, database = _open()
    with UnitOfWork(database.session_factory) as uow:
        # Print before leaving: the unit of work's rollback expires what it loaded.
        found = uow.oauth_clients.list_for(org_id)
        lines = "\n".join(f"{c.id}  {c.mode:4}  {c.status:8}  {c.name}" for c in found)
        _emit(as_json, [_client_json(c) for c in found], lines or f"No clients for {org_id}.")


@clients.command("revoke")
@click.argument("client_id")
@json_option
def clients_revoke(client_id: str, as_json: bool) -> None:
    """Revoke a client; its tokens are refused from the next request on."""
    _, database = _open()
    with UnitOfWork(database.session_factory) as uow:
        client = uow.oauth_clients.get(client_id)
        if client is None:
            raise click.ClickException(f"No OAuth client {client_id}.")
        if client.status != "revoked":
            client.status, client.revoked_at = "revoked", utcnow()
        uow.commit()
    _emit(as_json, _client_json(client), f"Revoked {client_id}.")


@main.group("jwt")
def jwt_keys() -> None:
    """The RS256 keys that sign access tokens."""


@jwt_keys.command("rotate")
@json_option
def jwt_rotate(as_json: bool) -> None:
    """Make a new signing key; the previous ones verify until their tokens expire."""
    settings, database = _open()
    keys = token_service(settings, database, Keyring(settings.resolved_secret_key())).keys
    with UnitOfWork(database.session_factory) as uow:
        record = keys.rotate(uow)
        uow.commit()
    data = {"kid": record.id, "createdAt": rfc3339(record.created_at)}
    _emit(
        as_json,
        data,
        f"New signing key {record.id}; earlier keys verify until their tokens expire.",
    )


@main.group()
def tokens() -> None:
    """Refresh tokens, token families and revoked access tokens."""


@tokens.command("purge")
@json_option
def tokens_purge(as_json: bool) -> None:
    """Delete token rows that can no longer affect a request; run it daily (README)."""
    settings, database = _open()
    # A day past the last moment any of these tokens could still be accepted.
    margin = timedelta(
        days=1, seconds=settings.access_token_ttl_seconds + settings.jwt_leeway_seconds
    )
    with UnitOfWork(database.session_factory) as uow:
        purged = uow.tokens.purge(utcnow() - margin)
        uow.commit()
    data = {
        "refreshTokens": purged.refresh_tokens,
        "families": purged.families,
        "revokedAccessTokens": purged.revoked_access_tokens,
    }
    _emit(
        as_json,
        data,
        f"Deleted {purged.refresh_tokens} refresh tokens, {purged.families} token families "
        f"and {purged.revoked_access_tokens} revoked access tokens.",
    )


@main.group()
def idempotency() -> None:
    """Stored answers of POST requests sent with an Idempotency-Key."""


@idempotency.command("purge")
@json_option
def idempotency_purge(as_json: bool) -> None:
    """Delete expired idempotency keys (older than GATEHOUSE_IDEMPOTENCY_TTL); run it daily."""
    _settings, database = _open()
    with UnitOfWork(database.session_factory) as uow:
        deleted = uow.idempotency.purge_expired(utcnow())
        uow.commit()
    _emit(as_json, {"deleted": deleted}, f"Deleted {deleted} expired idempotency keys.")


@main.group()
def usage() -> None:
    """Per-request usage records (the organization's usage reports)."""


@usage.command("prune")
@json_option
def usage_prune(as_json: bool) -> None:
    """Delete usage records older than GATEHOUSE_USAGE_RETENTION_DAYS; API processes
    also do it hourly, so this is for deployments that want it on a schedule."""
    settings, database = _open()
    deleted = prune_records(database, settings.usage_retention_days, utcnow().date())
    _emit(
        as_json,
        {"deleted": deleted, "retentionDays": settings.usage_retention_days},
        f"Deleted {deleted} usage records older than {settings.usage_retention_days} days.",
    )


def _new_org(uow: UnitOfWork, name: str, plan: str = "free") -> Organization:
    org = Organization(id=new_id("org"), name=name, plan=plan, created_at=utcnow())
    uow.organizations.add(org)
    return org


def _demo(uow: UnitOfWork, keyring: Keyring) -> IssuedKey:
    # Every tier, so that a newcomer can try all of them (IP allowlists are enterprise's).
    org = _new_org(uow, "Demo organization", "enterprise")
    uow.session.flush()
    return keyring.issue(uow, org.id, name="Demo key", mode="test", tier="free")


def _announce(issued: IssuedKey, host: str, port: int) -> None:
    base = f"http://{host}:{port}"
    command = (
        f"GATEHOUSE_API_KEY={shlex.quote(issued.key)} "
        f"GATEHOUSE_API_SECRET={shlex.quote(issued.secret)} "
        f"python3 scripts/signed_request.py GET {base}/api/v1/products"
    )
    click.echo(
        f"\nFirst start: created the demo organization {issued.record.organization_id}\n"
        f"and a test-mode API key {issued.record.id}:\n"
        f"  key:    {issued.key}\n"
        f"  secret: {issued.secret}\n"
        "The secret is shown only now (it is stored encrypted).\n\n"
        f"Make a signed request:\n  {command}\n\n"
        f"Reference and guides: {base}/docs/   Swagger UI: {base}/api/v1/ui\n"
        f"Health: {base}/api/health\n",
        file=sys.stdout,
    )


def _org_json(org: Organization) -> dict:
    return {"id": org.id, "name": org.name, "plan": org.plan, "createdAt": rfc3339(org.created_at)}


def _client_json(record) -> dict:
    return {
        "id": record.id,
        "organizationId": record.organization_id,
        "name": record.name,
        "mode": record.mode,
        "status": record.status,
        "scopes": list(record.scopes),
        "createdAt": rfc3339(record.created_at),
        "revokedAt": rfc3339(record.revoked_at) if record.revoked_at else None,
        "rateLimit": record.rate_limit_per_hour,
    }


def _key_json(record) -> dict:
    return {
        "id": record.id,
        "organizationId": record.organization_id,
        "name": record.name,
        "prefix": record.prefix,
        "mode": record.mode,
        "tier": record.tier,
        "status": record.status,
        "scopes": list(record.scopes),
        "ipAllowlist": record.ip_allowlist,
        "createdAt": rfc3339(record.created_at),
        "expiresAt": rfc3339(record.expires_at) if record.expires_at else None,
        "lastUsedAt": rfc3339(record.last_used_at) if record.last_used_at else None,
        "rateLimit": record.rate_limit_per_hour,
    }


@main.group("limits")
def rate_limits() -> None:
    """A credential's own hourly rate limit, replacing its tier's."""


@rate_limits.command("set")
@click.argument("credential_id")
@click.argument("per_hour")
@json_option
def limits_set(credential_id: str, per_hour: str, as_json: bool) -> None:
    """Set the hourly limit of a key (key_...), OAuth client (cli_...) or person (usr_...).

    PER_HOUR is a number of requests, or `tier` to go back to the tier's quota.
    """
    if per_hour != "tier" and not (per_hour.isdigit() and 1 <= int(per_hour) <= 1_000_000):
        raise click.BadParameter("a number from 1 to 1000000, or `tier`", param_hint="PER_HOUR")
    value = None if per_hour == "tier" else int(per_hour)
    _, database = _open()
    with UnitOfWork(database.session_factory) as uow:
        repository = {"key": uow.api_keys, "cli": uow.oauth_clients, "usr": uow.users}.get(
            credential_id.split("_", 1)[0]
        )
        record = repository.get(credential_id) if repository is not None else None
        if record is None:
            raise click.ClickException(f"No API key, OAuth client or person {credential_id}.")
        record.rate_limit_per_hour = value
        uow.commit()
    data = {"id": credential_id, "rateLimit": value}
    _emit(as_json, data, f"{credential_id}: {per_hour} requests per hour.")


@main.group()
def users() -> None:
    """People (portal accounts) and their roles in organizations."""


@users.command("add")
@click.option("--org", "org_id", required=True, help="The organization's id (org_...).")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default=None, help="For a new person (default: the address's local part).")
@json_option
def users_add(org_id: str, email: str, role: str, name: str | None, as_json: bool) -> None:
    """Give a person a role in an organization; a new person is mailed an invitation."""
    settings, database = _open()
    people = people_services(settings)
    with UnitOfWork(database.session_factory) as uow:
        try:
            added = grant_role(uow, people, org_id, email, role, name)
        except (LookupError, ValueError) as error:
            raise click.ClickException(str(error)) from error
        uow.commit()
    if added.invitation is not None:
        people.mailer.send(added.invitation)
    data = {
        "userId": added.user.id,
        "email": added.user.email,
        "organizationId": org_id,
        "role": added.membership.role,
        "invited": added.invitation is not None,
    }
    text = f"{added.user.email} ({added.user.id}) is {role} of {org_id}." + (
        "\nAn invitation to choose a password was mailed." if added.invitation else ""
    )
    _emit(as_json, data, text)


@users.command("list")
@click.option("--org", "org_id", required=True)
@json_option
def users_list(org_id: str, as_json: bool) -> None:
    """List an organization's people and their roles."""
    _, database = _open()
    with UnitOfWork(database.session_factory) as uow:
        found = [(uow.users.get(m.user_id), m) for m in uow.users.members_of(org_id)]
        data = [{"userId": u.id, "email": u.email, "role": m.role} for u, m in found]
        lines = "\n".join(f"{u.id}  {m.role:9}  {u.email}" for u, m in found)
        _emit(as_json, data, lines or f"No people in {org_id}.")
