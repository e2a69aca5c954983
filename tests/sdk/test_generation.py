"""`make sdk` is reproducible: a second generation from the same inputs is byte for byte the same.

Nothing generated is committed (sdk/generated/ is build output): every SDK test
runs on trees generated from the spec as it is, so they cannot drift from it.
"""

import hashlib
from pathlib import Path

from scripts import sdk


def digest(tree: Path) -> dict[str, str]:
    return {
        str(path.relative_to(tree)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(tree.rglob("*"))
        if path.is_file() and path.name != sdk.STAMP
    }


def test_generating_again_gives_the_same_trees(sdk_tree, tmp_path):
    sdk.generate(tmp_path / "again")
    first, second = digest(sdk_tree), digest(tmp_path / "again")
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    for language in (*sdk.LANGUAGES, "postman"):
        assert any(name.startswith(f"{language}/") for name in first), language
