"""What the spec says of each documented path: the methods it accepts (for the `Allow`
header of a 405) and whether its errors take RFC 6749's shape (`x-error-format: oauth2`)."""

from __future__ import annotations

import re

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class MethodIndex:
    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], list[str]]] = []
        self._oauth_paths: set[str] = set()

    def add(self, base_path: str, document: dict) -> None:
        for template, item in document.get("paths", {}).items():
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(base_path + template))
            methods = [m.upper() for m in HTTP_METHODS if m in item]
            self._routes.append((re.compile(f"^{pattern}/?$"), methods))
            if any(item[m].get("x-error-format") == "oauth2" for m in HTTP_METHODS if m in item):
                self._oauth_paths.add(base_path + template)

    def speaks_oauth(self, path: str) -> bool:
        """True for the OAuth protocol endpoints, whose 400s are RFC 6749 errors."""
        return path.rstrip("/") in self._oauth_paths

    def allow_header(self, path: str) -> dict[str, str]:
        for pattern, methods in self._routes:
            if pattern.match(path):
                return {"Allow": ", ".join(methods)}
        return {}
