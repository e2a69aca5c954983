"""The ceiling: a bare ASGI app answering the product GET with fixed bytes.

No authentication, database or framework: what uvicorn alone costs per
request on this machine. The bytes are the ones Gatehouse answered, so the
wire work is the same.

    BENCH_BARE_PATH=/api/v1/products/prod_... BENCH_BARE_BODY_FILE=answer.json \
      uvicorn scripts.bench.bare_asgi:create_app --factory
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def create_app():
    path = os.environ["BENCH_BARE_PATH"]
    body = Path(os.environ["BENCH_BARE_BODY_FILE"]).read_bytes()
    request_id = json.loads(body)["meta"]["requestId"].encode()
    found = {
        "type": "http.response.start",
        "status": 200,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id),
            (b"x-api-version", b"v1"),
        ],
    }
    missing = {"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]}

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return  # lifespan: nothing to start, nothing to stop
        if scope["path"] == path and scope["method"] == "GET":
            await send(found)
            await send({"type": "http.response.body", "body": body})
        else:
            await send(missing)
            await send({"type": "http.response.body", "body": b""})

    return app
