"""Outbound webhooks: URL rules, signing, sending, the outbox relay and the delivery function.

The delivery function (`delivery.deliver`) is the same whichever transport
carries a delivery id to it: RQ on Redis (`gatehouse worker`) or the
in-process runner of the embedded default (`runner.Runner`).
"""
