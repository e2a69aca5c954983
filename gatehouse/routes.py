"""Which methods each documented path accepts, for the `Allow` header of a 405."""

from __future__ import annotations

import re

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class MethodIndex:
    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], list[str]]] = []

    def add(self, base_path: str, document: dict) -> None:
        for template, item in document.get("paths", {}).items():
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(base_path + template))
            methods = [m.upper() for m in HTTP_METHODS if m in item]
            self._routes.append((re.compile(f"^{pattern}/?$"), methods))

    def allow_header(self, path: str) -> dict[str, str]:
        for pattern, methods in self._routes:
            if pattern.match(path):
                return {"Allow": ", ".join(methods)}
        return {}
