"""Errors a user can meet. Each message is one sentence that says what to do.

Entry scripts catch WorkshopError and print its message instead of a traceback.
"""


class WorkshopError(RuntimeError):
    """A failure a user can fix; str(error) is the sentence to show them."""


class DockerUnavailable(WorkshopError):
    """Docker is not reachable from this process."""


class ImageUnavailable(WorkshopError):
    """An image is neither present nor pullable."""


class StartupFailed(WorkshopError):
    """A container started but never became ready, or could not be created."""
