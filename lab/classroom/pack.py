"""The offline pack: every image the workshop needs in one tar, for a venue without Wi-Fi.

`pack` streams Docker's own save format (the same as `docker save a b > pack.tar`) to a
file with a progress bar; `unpack` streams it back into Docker (`docker load` works too).
"""

from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from lab.classroom.pulling import needed_images, pull_missing, ryuk_disabled, ryuk_image
from lab.errors import WorkshopError
from lab.servers.containers import docker_client

CHUNK = 1024 * 1024
DEFAULT_PACK = "tcmagic-images.tar"


def _progress(console: Console) -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    return Progress(*columns, console=console)


def save_stream(client: docker.DockerClient, images: list[str]) -> Iterator[bytes]:
    """The tar of `images` as Docker saves them together (shared layers stored once)."""
    url = f"{client.api.base_url}/v{client.api.api_version}/images/get"
    response = client.api.get(url, params=[("names", image) for image in images], stream=True)
    if response.status_code != 200:
        raise WorkshopError(
            f"Docker refused to save {', '.join(images)} ({response.status_code}: {response.text.strip()[:120]}): "
            "check `docker images`, then try again."
        )
    return response.iter_content(CHUNK)


def pack(out_path: Path, console: Console, images: list[str] | None = None) -> list[str]:
    """Save `images` (default: every image the workshop needs) into `out_path`; return them."""
    client = docker_client()
    if not images and ryuk_disabled():
        console.print(
            f"note: {ryuk_image()} is left out because Ryuk is disabled here; unset "
            "TESTCONTAINERS_RYUK_DISABLED to pack it for participants who keep Ryuk on.",
            markup=False, highlight=False,
        )
    images = images or needed_images()
    for error in pull_missing(client, images, console).values():
        raise error
    expected = sum(client.images.get(image).attrs.get("Size", 0) for image in images)
    partial = out_path.with_name(out_path.name + ".partial")
    try:
        with _progress(console) as progress, partial.open("wb") as out:
            task = progress.add_task(f"save {len(images)} image(s)", total=expected or None)
            for chunk in save_stream(client, images):
                out.write(chunk)
                progress.advance(task, len(chunk))
            progress.update(task, total=out.tell(), completed=out.tell())
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise WorkshopError(
            f"Could not write {out_path} ({error.strerror}): choose another --out path with free space."
        ) from error
    partial.replace(out_path)
    size = out_path.stat().st_size / 1e6
    console.print(f"packed {', '.join(images)} into {out_path} ({size:.0f} MB)", markup=False, highlight=False)
    console.print(f"at the venue: python3 workshop.py unpack {out_path}", markup=False, highlight=False)
    return images


def _chunks(path: Path, progress: Progress, task) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            progress.advance(task, len(chunk))
            yield chunk


def loaded_names(events: Iterator[dict]) -> list[str]:
    """The image names (or ids) Docker reports in its `load` stream."""
    names = []
    for event in events:
        if "errorDetail" in event:
            raise WorkshopError(event["errorDetail"].get("message", "load failed"))
        for line in event.get("stream", "").splitlines():
            for prefix in ("Loaded image: ", "Loaded image ID: "):
                if line.startswith(prefix):
                    names.append(line[len(prefix):].strip())
    return names


def unpack(path: Path, console: Console) -> list[str]:
    """Load every image in the pack at `path` into Docker; return their names."""
    if not path.is_file():
        raise WorkshopError(f"There is no pack at {path}: give the path of the tar made by `python3 workshop.py pack`.")
    client = docker_client()
    try:
        with _progress(console) as progress:
            task = progress.add_task(f"load {path.name}", total=path.stat().st_size)
            names = loaded_names(client.api.load_image(_chunks(path, progress, task), quiet=True))
    except (docker.errors.DockerException, WorkshopError) as error:
        raise WorkshopError(
            f"Docker could not load {path} ({str(error)[:120]}): make it again with `python3 workshop.py pack`."
        ) from error
    console.print(f"loaded {', '.join(names)}", markup=False, highlight=False)
    return names
