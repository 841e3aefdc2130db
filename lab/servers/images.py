"""The one list of Docker images the workshop needs.

The containers module starts them, the doctor checks them, the devcontainer pre-pulls
them and the offline pack saves them: all from here. Each can be overridden by an
environment variable, for private mirrors.
"""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Image:
    """A Docker image the workshop uses, and the variable that overrides it."""

    role: str
    default: str
    env_var: str

    @property
    def name(self) -> str:
        """The image to use: the override if set, else the default."""
        return os.environ.get(self.env_var, "").strip() or self.default


POSTGRES = Image("postgres", "postgres:15-alpine", "TCMAGIC_POSTGRES_IMAGE")
REDIS = Image("redis", "redis:7-alpine", "TCMAGIC_REDIS_IMAGE")

IMAGES = {image.role: image for image in (POSTGRES, REDIS)}
