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


def run_reporting(work, console, *, stopped: str, failed: str = "") -> int:
    """Run an entry point's `work` and return its exit code; a WorkshopError or Ctrl-C ends it in one line.

    A WorkshopError prints `failed` in bold red, then the error's sentence (with no `failed`, the
    sentence itself in bold red) and returns 1; Ctrl-C prints `stopped` and returns 130.
    """
    from rich.text import Text  # only here: the venv repair imports this module before rich is installed

    try:
        return work()
    except WorkshopError as error:
        line = Text.assemble((failed, "bold red"), f" {error}") if failed else Text(str(error), style="bold red")
        console.print(line)
        return 1
    except KeyboardInterrupt:
        console.print(stopped)
        return 130
