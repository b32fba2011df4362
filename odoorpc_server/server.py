"""Serving the WSGI application with gunicorn: threads behind a loop that reads whole requests
(worker.py), graceful SIGTERM."""
from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from odoorpc_server.settings import Settings
from odoorpc_server.worker import DEFAULT_REQUEST_TIMEOUT, RequestBufferingWorker
from odoorpc_server.wsgi import Application

# gunicorn's access log fields, with the pid of the worker process that answered
ACCESS_LOG_FORMAT = '%(h)s - - %(t)s "%(r)s" %(s)s %(B)s %(M)sms pid %(p)s'


class GunicornServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, host: str, port: int, workers: int, threads: int = 8,
                 access_log: str | None = None, request_timeout: float = DEFAULT_REQUEST_TIMEOUT) -> None:
        self.settings = settings
        self.request_timeout = request_timeout  # read by each worker (RequestBufferingWorker)
        self.options = {
            "bind": f"{host}:{port}", "workers": max(1, workers), "worker_class": RequestBufferingWorker,
            "threads": threads, "timeout": 120, "graceful_timeout": 10, "accesslog": access_log,
            "access_log_format": ACCESS_LOG_FORMAT, "loglevel": "warning", "preload_app": False,
            "proc_name": "odoorpc-server",
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return Application(self.settings)
