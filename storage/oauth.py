"""OAuth clients, refresh-token families, revoked access tokens and JWT signing keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from storage.models import (
    OAuthClient,
    RefreshToken,
    RevokedAccessToken,
    SigningKey,
    TokenFamily,
)
from storage.paging import Page, paginate


class OAuthClientRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, client: OAuthClient) -> None:
        self.session.add(client)

    def get(self, client_id: str) -> OAuthClient | None:
        return self.session.get(OAuthClient, client_id)

    def get_for(self, organization_id: str, client_id: str) -> OAuthClient | None:
        """The client, if it belongs to the organization: another's is as missing as none."""
        return self.session.scalar(
            select(OAuthClient).where(
                OAuthClient.organization_id == organization_id, OAuthClient.id == client_id
            )
        )

    def search(self, organization_id: str, *, page: int, per_page: int) -> Page[OAuthClient]:
        statement = (
            select(OAuthClient)
            .where(OAuthClient.organization_id == organization_id)
            .order_by(OAuthClient.created_at.desc(), OAuthClient.id.desc())
        )
        return paginate(self.session, statement, page=page, per_page=per_page)

    def list_for(self, organization_id: str) -> list[OAuthClient]:
        statement = (
            select(OAuthClient)
            .where(OAuthClient.organization_id == organization_id)
            .order_by(OAuthClient.id)
        )
        return list(self.session.scalars(statement))


@dataclass(frozen=True)
class Purged:
    refresh_tokens: int
    families: int
    revoked_access_tokens: int


class TokenRepository:
    """Refresh-token families and their tokens, and access tokens revoked early."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_family(self, family: TokenFamily) -> None:
        self.session.add(family)
        # The models declare no relationships, so the flush order must be made here:
        # the family's row exists before its tokens reference it.
        self.session.flush()

    def add_refresh_token(self, token: RefreshToken) -> None:
        self.session.add(token)

    def family(self, family_id: str) -> TokenFamily | None:
        return self.session.get(TokenFamily, family_id)

    def refresh_token_by_hash(self, token_hash: str) -> RefreshToken | None:
        return self.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash)
        )

    def mark_used(self, token_id: str, moment: datetime) -> bool:
        """Spend a refresh token; False if it was already spent (by this or another process)."""
        result = self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
            .values(used_at=moment)
        )
        return result.rowcount == 1

    def revoke_family(self, family_id: str, moment: datetime) -> None:
        self.session.execute(
            update(TokenFamily)
            .where(TokenFamily.id == family_id, TokenFamily.revoked_at.is_(None))
            .values(revoked_at=moment)
        )

    def revoke_access_token(
        self, jti: str, expires_at: datetime, moment: datetime, *, forget_before: datetime
    ) -> None:
        """Record the revocation, forgetting those of tokens expired before `forget_before`.

        Those are refused for their expiry anyway, so the table stays small.
        """
        self.session.execute(
            delete(RevokedAccessToken).where(RevokedAccessToken.expires_at < forget_before)
        )
        if self.session.get(RevokedAccessToken, jti) is None:
            self.session.add(RevokedAccessToken(jti=jti, expires_at=expires_at, revoked_at=moment))

    def access_token_revoked(self, jti: str) -> bool:
        return self.session.get(RevokedAccessToken, jti) is not None

    def purge(self, dead_before: datetime) -> Purged:
        """Delete what can no longer affect a request: rows of tokens dead before `dead_before`.

        - refresh tokens that expired before it, whether used or not (presenting
          one answers "not recognised" instead of "expired", and a used one no
          longer revokes its family: the family is past its last access token);
        - families with no refresh token left, made before it (an access token is
          minted only beside a refresh token, so none of theirs is valid);
        - revocations of access tokens that expired before it.
        The caller picks `dead_before` at least an access token's lifetime and the
        JWT leeway ago (`gatehouse tokens purge`: that and a day more), so that a
        family's last access token is surely expired when its refresh tokens are.
        """
        refresh = self.session.execute(
            delete(RefreshToken).where(RefreshToken.expires_at < dead_before)
        ).rowcount
        families = self.session.execute(
            delete(TokenFamily).where(
                TokenFamily.created_at < dead_before,
                ~exists().where(RefreshToken.family_id == TokenFamily.id),
            )
        ).rowcount
        revoked = self.session.execute(
            delete(RevokedAccessToken).where(RevokedAccessToken.expires_at < dead_before)
        ).rowcount
        return Purged(refresh_tokens=refresh, families=families, revoked_access_tokens=revoked)


class SigningKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, key: SigningKey) -> None:
        self.session.add(key)

    def get(self, kid: str) -> SigningKey | None:
        return self.session.get(SigningKey, kid)

    def active(self) -> SigningKey | None:
        """The key that signs: the newest not yet rotated out."""
        return self.session.scalar(
            select(SigningKey)
            .where(SigningKey.rotated_at.is_(None))
            .order_by(SigningKey.created_at.desc(), SigningKey.id.desc())
            .limit(1)
        )

    def verifying(self, now: datetime) -> list[SigningKey]:
        """Every key whose tokens may still be valid: the JWKS."""
        statement = (
            select(SigningKey)
            .where(SigningKey.verify_until.is_(None) | (SigningKey.verify_until > now))
            .order_by(SigningKey.created_at.desc(), SigningKey.id.desc())
        )
        return list(self.session.scalars(statement))

    def rotate_out(self, moment: datetime, verify_until: datetime) -> None:
        """Stop every current key signing; each keeps verifying until `verify_until`."""
        self.session.execute(
            update(SigningKey)
            .where(SigningKey.rotated_at.is_(None))
            .values(rotated_at=moment, verify_until=verify_until)
        )
