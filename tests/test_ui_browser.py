"""The Prefect UI in a real browser: a pass against the demo newsroom, its run page and its findings table;
and the run's logs as the server holds them.

Starts a Prefect server on 127.0.0.1 (own PREFECT_HOME), runs `newswatch run` against the local newsroom
with PREFECT_API_URL pointing at it, and opens the UI in headless Chromium (Debian's, through playwright).
Screenshots go to test-output/; with NEWSWATCH_UPDATE_SCREENSHOT=1 the findings page is also copied to
docs/prefect-run.png (the README's picture).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from newswatch.newsroom import Newsroom

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]
ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "test-output"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _quiet_env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Prefect server on a free port of 127.0.0.1; yields its API URL and stops it afterwards."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**_quiet_env(home), "PREFECT_API_URL": api, "PREFECT_UI_API_URL": api}
    log = (home / "server.log").open("wb")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("prefect")),
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it stops its uvicorn too
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Prefect server did not start: {(home / 'server.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield api
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
        log.close()


@pytest.fixture(scope="module")
def run_url(prefect_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Run one pass against the demo newsroom; yields the run's UI address (from the CLI) and the database."""
    tmp = tmp_path_factory.mktemp("ui-pass")
    db_url = f"sqlite:///{tmp / 'newswatch.db'}"
    env = {
        **_quiet_env(tmp / "prefect-client"),
        "PREFECT_API_URL": prefect_server,
        "NEWSWATCH_DATABASE_URL": db_url,
        "NEWSWATCH_ALLOWED_NETWORKS": "127.0.0.1/32",
        "NEWSWATCH_APPRISE_URLS": "",
    }
    with Newsroom() as room:
        args = [sys.executable, "-m", "newswatch", "run", *[x for f in room.feed_urls for x in ("--feed", f)]]
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "findings:" in proc.stdout
    match = re.search(
        r"in the Prefect UI: (http://127\.0\.0\.1:\d+/runs/flow-run/[0-9a-f-]{36})", proc.stderr
    )
    assert match, proc.stderr[-2000:]
    yield match[1], db_url


def test_every_log_line_of_the_run_reaches_the_server(prefect_server: str, run_url: tuple[str, str]) -> None:
    # `newswatch` leaves without the interpreter's teardown: only after Prefect has sent what it queued.
    run_id = run_url[0].rsplit("/", 1)[1]
    answer = httpx.post(
        f"{prefect_server}/logs/filter",
        json={"logs": {"flow_run_id": {"any_": [run_id]}}, "sort": "TIMESTAMP_ASC", "limit": 200},
        timeout=10,
    )
    answer.raise_for_status()
    messages = [log["message"] for log in answer.json()]
    # The flow's own last line, logged just before the command exits.
    assert any(m.startswith("feeds: 3 polled") for m in messages), messages[-5:]
    assert any("Finished in state Completed" in m for m in messages), messages[-5:]


def _page(browser: Any, requests: list[str]) -> Any:
    """A page whose every request is recorded, and refused unless local."""
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    page.set_default_timeout(30_000)

    def route(r: Any) -> None:
        requests.append(r.request.url)
        local = r.request.url.startswith(("http://127.0.0.1:", "file://", "data:", "blob:"))
        r.continue_() if local else r.abort()

    page.route("**/*", route)
    return page


def test_the_ui_shows_the_run_and_its_findings_table(browser: Any, run_url: tuple[str, str]) -> None:
    url, _db = run_url
    OUTPUT.mkdir(exist_ok=True)
    requests: list[str] = []
    page = _page(browser, requests)
    page.goto(url)
    page.get_by_text("nk-troops-russia", exact=False).first.wait_for()
    page.get_by_text("Completed").first.wait_for()
    page.get_by_text("store ", exact=False).first.wait_for()  # the task runs are drawn
    page.screenshot(path=OUTPUT / "prefect-run.png")
    page.get_by_text("Artifacts", exact=True).first.click()
    page.get_by_text("newswatch-summary-nk-troops-russia").first.wait_for()
    page.screenshot(path=OUTPUT / "prefect-artifacts.png")
    page.get_by_text("newswatch-findings-nk-troops-russia").first.click()
    page.get_by_text("claimant or speaker").first.wait_for()
    page.get_by_text("Volodymyr Zelenskyy").first.wait_for()
    assert page.get_by_text("new figure").count() > 0
    page.screenshot(path=OUTPUT / "prefect-findings.png")
    if os.environ.get("NEWSWATCH_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(OUTPUT / "prefect-findings.png", ROOT / "docs" / "prefect-run.png")
    page.close()
    assert [u for u in requests if not u.startswith("http://127.0.0.1:")] == []


def test_the_timeline_page_renders_offline(browser: Any, run_url: tuple[str, str], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from newswatch.cli import app

    out = tmp_path / "timeline.html"
    result = CliRunner().invoke(app, ["timeline", "--db", run_url[1], "--html", str(out)])
    assert result.exit_code == 0, result.output
    requests: list[str] = []
    page = _page(browser, requests)
    page.goto(out.as_uri())
    assert page.locator("svg circle").count() > 5
    box = page.locator("svg").first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    page.screenshot(path=OUTPUT / "timeline.png", full_page=True)
    page.close()
    assert requests == [out.as_uri()]


@pytest.fixture(scope="module")
def failed_run_url(prefect_server: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run one pass in which every feed fails (404s from the newsroom); yields the run's UI address."""
    tmp = tmp_path_factory.mktemp("ui-failed-pass")
    env = {
        **_quiet_env(tmp / "prefect-client"),
        "PREFECT_API_URL": prefect_server,
        "NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp / 'newswatch.db'}",
        "NEWSWATCH_ALLOWED_NETWORKS": "127.0.0.1/32",
        "NEWSWATCH_APPRISE_URLS": "",
    }
    with Newsroom() as room:
        feeds = [f"{room.base_url}/feeds/gone-{n}.rss" for n in range(2)]
        args = [sys.executable, "-m", "newswatch", "run", *[x for f in feeds for x in ("--feed", f)]]
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "error: every feed failed (http_status): 2 feeds, 2 failed" in proc.stderr
    match = re.search(
        r"in the Prefect UI: (http://127\.0\.0\.1:\d+/runs/flow-run/[0-9a-f-]{36})", proc.stderr
    )
    assert match, proc.stderr[-2000:]
    return match[1]


def test_the_ui_shows_a_failed_pass_as_failed_and_a_good_one_as_completed_with_their_messages(
    browser: Any, run_url: tuple[str, str], failed_run_url: str
) -> None:
    OUTPUT.mkdir(exist_ok=True)
    requests: list[str] = []
    page = _page(browser, requests)
    page.set_viewport_size({"width": 1600, "height": 1400})  # a failed pass's page whole, to its last line
    for url, state, message, name in (
        (failed_run_url, "Failed", "every feed failed (http_status): 2 feeds, 2 failed", "run-failed.png"),
        (run_url[0], "Completed", "3 feeds, 0 failed;", "run-completed.png"),
    ):
        page.goto(url)
        page.get_by_text(state, exact=True).first.wait_for()
        page.get_by_text(message, exact=False).first.wait_for()
        # The run's last log line is its final state with the message (the badge at the top has no text).
        last = page.get_by_text(f"Finished in state {state}('{message}", exact=False).first
        last.wait_for()
        last.scroll_into_view_if_needed()
        page.screenshot(path=OUTPUT / name)
    # The runs list: the failed pass red beside the good one.
    page.goto(failed_run_url.split("/runs/")[0] + "/runs")
    page.get_by_text("Failed", exact=True).first.wait_for()
    page.get_by_text("Completed", exact=True).first.wait_for()
    page.screenshot(path=OUTPUT / "runs-list.png")
    if os.environ.get("NEWSWATCH_UPDATE_SCREENSHOT") == "1":
        for name in ("run-failed.png", "run-completed.png", "runs-list.png"):
            shutil.copyfile(OUTPUT / name, ROOT / "docs" / name)
    page.close()
    assert [u for u in requests if not u.startswith("http://127.0.0.1:")] == []
