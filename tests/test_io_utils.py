import os
import stat
from collections.abc import Iterator

import pytest

from emotune.io_utils import atomic_dir, atomic_path, write_text_atomic


@pytest.fixture(params=[0o022, 0o027])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_an_atomic_file_gets_the_mode_of_a_plainly_created_one(tmp_path, umask) -> None:
    write_text_atomic(tmp_path / "metrics.json", "{}")
    assert stat.S_IMODE((tmp_path / "metrics.json").stat().st_mode) == 0o666 & ~umask  # not tempfile's 0600


def test_an_atomic_folder_and_its_files_get_the_modes_of_plainly_created_ones(tmp_path, umask) -> None:
    with atomic_dir(tmp_path / "model") as tmp:
        with atomic_path(tmp / "emotune.json") as part:
            part.write_text("{}")
        (tmp / "encoder").mkdir(mode=0o700)
        os.close(os.open(tmp / "encoder" / "model.safetensors", os.O_CREAT | os.O_WRONLY, 0o600))  # as safetensors
    assert stat.S_IMODE((tmp_path / "model").stat().st_mode) == 0o777 & ~umask  # not tempfile's 0700
    for name, mode in [("emotune.json", 0o666), ("encoder", 0o777), ("encoder/model.safetensors", 0o666)]:
        assert stat.S_IMODE((tmp_path / "model" / name).stat().st_mode) == mode & ~umask, name


def test_rewriting_a_file_keeps_its_mode(tmp_path) -> None:
    (tmp_path / "out.csv").write_text("old")
    (tmp_path / "out.csv").chmod(0o640)
    write_text_atomic(tmp_path / "out.csv", "new")
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o640


def test_a_failed_atomic_write_leaves_nothing(tmp_path) -> None:
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "out.csv") as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []
