"""SDK and Postman downloads at /docs/downloads/{artifact}: real files an integrator takes away.

The SDK trees are `make sdk`'s output (sdk/generated/<language>/, not
committed); each is served as a zip built from the tree, deterministic (sorted
names, fixed timestamps and modes: the same tree gives the same bytes) and
cached per process by the tree's input stamp, so it is rebuilt only when
`make sdk` produced something new. The Postman environment is a committed
file. Until the SDKs are generated the answer is 404, saying so.
"""

from __future__ import annotations

import io
import threading
import zipfile
from pathlib import Path

from flask import Response

from gatehouse.errors import ApiError

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "sdk" / "generated"
STAMP = GENERATED / ".inputs"  # scripts.sdk.STAMP: the digest of the inputs of this output
LANGUAGES = ("python", "typescript", "php", "ruby")
ZIPS = {f"gatehouse-{language}-sdk.zip": language for language in LANGUAGES}
COLLECTION, ENVIRONMENT = "gatehouse.postman_collection.json", "gatehouse.postman_environment.json"
FILES = {
    COLLECTION: GENERATED / "postman" / COLLECTION,
    ENVIRONMENT: ROOT / "sdk" / "postman" / ENVIRONMENT,  # committed: always there
}
ARTIFACTS = (*ZIPS, *FILES)
# Build output a tool may leave beside the sources: never part of a download.
SKIPPED = frozenset({"node_modules", "__pycache__", ".git", "vendor", ".bundle", "dist"})
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can say
_cache: dict[str, tuple[str, bytes]] = {}
_lock = threading.Lock()


def get_download(artifact: str):
    if artifact in ZIPS:
        body, media_type = _zip(ZIPS[artifact]), "application/zip"
    else:
        body, media_type = _file(FILES[artifact]), "application/json"
    headers = {
        "Content-Disposition": f'attachment; filename="{artifact}"',
        "Cache-Control": "no-cache",
    }
    # A Response as it is: Connexion would otherwise serialize a JSON answer again.
    return Response(body, status=200, content_type=media_type, headers=headers)


def available() -> bool:
    """Whether `make sdk` has written its output here."""
    return STAMP.is_file()


def _missing() -> ApiError:
    return ApiError(
        404,
        "The SDKs and the Postman collection have not been generated on this server: "
        "`make sdk` builds them (`make run` does it before serving).",
    )


def _file(path: Path) -> bytes:
    if not path.is_file():
        raise _missing()
    return path.read_bytes()


def _zip(language: str) -> bytes:
    tree = GENERATED / language
    if not (available() and tree.is_dir()):
        raise _missing()
    stamp = STAMP.read_text()
    with _lock:
        cached = _cache.get(language)
        if cached is None or cached[0] != stamp:
            cached = _cache[language] = (stamp, zip_tree(tree, f"gatehouse-{language}-sdk"))
        return cached[1]


def zip_tree(tree: Path, top: str) -> bytes:
    """The files under `tree` in a zip, under the folder `top`, the same bytes every time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(tree.rglob("*")):
            relative = path.relative_to(tree)
            if not path.is_file() or SKIPPED.intersection(relative.parts):
                continue
            info = zipfile.ZipInfo(f"{top}/{relative.as_posix()}", date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()
