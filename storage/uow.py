"""The unit of work owns the transaction: leave it without commit() and it rolls back."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from storage.accounts import ApiKeyRepository, OrganizationRepository
from storage.audit import AuditRepository, pending_audit
from storage.clock import utcnow
from storage.customers import CustomerRepository
from storage.database import current_database
from storage.events import EventRepository
from storage.idempotency import IdempotencyRepository
from storage.inventory import InventoryRepository
from storage.oauth import OAuthClientRepository, SigningKeyRepository, TokenRepository
from storage.orders import OrderRepository
from storage.payments import PaymentRepository
from storage.products import ProductRepository
from storage.support import SupportRequestRepository
from storage.usage import UsageRepository
from storage.users import UserRepository
from storage.webhooks import WebhookRepository


class UnitOfWork:
    session: Session
    organizations: OrganizationRepository
    api_keys: ApiKeyRepository
    products: ProductRepository
    usage: UsageRepository
    oauth_clients: OAuthClientRepository
    tokens: TokenRepository
    signing_keys: SigningKeyRepository
    users: UserRepository
    events: EventRepository
    inventory: InventoryRepository
    idempotency: IdempotencyRepository
    customers: CustomerRepository
    orders: OrderRepository
    payments: PaymentRepository
    webhooks: WebhookRepository
    audit: AuditRepository
    support_requests: SupportRequestRepository

    def __init__(self, session_factory: sessionmaker) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.organizations = OrganizationRepository(self.session)
        self.api_keys = ApiKeyRepository(self.session)
        self.products = ProductRepository(self.session)
        self.usage = UsageRepository(self.session)
        self.oauth_clients = OAuthClientRepository(self.session)
        self.tokens = TokenRepository(self.session)
        self.signing_keys = SigningKeyRepository(self.session)
        self.users = UserRepository(self.session)
        self.events = EventRepository(self.session)
        self.inventory = InventoryRepository(self.session)
        self.idempotency = IdempotencyRepository(self.session)
        self.customers = CustomerRepository(self.session)
        self.orders = OrderRepository(self.session)
        self.payments = PaymentRepository(self.session)
        self.webhooks = WebhookRepository(self.session)
        self.audit = AuditRepository(self.session)
        self.support_requests = SupportRequestRepository(self.session)
        return self

    def __exit__(self, *exc_info) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        # The audit event of the action under way, if any, commits with it or not at all.
        pending = pending_audit()
        staged = self.audit.stage(pending, utcnow())
        self.session.commit()
        if staged is not None:
            pending.written_id = staged.id


def unit_of_work() -> UnitOfWork:
    """A unit of work on the database bound to the current request or command."""
    return UnitOfWork(current_database().session_factory)
