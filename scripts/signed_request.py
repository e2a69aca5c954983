#!/usr/bin/env python3
"""Send one correctly signed request to Gatehouse (standard library only).

    GATEHOUSE_API_KEY=ak_test_... GATEHOUSE_API_SECRET=sk_... \
      python3 scripts/signed_request.py GET http://127.0.0.1:8000/api/v1/products
    ... python3 scripts/signed_request.py POST http://127.0.0.1:8000/api/v1/products \
      '{"sku": "MUG-1", "name": "Mug", "price": "9.50", "currency": "EUR"}'

With GATEHOUSE_IDEMPOTENCY_KEY set, the request carries it as Idempotency-Key,
and a replayed answer is printed as `201 (replayed) {...}`.
"""

import hashlib
import hmac
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    method, url = sys.argv[1].upper(), sys.argv[2]
    body = sys.argv[3].encode() if len(sys.argv) == 4 else b""
    key, secret = os.environ["GATEHOUSE_API_KEY"], os.environ["GATEHOUSE_API_SECRET"]
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    timestamp = str(int(time.time()))
    payload = b".".join([timestamp.encode(), method.encode(), target.encode(), body])
    signature = "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    request = urllib.request.Request(url, data=body or None, method=method)  # noqa: S310
    request.add_header("X-API-Key", key)
    request.add_header("X-Timestamp", timestamp)
    request.add_header("X-API-Signature", signature)
    if body:
        request.add_header("Content-Type", "application/json")
    if os.environ.get("GATEHOUSE_IDEMPOTENCY_KEY"):
        request.add_header("Idempotency-Key", os.environ["GATEHOUSE_IDEMPOTENCY_KEY"])
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 (URL given by the user)
            replayed = response.headers.get("Idempotent-Replayed") == "true"
            print(response.status, *(["(replayed)"] if replayed else []), response.read().decode())
    except urllib.error.HTTPError as error:
        print(error.code, error.read().decode())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
