"""Which images the workshop needs, and pulling them with a progress bar.

The list is lab.servers.images.IMAGES plus the Ryuk image testcontainers starts beside them
(its name comes from the installed library, so an upgrade moves the tag for us).
"""

import textwrap
import time
from dataclasses import dataclass, field

import docker
import docker.errors
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from lab.errors import ImageUnavailable
from lab.servers.images import IMAGES


def ryuk_image() -> str:
    """The Ryuk image the installed testcontainers starts (RYUK_CONTAINER_IMAGE overrides it)."""
    from testcontainers.core.config import testcontainers_config

    return testcontainers_config.ryuk_image


def ryuk_disabled() -> bool:
    """True when the user told testcontainers not to start Ryuk (TESTCONTAINERS_RYUK_DISABLED)."""
    from lab.servers.ryuk import ryuk_disabled_by_user  # a running show's own Ryuk also switches testcontainers' off

    return ryuk_disabled_by_user()


def needed_images(include_ryuk: bool | None = None) -> list[str]:
    """Every image the workshop needs: ours, then Ryuk unless it is disabled."""
    if include_ryuk is None:
        include_ryuk = not ryuk_disabled()
    names = [image.name for image in IMAGES.values()]
    return names + [ryuk_image()] if include_ryuk else names


def is_present(client: docker.DockerClient, image: str) -> bool:
    """True when `image` is in the local Docker image store."""
    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        return False
    return True


def split_reference(image: str) -> tuple[str, str]:
    """'registry:5000/repo:tag' -> ('registry:5000/repo', 'tag'); no tag means 'latest'."""
    if "@" in image:
        repository, digest = image.split("@", 1)
        return repository, digest
    repository, _, tag = image.rpartition(":")
    if not repository or "/" in tag:
        return image, "latest"
    return repository, tag


@dataclass
class LayerTally:
    """Bytes done and expected per layer, summed over one pull's stream of events."""

    current: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)

    def update(self, event: dict) -> None:
        """Fold one event of Docker's pull stream into the tally."""
        layer, detail = event.get("id"), event.get("progressDetail") or {}
        if not layer or "error" in event:
            return
        if detail.get("total"):
            self.total[layer] = detail["total"]
            self.current[layer] = detail.get("current", 0)
        elif event.get("status") in {"Download complete", "Pull complete", "Already exists"}:
            self.current[layer] = self.total.get(layer, 0)

    @property
    def done(self) -> int:
        """Bytes downloaded so far."""
        return sum(self.current.values())

    @property
    def expected(self) -> int:
        """Bytes of every layer whose size Docker has announced."""
        return sum(self.total.values())


def _short(error: Exception) -> str:
    text = getattr(error, "explanation", None) or str(error) or error.__class__.__name__
    return textwrap.shorten(str(text).strip().splitlines()[0], 100, placeholder="...")


def pull(client: docker.DockerClient, image: str, console: Console) -> float:
    """Pull `image` with a progress bar; return the seconds it took, or raise ImageUnavailable."""
    repository, tag = split_reference(image)
    started = time.perf_counter()
    tally = LayerTally()
    columns = (TextColumn("pull {task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
            task = progress.add_task(image, total=None)
            for event in client.api.pull(repository, tag=tag, stream=True, decode=True):
                if "error" in event:
                    raise docker.errors.APIError(event["error"])
                tally.update(event)
                progress.update(task, completed=tally.done, total=tally.expected or None)
    except docker.errors.DockerException as error:
        raise ImageUnavailable(
            f"Could not pull {image} ({_short(error)}): check the network, or load the "
            "images from a USB stick with `python3 workshop.py unpack FILE`."
        ) from error
    seconds = time.perf_counter() - started
    console.print(f"pulled {image} in {seconds:.1f} s")
    return seconds


def pull_missing(client: docker.DockerClient, images: list[str], console: Console) -> dict[str, ImageUnavailable]:
    """Pull each image that is not present yet, going on past a failure; {image: why} for each that failed."""
    failures = {}
    for image in images:
        if not is_present(client, image):
            try:
                pull(client, image, console)
            except ImageUnavailable as error:
                failures[image] = error
    return failures
