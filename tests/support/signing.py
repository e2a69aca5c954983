"""A `requests` auth that signs the final bytes of a request the way Gatehouse expects."""

from __future__ import annotations

import time

import requests

from gatehouse.signing import sign


class SignedKeyAuth(requests.auth.AuthBase):
    def __init__(self, key: str, secret: str, clock=time.time) -> None:
        self.key = key
        self.secret = secret
        self.clock = clock

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        timestamp = str(int(self.clock()))
        request.headers["X-API-Key"] = self.key
        request.headers["X-Timestamp"] = timestamp
        request.headers["X-API-Signature"] = sign(
            self.secret, timestamp, request.method, request.path_url, body
        )
        return request
