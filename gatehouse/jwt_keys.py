"""RS256 signing keys: created on first use, rotated by the CLI, published as a JWKS.

Every API process reads the keys from the database, so a rotation made by one
process (or the CLI) reaches the others: the signing key is looked up on each
issue (a primary-key read), and a verifier meeting an unknown `kid` reloads.
Decrypted keys are cached per process; they never change once written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from threading import Lock

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from storage import Database, UnitOfWork
from storage.clock import utcnow
from storage.ids import new_id
from storage.keys import Keyring
from storage.models import SigningKey

KEY_BITS = 2048
# A rotated key verifies for one token lifetime plus this margin (clock skew, leeway).
ROTATION_MARGIN = timedelta(minutes=5)


class SigningKeys:
    def __init__(self, database: Database, keyring: Keyring, token_ttl: timedelta) -> None:
        self.database = database
        self.keyring = keyring
        self.token_ttl = token_ttl
        self._private: dict[str, rsa.RSAPrivateKey] = {}
        self._public: dict[str, rsa.RSAPublicKey] = {}
        self._lock = Lock()

    def signing_key(self, uow: UnitOfWork) -> tuple[str, rsa.RSAPrivateKey]:
        """The active key's id and private key, creating the first key if there is none."""
        record = uow.signing_keys.active() or self._create(uow)
        with self._lock:
            private = self._private.get(record.id)
        if private is None:
            pem = self.keyring.decrypt(record.private_key_ciphertext).encode()
            private = serialization.load_pem_private_key(pem, password=None)
            with self._lock:
                self._private[record.id] = private
        return record.id, private

    def public_key(self, kid: str) -> rsa.RSAPublicKey | None:
        """The public key named `kid`, from the cache or, when unknown, the database."""
        with self._lock:
            known = self._public.get(kid)
        if known is not None:
            return known
        with UnitOfWork(self.database.session_factory) as uow:
            record = uow.signing_keys.get(kid)
            if record is None:
                return None
            public = serialization.load_pem_public_key(record.public_key_pem.encode())
        with self._lock:
            self._public[kid] = public
        return public

    def rotate(self, uow: UnitOfWork) -> SigningKey:
        """A new active key; the previous ones verify until their last token expires."""
        now = utcnow()
        uow.signing_keys.rotate_out(now, now + self.token_ttl + ROTATION_MARGIN)
        return self._create(uow, now)

    def jwks(self, uow: UnitOfWork, now: datetime | None = None) -> dict:
        """The JSON Web Key Set of every key whose tokens may still be valid."""
        keys = []
        for record in uow.signing_keys.verifying(now or utcnow()):
            public = serialization.load_pem_public_key(record.public_key_pem.encode())
            jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
            jwk.pop("key_ops", None)  # RFC 7517 4.3: `use` and `key_ops` should not both appear
            keys.append({**jwk, "kid": record.id, "use": "sig", "alg": "RS256"})
        return {"keys": keys}

    def _create(self, uow: UnitOfWork, now: datetime | None = None) -> SigningKey:
        private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        private_pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public_pem = (
            private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        record = SigningKey(
            id=new_id("jwk"),
            private_key_ciphertext=self.keyring.encrypt(private_pem),
            public_key_pem=public_pem,
            created_at=now or utcnow(),
        )
        uow.signing_keys.add(record)
        uow.session.flush()
        return record
