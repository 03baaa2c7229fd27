"""Real parts for the integration tests: an SMTP server on loopback, and Celery worker + beat
processes on the configured broker (Redis in CI; the embedded filesystem broker otherwise)
talking to the test database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.2)
        with self._lock:
            return list(self.messages)


class SMTPSink:
    """A real SMTP server on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_sink():
    sink = SMTPSink()
    yield sink
    sink.stop()


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class CeleryProcesses:
    def __init__(self, tmp_path: Path, smtp_port: int):
        self.tmp_path = tmp_path
        self.env = {k: v for k, v in os.environ.items()}
        broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
        if broker.startswith("redis://"):
            # A database of its own, emptied first: no task of an earlier run can leak in.
            broker = broker.rsplit("/", 1)[0] + "/14"
            import redis

            redis.Redis.from_url(broker).flushdb()
        else:
            broker = "filesystem://"
        self.broker = broker
        self.env.update({
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": broker,
            "REDIS_URL": "" if broker == "filesystem://" else broker,
            "PRIVACY_OFFICE_VAR_DIR": str(tmp_path / "var"),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "3",
            "REMINDER_SWEEP_SECONDS": "1",
            "DJANGO_DEBUG": "true",
            "PYTHONUNBUFFERED": "1",
        })
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def _start(self, name: str, *args: str):
        log = self.tmp_path / f"{name}.log"
        self.logs.append(log)
        handle = open(log, "wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "privacy_office", *args],
            cwd=settings.BASE_DIR, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def start_worker(self, name: str = "worker"):
        return self._start(name, "worker", "--loglevel=INFO", "--pool=solo", f"--hostname={name}@%h",
                           "--without-mingle", "--without-gossip")

    def start_beat(self, name: str = "beat"):
        return self._start(name, "beat", "--loglevel=INFO", f"--schedule={self.tmp_path / (name + '-schedule')}")

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()

    def output(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for log in self.logs if log.exists())


@pytest.fixture
def celery_processes(tmp_path, smtp_sink):
    processes = CeleryProcesses(tmp_path, smtp_sink.port)
    yield processes
    processes.stop()
