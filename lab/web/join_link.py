"""Where the audience's phones reach the show, and the QR code that takes them there.

The URL comes from GitHub Codespaces' forwarding when running in a codespace, else from
--public-url, else from this machine's LAN address. Everything here is a pure function
of its arguments (the environment is passed in), so it is tested without a network.
"""

import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

import qrcode
import qrcode.constants

from lab.classroom.codespaces import make_public_command

VOTE_PATH = "/qr"


def codespace_base_url(port: int, environ: Mapping[str, str]) -> str | None:
    """The forwarded https URL of `port` in a codespace, or None outside one."""
    name = environ.get("CODESPACE_NAME")
    domain = environ.get("GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN")
    if not (name and domain):
        return None
    return f"https://{name}-{port}.{domain}"


def codespace_visibility_command(port: int, environ: Mapping[str, str]) -> str | None:
    """The command that makes `port` public in a codespace (a private port turns phones away)."""
    if not codespace_base_url(port, environ):
        return None
    return " ".join(make_public_command(port, environ["CODESPACE_NAME"]))


def lan_address() -> str:
    """This machine's address on its LAN, as phones on the same Wi-Fi would reach it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: picks the outgoing interface, sends nothing
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def base_url(port: int, public_url: str | None, environ: Mapping[str, str], lan: str | None = None) -> str:
    """The show's base URL for the audience: Codespaces, else --public-url, else the LAN address."""
    forwarded = codespace_base_url(port, environ)
    if forwarded:
        return forwarded
    if public_url:
        return public_url.strip().rstrip("/")
    return f"http://{lan or lan_address()}:{port}"


def vote_url(base: str) -> str:
    """The mobile vote page the QR code points to."""
    return base.rstrip("/") + VOTE_PATH


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, as browsers send it in the Origin header."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def allowed_origins(base: str, port: int) -> list[str]:
    """Origins allowed to open a Socket.IO connection: the audience URL and the presenter's own machine."""
    origins = [origin_of(base), f"http://localhost:{port}", f"http://127.0.0.1:{port}"]
    return list(dict.fromkeys(origins))


def qr_matrix(text: str, border: int = 2) -> list[list[bool]]:
    """The QR code of `text` as rows of dark (True) and light (False) modules, quiet zone included."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border)
    code.add_data(text)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def qr_svg(matrix: list[list[bool]], module_px: int = 10) -> str:
    """An SVG drawing of a QR matrix: one path, crisp at any projector size."""
    size = len(matrix)
    cells = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    )
    pixels = size * module_px
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{pixels}" '
        f'height="{pixels}" shape-rendering="crispEdges" role="img" aria-label="QR code">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{cells}" fill="#000"/></svg>'
    )


def qr_terminal(matrix: list[list[bool]]) -> str:
    """The QR matrix as text for a terminal: two rows per line with half blocks, dark on light."""
    glyphs = {(False, False): "█", (True, False): "▄", (False, True): "▀", (True, True): " "}
    rows = matrix + ([[False] * len(matrix[0])] if len(matrix) % 2 else [])
    return "\n".join(
        "".join(glyphs[(top, bottom)] for top, bottom in zip(rows[y], rows[y + 1], strict=True))
        for y in range(0, len(rows), 2)
    )
