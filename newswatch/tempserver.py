"""Prefect's temporary server for a pass when none is set, started before the pass's own start-up.

Without PREFECT_API_URL, Prefect starts a temporary server when the flow asks for its client: it first
imports its whole server in the pass's process (1.5 s) and then waits for the server process to start
(3.5 s more), with nothing else to do. newswatch starts that same server process (Prefect's own
command, the same database in PREFECT_HOME) as its first step instead, so that it starts while the pass
imports Prefect and its own code, and the pass's process never imports the server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from importlib.util import find_spec
from pathlib import Path

STARTUP_SECONDS = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))


class TemporaryServer:
    """A Prefect server process on a free local port; `url()` waits until it answers."""

    def __init__(self, app_dir: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        # What Prefect runs for its own temporary server (SubprocessASGIServer): UI off, ephemeral services.
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
        }
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def url(self) -> str | None:
        """The server's API URL once it answers its health check; None when it exited or never answered
        (Prefect then starts its own, as without newswatch's)."""
        api = f"http://127.0.0.1:{self.port}/api"
        deadline = time.monotonic() + STARTUP_SECONDS
        while self.process is not None and self.process.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{api}/health", timeout=2):
                    return api
            except OSError:
                time.sleep(0.05)
        self.stop()
        return None

    def stop(self) -> None:
        """Stop the server (its history stays in PREFECT_HOME's database)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def start_if_unset() -> TemporaryServer | None:
    """Start a temporary server unless a Prefect server is set in the environment (or Prefect's settings
    are loaded already, as under a test harness or a Prefect worker) or the ephemeral mode is off."""
    if os.environ.get("PREFECT_API_URL") or "prefect.settings" in sys.modules:
        return None
    if os.environ.get("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "").lower() in ("0", "false"):
        return None
    spec = find_spec("prefect")
    if spec is None or spec.origin is None:
        return None
    return TemporaryServer(Path(spec.origin).parent.parent)
