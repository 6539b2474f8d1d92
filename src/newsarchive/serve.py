"""serve: a live preview for editors. Build, serve on loopback, rebuild on every save, reload the page.

* Only the output folder is served: the request path is decoded once and refused when it holds
  `..`, `.`, backslashes, NUL or empty segments, and the resolved file must lie inside the folder
  (a symlink pointing out is refused too).
* A burst of saves gives one rebuild: changes are collected until nothing happened for `QUIET`
  seconds (at most `MAX_WAIT` after the first one, so a file saved in a loop still gets a preview).
* A changed seed is re-ingested (hand edits kept, see ingest.py) before the rebuild.
* Requests wait while a rebuild runs. The rebuild writes beside the served folder and is swapped in
  only when it succeeds, so a half-built or broken site is never served.
* A rebuild fails when it raises or reports an error in a file that was fine in the last good build;
  then the last good site stays and every page shows the errors (file:line, HTML-escaped) on top.
  Errors that were already there at the last good build are shown but do not block updates.
* Pages get the reload script at serve time (never in site/): it listens on `/__livereload`
  (Server-Sent Events) and reloads when a build finishes. It is a same-origin file, so a page's
  Content-Security-Policy of `script-src 'self'` still lets it run.
"""

from __future__ import annotations

import html
import ipaddress
import os
import re
import sys
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socket import AF_INET6
from typing import Any
from urllib.parse import unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .config import SiteConfig, load_config
from .problems import InputError, Problem, Problems

QUIET = 0.3  # seconds without a change before rebuilding
MAX_WAIT = 2.0  # seconds after the first change of a burst: rebuild even if saves keep coming
RELOAD_PATH = "/__livereload"
SCRIPT_PATH = "/__livereload.js"
KEEPALIVE = 15.0  # seconds between SSE comments, so dead connections are noticed

Builder = Callable[..., Any]  # build.build: (config, accept=...) -> report with .problems and .rejected
Logger = Callable[[str], None]

_MESSAGES = {
    "vi": {"failed": "Dựng lại trang thất bại — đang hiển thị bản dựng tốt gần nhất. Sửa lỗi rồi lưu lại:",
           "skipped": "Trang đã được dựng lại, nhưng các tệp sau bị bỏ qua:"},
    "en": {"failed": "Rebuild failed — showing the last good site. Fix these and save again:",
           "skipped": "The site was rebuilt, but these files were skipped:"},
}

# Styled from script (CSSOM), not a style attribute, so a strict style-src policy cannot hide it.
_CLIENT_SCRIPT = """\
(() => {
  const me = document.currentScript;
  const built = me.dataset.generation;
  const box = document.getElementById("newsarchive-serve-error");
  if (box) {
    Object.assign(box.style, {position: "fixed", left: "0", right: "0", bottom: "0", maxHeight: "60vh",
      overflow: "auto", margin: "0", padding: "1em", background: "#fff4f4", color: "#7a0000",
      borderTop: "4px solid #c00", font: "14px/1.45 monospace", whiteSpace: "pre-wrap", zIndex: "2147483647"});
  }
  const events = new EventSource(me.dataset.endpoint);
  events.onmessage = (event) => { if (event.data !== built) { events.close(); location.reload(); } };
})();
"""


class Refused(Exception):
    """A request path that is not a file of the output folder."""

    def __init__(self, status: HTTPStatus, location: str | None = None):
        self.status = status
        self.location = location  # for redirects: a folder asked for without its trailing slash
        super().__init__(status.phrase)


def resolve_request(root: Path, target: str) -> Path:
    """The file a request target names inside `root`, or Refused. `root` must be resolved."""
    if not target.startswith("/") or target.startswith("//"):
        raise Refused(HTTPStatus.BAD_REQUEST)  # absolute-form or network-path targets: not ours
    raw_path = re.split(r"[?#]", target, maxsplit=1)[0]
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        raise Refused(HTTPStatus.BAD_REQUEST) from None
    if "\\" in path or "\x00" in path:
        raise Refused(HTTPStatus.FORBIDDEN)
    segments = path.split("/")[1:]
    trailing_slash = segments[-1] == ""
    if trailing_slash:
        segments.pop()
    if any(s in ("", ".", "..") for s in segments):
        raise Refused(HTTPStatus.FORBIDDEN)
    candidate = root.joinpath(*segments).resolve()
    if not candidate.is_relative_to(root):
        raise Refused(HTTPStatus.FORBIDDEN)  # a symlink that points out of the folder
    if candidate.is_dir():
        if not trailing_slash:
            raise Refused(HTTPStatus.MOVED_PERMANENTLY, raw_path + "/")
        candidate = candidate / "index.html"
    if not candidate.is_file():
        raise Refused(HTTPStatus.NOT_FOUND)
    return candidate


class ReadWriteLock:
    """Many requests read at once; a rebuild waits for them, and new requests wait for the rebuild."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers = 0
        self._writing = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: not self._writing)
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                self._condition.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: not self._writing)
            self._writing = True  # set before waiting, so a stream of requests cannot starve a rebuild
            self._condition.wait_for(lambda: self._readers == 0)
        try:
            yield
        finally:
            with self._condition:
                self._writing = False
                self._condition.notify_all()


@dataclass
class Change:
    kind: str  # "seed", "article", "template", "static", "config"
    path: Path


@dataclass
class RebuildResult:
    ok: bool
    seconds: float
    errors: list[str] = field(default_factory=list)  # "file:line: message" lines for the overlay


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class DevServer:
    """The preview server, usable in-process: start(), .url, rebuild(), stop()."""

    def __init__(self, config: SiteConfig, host: str = "127.0.0.1", port: int = 8000, *,
                 allow_remote: bool = False, config_file: Path | None = None,
                 builder: Builder | None = None, extract: Callable[..., Any] | None = None,
                 log: Logger | None = None, quiet: float = QUIET):
        if not is_loopback(host) and not allow_remote:
            raise ValueError(f"refusing to serve on {host}: the preview is for this computer only. "
                             f"Use 127.0.0.1, or allow_remote (--allow-remote) if you really mean it.")
        self.config = config
        self.host = host
        self.port = port
        self.config_file = (config_file or config.root / "site.yaml").resolve()
        self.site_dir = config.path("output_dir")
        self._builder = builder
        self._extract = extract
        self._log = log or (lambda line: print(line, flush=True))
        self._quiet = quiet
        self._lock = ReadWriteLock()
        self._generation = 0
        self._generation_changed = threading.Condition()
        self._overlay: tuple[str, list[str]] | None = None
        self._config_stale = False
        self._tolerated: set[str] = set()  # files with errors at the last good build
        self._own_writes: dict[Path, int] = {}  # articles ingest wrote -> their mtime, not an editor's save
        self._pending: dict[Path, Change] = {}
        self._pending_condition = threading.Condition()
        self._first_change = 0.0
        self._last_change = 0.0
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._observer: Any = None
        self._httpd: ThreadingHTTPServer | None = None
        self.last_result: RebuildResult | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() first"
        host, port = self._httpd.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/"

    @property
    def generation(self) -> int:
        return self._generation

    def start(self) -> None:
        self.last_result = self.rebuild([], initial=True)
        handler = type("Handler", (_Handler,), {"dev": self})
        server_class = type("Server", (ThreadingHTTPServer,), {
            "address_family": AF_INET6 if ":" in self.host else ThreadingHTTPServer.address_family,
            "daemon_threads": True})
        self._httpd = server_class((self.host, self.port), handler)
        self._observer = self._watch()
        for target in (self._httpd.serve_forever, self._debounce_loop):
            thread = threading.Thread(target=target, daemon=True, name=f"newsarchive-serve-{target.__name__}")
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        with self._pending_condition:
            self._pending_condition.notify_all()
        with self._generation_changed:
            self._generation_changed.notify_all()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    # --- rebuilding -----------------------------------------------------------------------------

    def rebuild(self, changes: list[Change], initial: bool = False) -> RebuildResult:
        """Re-ingest changed seeds and build (incrementally, through the build cache); a build
        that brings errors in files that had none is not let into the site."""
        started = time.perf_counter()
        problems = Problems()
        crashed: str | None = None
        rejected = False

        def accept(report: Any) -> bool:
            errors = {p.path for p in (*problems.errors, *report.problems.errors)}
            return initial or errors <= self._tolerated

        with self._lock.writing():
            try:
                if self._config_stale or any(c.kind == "config" for c in changes):
                    self._config_stale = True  # until it loads: a broken site.yaml stays on screen
                    self.config = load_config(self.config_file)
                    self._config_stale = False
                seeds = sorted({c.path for c in changes if c.kind == "seed"})
                if seeds:
                    self._ingest(seeds, problems)
                report = self._build()(self.config, accept=accept)
                problems.items.extend(report.problems.items)
                rejected = report.rejected
            except InputError as err:
                crashed = str(_relative_problem(err.problem, self.config.root))
            except Exception as err:  # noqa: BLE001 - any build failure must keep the server and last site up
                crashed = _describe_exception(err)
            error_files = {p.path for p in problems.errors}
            lines = [str(p) for p in problems.errors] + ([crashed] if crashed else [])
            # A build with nothing to do never asks `accept`: new errors from ingest alone must still count.
            ok = crashed is None and not rejected and (initial or error_files <= self._tolerated)
            if ok:
                self._tolerated = error_files
                self._overlay = ("skipped", lines) if lines else None
            else:
                self._overlay = ("failed", lines)
            with self._generation_changed:
                self._generation += 1  # still under the write lock: a waiting request sees the new number
                self._generation_changed.notify_all()
        result = RebuildResult(ok, time.perf_counter() - started, lines)
        self.last_result = result
        what = ", ".join(sorted({_short(c.path, self.config.root) for c in changes})) or "startup"
        self._log(f"{'built' if ok else 'FAILED'} in {result.seconds:.2f} s ({what})")
        for line in lines:
            self._log(f"  {line}")
        for problem in problems.warnings:
            self._log(f"  {problem}")
        return result

    def _build(self) -> Builder:
        if self._builder is None:
            from .build import build  # late: keeps `serve --help` and the server's import light

            self._builder = build
        return self._builder

    def _ingest(self, seeds: list[Path], problems: Problems) -> None:
        from .ingest import extract_seed, ingest

        report = ingest(self.config, problems, extract=self._extract or extract_seed, only=seeds)
        for name in report.written:
            path = (self.config.root / name).resolve()
            self._own_writes[path] = path.stat().st_mtime_ns
        for conflict in report.conflicts:
            self._log(f"  {conflict}")

    # --- watching ------------------------------------------------------------------------------

    def _watch(self) -> Any:
        observer = Observer()
        handler = _ChangeHandler(self)
        for name in ("seeds_dir", "articles_dir", "templates_dir", "static_dir"):
            folder = self.config.path(name)
            if folder.is_dir():
                observer.schedule(handler, str(folder), recursive=True)
        observer.schedule(handler, str(self.config_file.parent), recursive=False)
        observer.start()
        return observer

    def classify(self, path: Path) -> Change | None:
        """What a changed path means for the site, or None when it does not matter."""
        name = path.name
        if path == self.config_file:
            return Change("config", path)
        if name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")):
            return None  # editors' and ingest's temporary files
        folders = (("seed", "seeds_dir", ".txt"), ("article", "articles_dir", ".md"),
                   ("template", "templates_dir", ""), ("static", "static_dir", ""))
        for kind, option, suffix in folders:
            if path.is_relative_to(self.config.path(option)) and name.endswith(suffix):
                return Change(kind, path)
        return None

    def _is_own_write(self, path: Path) -> bool:
        try:
            return self._own_writes.get(path) == path.stat().st_mtime_ns
        except OSError:
            return False

    def notice(self, path: Path) -> None:
        change = self.classify(path)
        if change is None:
            return
        with self._pending_condition:
            now = time.monotonic()
            if not self._pending:
                self._first_change = now
            self._last_change = now
            self._pending[path] = change
            self._pending_condition.notify_all()

    def _debounce_loop(self) -> None:
        while not self._stopping.is_set():
            with self._pending_condition:
                self._pending_condition.wait_for(lambda: self._pending or self._stopping.is_set())
                while not self._stopping.is_set():
                    now = time.monotonic()
                    due = min(self._last_change + self._quiet, self._first_change + MAX_WAIT)
                    if now >= due:
                        break
                    self._pending_condition.wait(due - now)
                # Checked only now: the event for an article ingest wrote can arrive before ingest returns.
                changes = [self._pending[p] for p in sorted(self._pending)
                           if not (self._pending[p].kind == "article" and self._is_own_write(p))]
                self._pending.clear()
            if changes and not self._stopping.is_set():
                self.rebuild(changes)

    # --- what handlers need -----------------------------------------------------------------------

    def read_page(self, target: str) -> tuple[HTTPStatus, bytes, str, str | None]:
        """(status, body, content type, redirect) for a request, under the read lock."""
        root = self.site_dir.resolve()
        with self._lock.reading():
            status = HTTPStatus.OK
            try:
                path: Path | None = resolve_request(root, target)
            except Refused as refusal:
                if refusal.status is not HTTPStatus.NOT_FOUND:
                    return refusal.status, f"{refusal.status.value} {refusal.status.phrase}\n".encode(), \
                        "text/plain; charset=utf-8", refusal.location
                status, path = HTTPStatus.NOT_FOUND, _not_found_page(root)
            # A missing page still gets the reload script: it turns into the page once it is built.
            body = path.read_bytes() if path else b"<!doctype html><title>404</title><h1>404</h1>"
            content_type = _content_type(path) if path else _TYPES[".html"]
            generation = self._generation
            overlay = self._overlay
        if content_type.startswith("text/html"):
            body = self._inject(body, generation, overlay)
        return status, body, content_type, None

    def _inject(self, page: bytes, generation: int, overlay: tuple[str, list[str]] | None) -> bytes:
        script = f'<script src="{SCRIPT_PATH}" data-generation="{generation}" data-endpoint="{RELOAD_PATH}"></script>'
        parts = [script]
        if overlay:
            heading = _MESSAGES.get(self.config.language, _MESSAGES["vi"])[overlay[0]]
            text = "\n".join([heading, *overlay[1]])
            parts.insert(0, f'<pre id="newsarchive-serve-error" role="alert">{html.escape(text)}</pre>')
        snippet = "".join(parts).encode("utf-8")
        at = page.lower().rfind(b"</body>")
        return page + snippet if at < 0 else page[:at] + snippet + page[at:]

    def wait_for_generation(self, seen: int, timeout: float) -> int:
        with self._generation_changed:
            self._generation_changed.wait_for(
                lambda: self._generation != seen or self._stopping.is_set(), timeout)
            return self._generation

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()


class _ChangeHandler(FileSystemEventHandler):
    def __init__(self, dev: DevServer):
        self.dev = dev

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                self.dev.notice(Path(os.fsdecode(raw)).resolve())


class _Handler(BaseHTTPRequestHandler):
    dev: DevServer
    server_version = "newsarchive-serve"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        if not self._host_allowed():
            self._send(HTTPStatus.FORBIDDEN, b"403 Forbidden: unexpected Host header\n", "text/plain; charset=utf-8",
                       send_body)
            return
        if self.path == RELOAD_PATH:
            self._stream_events()
            return
        if self.path == SCRIPT_PATH:
            self._send(HTTPStatus.OK, _CLIENT_SCRIPT.encode(), "text/javascript; charset=utf-8", send_body)
            return
        status, body, content_type, location = self.dev.read_page(self.path)
        self._send(status, body, content_type, send_body, location)

    def _host_allowed(self) -> bool:
        """Against DNS rebinding: on loopback, only loopback names may reach the preview."""
        if not is_loopback(self.dev.host):
            return True
        try:
            host = urlsplit("//" + (self.headers.get("Host") or "")).hostname
        except ValueError:
            return False
        return host is None or is_loopback(host)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, send_body: bool,
              location: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if location:
            self.send_header("Location", location)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _stream_events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = self.dev.generation
        try:
            self.wfile.write(f"retry: 500\ndata: {seen}\n\n".encode())
            self.wfile.flush()
            while not self.dev.stopping:
                now = self.dev.wait_for_generation(seen, KEEPALIVE)
                message = f"data: {now}\n\n" if now != seen else ": keep-alive\n\n"
                seen = now
                self.wfile.write(message.encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per rebuild is what an editor wants to see, not one per request


_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".js": "text/javascript; charset=utf-8", ".json": "application/json",
          ".xml": "application/xml", ".txt": "text/plain; charset=utf-8", ".csv": "text/csv; charset=utf-8",
          ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
          ".webp": "image/webp", ".ico": "image/x-icon", ".woff2": "font/woff2", ".md": "text/plain; charset=utf-8"}


def _not_found_page(root: Path) -> Path | None:
    try:
        return resolve_request(root, "/404.html")
    except Refused:
        return None


def _content_type(path: Path) -> str:
    return _TYPES.get(path.suffix.lower(), "application/octet-stream")


def _relative_problem(problem: Problem, root: Path) -> Problem:
    """Messages name files as the editor sees them in the project: site.yaml, not /home/.../site.yaml."""
    path = Path(problem.path)
    if path.is_absolute() and path.is_relative_to(root.resolve()):
        return replace(problem, path=path.relative_to(root.resolve()).as_posix())
    return problem


def _describe_exception(err: Exception) -> str:
    """file:line: message when the error knows them (Jinja2 and YAML errors do)."""
    filename = getattr(err, "filename", None) or getattr(err, "name", None)
    line = getattr(err, "lineno", None)
    mark = getattr(err, "problem_mark", None)
    if line is None and mark is not None:
        line = mark.line + 1
    message = getattr(err, "message", None) or str(err)
    where = f"{filename}:{line}: " if filename and line else (f"{filename}: " if filename else "")
    return f"{where}error: {type(err).__name__}: {message}"


def _short(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def serve(config: SiteConfig, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          allow_remote: bool = False, config_file: Path | None = None) -> None:
    """Run the preview until Ctrl+C."""
    try:
        server = DevServer(config, host, port, allow_remote=allow_remote, config_file=config_file)
    except ValueError as err:  # a refused address: the editor needs the reason, not a traceback
        raise SystemExit(f"newsarchive serve: {err}") from None
    server.start()
    print(f"Serving {server.site_dir} at {server.url} — Ctrl+C to stop.", flush=True)
    if open_browser:
        webbrowser.open(server.url)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("Stopping.", file=sys.stderr)
    finally:
        server.stop()

