"""TokenService: the one place that mints, rotates, decodes and revokes tokens.

An access token is a JWT signed RS256; a refresh token is opaque, single use,
stored as its SHA-256 and grouped with its predecessors and successors in a
family (`TokenFamily`). Access tokens name their family in the `sid` claim,
so revoking the family refuses them too. The OAuth handlers (client
credentials) and the people accounts (login, refresh, logout) both call here.

The caller owns the unit of work and commits after `issue`, `refresh` and
`revoke`, with one exception: when a spent refresh token is presented again,
`refresh` commits the family's revocation itself before raising, since the
revocation must outlive the failed request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from gatehouse.jwt_keys import SigningKeys
from gatehouse.settings import Settings
from storage import Database, UnitOfWork
from storage.clock import utcnow
from storage.ids import new_id
from storage.keys import Keyring
from storage.models import RefreshToken, TokenFamily

ALGORITHM = "RS256"
REFRESH_TOKEN_TTL = timedelta(days=30)
REFRESH_PREFIX = "rt_"
REQUIRED_CLAIMS = ("sub", "org", "scope", "mode", "iat", "exp", "jti", "iss", "aud", "sid")


class InvalidGrant(Exception):
    """The refresh token (or the grant it stands for) is not usable: RFC 6749 invalid_grant."""


class InvalidScope(Exception):
    """More scopes asked for than the grant holds: RFC 6749 invalid_scope."""


class InvalidToken(Exception):
    """An access token that fails validation; the message names the cause."""


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    refresh_token: str
    expires_in: int
    scopes: list[str]

    def as_response(self) -> dict:
        """The RFC 6749 section 5.1 answer."""
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "scope": " ".join(self.scopes),
        }


def hash_token(token: str) -> str:
    # Refresh tokens are 256 random bits: a fast hash keeps a stolen table useless.
    return hashlib.sha256(token.encode()).hexdigest()


class TokenService:
    def __init__(
        self,
        keys: SigningKeys,
        *,
        issuer: str,
        audience: str,
        access_ttl: timedelta,
        leeway: timedelta = timedelta(seconds=30),
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.access_ttl = access_ttl
        self.leeway = leeway

    def issue(
        self,
        uow: UnitOfWork,
        *,
        organization_id: str,
        mode: str,
        scopes: list[str],
        client_id: str | None = None,
        user_id: str | None = None,
    ) -> TokenGrant:
        """An access token and the first refresh token of a new family."""
        if (client_id is None) == (user_id is None):
            raise ValueError("a token is issued to exactly one of a client or a user")
        family = TokenFamily(
            id=new_id("rtf"),
            organization_id=organization_id,
            client_id=client_id,
            user_id=user_id,
            mode=mode,
            scopes=list(scopes),
            created_at=utcnow(),
        )
        uow.tokens.add_family(family)
        return self._grant(uow, family, list(scopes))

    def refresh(
        self,
        uow: UnitOfWork,
        refresh_token: str,
        *,
        client_id: str | None = None,
        user_id: str | None = None,
        scopes: list[str] | None = None,
    ) -> TokenGrant:
        """Spend a refresh token for a new pair; a spent one revokes its whole family.

        `client_id`/`user_id`, when given, must be the family's holder. `scopes`
        narrows the new access token (never beyond the family's).
        """
        now = utcnow()
        record = uow.tokens.refresh_token_by_hash(hash_token(refresh_token))
        if record is None:
            raise InvalidGrant("The refresh token is not recognised.")
        family = uow.tokens.family(record.family_id)
        if (client_id is not None and family.client_id != client_id) or (
            user_id is not None and family.user_id != user_id
        ):
            raise InvalidGrant("The refresh token was not issued to this client.")
        if family.revoked_at is not None:
            raise InvalidGrant("The refresh token has been revoked.")
        if record.expires_at <= now:
            raise InvalidGrant("The refresh token has expired.")
        granted = family.scopes if scopes is None else scopes
        if not set(granted) <= set(family.scopes):
            raise InvalidScope("A refresh cannot add scopes the grant does not hold.")
        if not uow.tokens.mark_used(record.id, now):
            # Presented twice: one of the two holders is not the rightful one.
            uow.tokens.revoke_family(family.id, now)
            uow.commit()
            raise InvalidGrant(
                "The refresh token was already used; every token of its grant is now revoked."
            )
        return self._grant(uow, family, list(granted))

    def revoke(self, uow: UnitOfWork, token: str, *, client_id: str | None = None) -> None:
        """Revoke an access token, or a refresh token with its whole family.

        Unknown and invalid tokens are ignored (RFC 7009 answers 200 for them).
        With `client_id`, only that client's tokens are revoked.
        """
        now = utcnow()
        if token.startswith(REFRESH_PREFIX):
            record = uow.tokens.refresh_token_by_hash(hash_token(token))
            family = uow.tokens.family(record.family_id) if record else None
            if family is not None and client_id in (None, family.client_id):
                uow.tokens.revoke_family(family.id, now)
            return
        try:
            claims = self.decode(token)
        except InvalidToken:
            return
        if client_id in (None, claims.get("client_id")):
            expires = datetime.fromtimestamp(claims["exp"], UTC)
            # Past its expiry plus the leeway a token is refused anyway; no need to remember it.
            uow.tokens.revoke_access_token(
                claims["jti"], expires, now, forget_before=now - self.leeway
            )

    def decode(self, token: str) -> dict:
        """The claims of a well-signed, current access token for this API, or InvalidToken.

        Only the signature, algorithm, expiry, issuer and audience are checked
        here; the revocation state is the caller's (see gatehouse.bearer).
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise InvalidToken("The access token is not a well-formed JWT.") from None
        if header.get("alg") != ALGORITHM:
            raise InvalidToken(f"The access token must be signed with {ALGORITHM}.")
        kid = header.get("kid")
        key = self.keys.public_key(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("The access token's signing key (kid) is not known.")
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("The access token has expired.") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("The access token's signature does not verify.") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken("The access token is not meant for this API (aud).") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("The access token was not issued by this server (iss).") from None
        except jwt.MissingRequiredClaimError as error:
            raise InvalidToken(f"The access token lacks the {error.claim} claim.") from None
        except jwt.InvalidTokenError:
            raise InvalidToken("The access token is not valid.") from None

    def _grant(self, uow: UnitOfWork, family: TokenFamily, scopes: list[str]) -> TokenGrant:
        now = utcnow()
        refresh_token = REFRESH_PREFIX + secrets.token_urlsafe(32)
        uow.tokens.add_refresh_token(
            RefreshToken(
                id=new_id("rt"),
                family_id=family.id,
                token_hash=hash_token(refresh_token),
                created_at=now,
                expires_at=now + REFRESH_TOKEN_TTL,
            )
        )
        access_token = self._access_token(uow, family, scopes, now)
        return TokenGrant(access_token, refresh_token, int(self.access_ttl.total_seconds()), scopes)

    def _access_token(
        self, uow: UnitOfWork, family: TokenFamily, scopes: list[str], now: datetime
    ) -> str:
        kid, private_key = self.keys.signing_key(uow)
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": family.user_id or family.client_id,
            "org": family.organization_id,
            "mode": family.mode,
            "permissions": scopes,
            "scope": " ".join(scopes),
            "iat": int(now.timestamp()),
            "exp": int((now + self.access_ttl).timestamp()),
            "jti": new_id("tok"),
            "sid": family.id,
        }
        if family.client_id:
            claims["client_id"] = family.client_id
        if family.user_id:
            claims["user_id"] = family.user_id
        return jwt.encode(claims, private_key, algorithm=ALGORITHM, headers={"kid": kid})


def token_service(settings: Settings, database: Database, keyring: Keyring) -> TokenService:
    """The service as the settings configure it (the app and the CLI build it alike)."""
    ttl = timedelta(seconds=settings.access_token_ttl_seconds)
    return TokenService(
        SigningKeys(database, keyring, ttl),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        access_ttl=ttl,
        leeway=timedelta(seconds=settings.jwt_leeway_seconds),
    )
