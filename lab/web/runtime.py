"""One running show's parts, as create_app built them, and how a request finds them."""

from dataclasses import dataclass

from flask import Flask, current_app
from flask_socketio import SocketIO

from lab.web.broadcast import Broadcaster
from lab.web.comparison_stage import ComparisonStage
from lab.web.config import ShowConfig
from lab.web.docker_events import DockerEventStream
from lab.web.feed import Feed
from lab.web.live import LiveShow
from lab.web.secret import PresenterSecret
from lab.web.services import ShowServices

EXTENSION = "tcmagic"


@dataclass(frozen=True)
class ShowRuntime:
    """Everything one running show is made of, built once by create_app."""

    config: ShowConfig
    socketio: SocketIO
    broadcaster: Broadcaster
    feed: Feed
    services: ShowServices
    tests: ComparisonStage
    show: LiveShow
    secret: PresenterSecret
    docker_events: DockerEventStream | None = None


def runtime_of(app: Flask | None = None) -> ShowRuntime:
    """The ShowRuntime of `app` (default: the app handling the current request)."""
    return (app or current_app).extensions[EXTENSION]
