"""One running show's parts, as create_app built them, and how a request finds them."""

from dataclasses import dataclass

from flask import Flask, current_app
from flask_socketio import SocketIO

from lab.show.broadcast import Broadcaster
from lab.show.comparison_stage import ComparisonStage
from lab.show.feed import Feed
from lab.show.live import LiveShow
from lab.show.services import ShowServices
from lab.web.config import ShowConfig
from lab.web.docker_feed import DockerEventStream
from lab.web.presenter_secret import PresenterSecret
from lab.web.transport.read_pace import ReadPace
from lab.web.vote_pages import VotePages
from lab.web.voters import VoterCookies

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
    voters: VoterCookies
    vote_pages: VotePages
    results_pace: ReadPace  # how often one address may read /api/results
    docker_events: DockerEventStream | None = None


def runtime_of(app: Flask | None = None) -> ShowRuntime:
    """The ShowRuntime of `app` (default: the app handling the current request)."""
    return (app or current_app).extensions[EXTENSION]
