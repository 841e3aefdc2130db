"""The offline pack, as a round trip through Docker (with a test-only tag of the small Redis image)."""

import tarfile

import docker.errors
import pytest

from lab.classroom.cli import pack_command, unpack_command

pytestmark = pytest.mark.docker


@pytest.mark.slow
def test_pack_then_unpack_brings_a_removed_image_back(docker_client_for_test, test_tag, tmp_path, console):
    pack_file = tmp_path / "pack.tar"

    assert pack_command(pack_file, console, [test_tag]) == 0
    docker_client_for_test.images.remove(test_tag)
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client_for_test.images.get(test_tag)
    assert unpack_command(pack_file, console) == 0

    assert test_tag in docker_client_for_test.images.get(test_tag).tags
    assert tarfile.is_tarfile(pack_file)  # Docker's save format: `docker load -i` works too
    text = console.file.getvalue()
    assert f"packed {test_tag} into {pack_file} (" in text
    assert f"loaded {test_tag}" in text
    assert not (tmp_path / "pack.tar.partial").exists()


def test_unpacking_a_missing_or_broken_file_is_one_sentence(tmp_path, console):
    broken = tmp_path / "broken.tar"
    broken.write_bytes(b"not a tar")

    assert unpack_command(tmp_path / "absent.tar", console) == 1
    assert unpack_command(broken, console) == 1

    flat = " ".join(console.file.getvalue().split())  # each sentence wraps at words on a narrow terminal
    missing = f"There is no pack at {tmp_path / 'absent.tar'}: give the path of the tar made by `python3 workshop.py pack`."
    assert flat.startswith(missing + " ")
    assert f" Docker could not load {broken} (" in flat[len(missing):]  # after the progress bar of the load
    assert flat.endswith("): make it again with `python3 workshop.py pack`.")


def test_packing_an_image_that_cannot_be_had_fails_without_leaving_a_file(tmp_path, console):
    pack_file = tmp_path / "pack.tar"

    assert pack_command(pack_file, console, ["tcmagic-absent.invalid/nothing:0"]) == 1

    assert "Could not pull tcmagic-absent.invalid/nothing:0" in console.file.getvalue()
    assert list(tmp_path.iterdir()) == []
