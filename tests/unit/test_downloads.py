"""gatehouse.downloads without a server: the zip is deterministic, and a server without
generated SDKs says how to build them."""

from __future__ import annotations

import io
import zipfile

import pytest

from gatehouse import downloads
from gatehouse.errors import ApiError


def _tree(root):
    (root / "pkg").mkdir(parents=True)
    (root / "README.md").write_text("# SDK\n")
    (root / "pkg" / "client.py").write_text("print('hi')\n")
    (root / "node_modules" / "dep").mkdir(parents=True)
    (root / "node_modules" / "dep" / "index.js").write_text("junk")
    return root


def test_the_zip_holds_the_tree_under_one_folder_without_build_output(tmp_path):
    archive = zipfile.ZipFile(io.BytesIO(downloads.zip_tree(_tree(tmp_path / "t"), "sdk")))
    assert archive.namelist() == ["sdk/README.md", "sdk/pkg/client.py"]
    assert archive.read("sdk/pkg/client.py") == b"print('hi')\n"


def test_the_same_tree_gives_the_same_bytes_whenever_it_was_written(tmp_path):
    first = downloads.zip_tree(_tree(tmp_path / "a"), "sdk")
    second = _tree(tmp_path / "b")
    (second / "README.md").touch()  # another modification time
    assert downloads.zip_tree(second, "sdk") == first


@pytest.mark.parametrize("artifact", ["gatehouse-python-sdk.zip", downloads.COLLECTION])
def test_before_make_sdk_the_answer_is_404_naming_it(monkeypatch, tmp_path, artifact):
    monkeypatch.setattr(downloads, "GENERATED", tmp_path)
    monkeypatch.setattr(downloads, "STAMP", tmp_path / ".inputs")
    monkeypatch.setitem(downloads.FILES, downloads.COLLECTION, tmp_path / "none.json")
    with pytest.raises(ApiError) as refused:
        downloads.get_download(artifact)
    assert refused.value.status == 404
    assert "`make sdk`" in refused.value.message


def test_the_environment_is_always_there():
    answer = downloads.get_download(downloads.ENVIRONMENT)
    assert answer.status_code == 200 and b"gatehouseUrl" in answer.get_data()
    assert answer.content_type == "application/json"
