"""The dev server against hostile requests: every encoding of a way out of the site is refused,
and it listens on loopback unless told otherwise (tests/test_serve.py has the basic cases)."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from newsarchive.cli import _parser
from newsarchive.config import default_config
from newsarchive.problems import Problems
from newsarchive.serve import DevServer, Refused, resolve_request, serve

SECRET = "top secret"
WAYS_OUT = [
    "/../secret.txt", "/site/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2e/secret.txt", "/.%2e/secret.txt",
    "/%2e%2e%2fsecret.txt", "/..%2Fsecret.txt", "/articles%2f..%2f..%2fsecret.txt",
    "/%252e%252e/secret.txt", "/%252e%252e%252fsecret.txt",  # double-encoded: decoded once, stays a name
    "/..%5csecret.txt", "/..\\secret.txt", "/%5c..%5csecret.txt", "/..%255csecret.txt",
    "/%c0%ae%c0%ae/secret.txt", "/%e0%80%ae%e0%80%ae/secret.txt",  # overlong UTF-8 dots
    "/..%00/secret.txt", "/%00/../secret.txt", "/..;/secret.txt", "/.../secret.txt",
    "//secret.txt", "///../secret.txt", "/index.html/../../secret.txt", "/%2fsecret.txt",
    "/" + "/".join([".."] * 20) + "/etc/passwd", "/static/../../secret.txt",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose built site has one page, with a secret beside the site folder."""
    tmp_path = tmp_path_factory.mktemp("project")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "site"
    (folder / "static").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>ok</title><body>ok</body>", encoding="utf-8")
    return folder


@pytest.mark.parametrize("target", WAYS_OUT)
def test_every_encoding_of_a_way_out_is_refused(site: Path, target: str) -> None:
    with pytest.raises(Refused) as refused:
        resolve_request(site.resolve(), target)
    assert refused.value.status in (400, 403, 404)


def fake_build(config, accept=None) -> SimpleNamespace:
    """Stands in for build.build: the preview server only needs a folder and a report."""
    output = config.path("output_dir")
    output.mkdir(parents=True, exist_ok=True)
    (output / "index.html").write_text("<!doctype html><title>ok</title><body>ok</body>", encoding="utf-8")
    return SimpleNamespace(problems=Problems(), rejected=False)


@pytest.fixture(scope="module")
def dev(site: Path) -> Iterator[DevServer]:
    server = DevServer(default_config(site.parent), port=0, builder=fake_build, log=lambda line: None)
    server.start()
    yield server
    server.stop()


def raw_request(server: DevServer, target: str) -> tuple[int, bytes]:
    """The request line sent byte for byte, as an attacker would, not as a client library would clean it."""
    host, port = server.url.split("//")[1].rstrip("/").rsplit(":", 1)
    with socket.create_connection((host, int(port)), 5) as connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("latin-1"))
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    status = int(received.split(b" ", 2)[1])
    return status, received


@pytest.mark.parametrize("target", WAYS_OUT)
def test_the_server_answers_no_way_out_with_the_secret(dev: DevServer, target: str) -> None:
    status, received = raw_request(dev, target)
    assert status in (400, 403, 404) and SECRET.encode() not in received, target


def test_the_server_survives_garbage_requests(dev: DevServer) -> None:
    for line in (b"\x00\xff\xfe GET / HTTP/1.1\r\n\r\n", b"GET " + b"/a" * 40000 + b" HTTP/1.1\r\n\r\n",
                 b"GET /%%%% HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", b"\r\n\r\n"):
        host, port = dev.url.split("//")[1].rstrip("/").rsplit(":", 1)
        with socket.create_connection((host, int(port)), 5) as connection:
            connection.sendall(line)
            connection.settimeout(5)
            try:
                connection.recv(65536)
            except (ConnectionResetError, TimeoutError):
                pass
    address = dev.url.split("//")[1].rstrip("/")
    connection = http.client.HTTPConnection(address, timeout=5)
    connection.request("GET", "/index.html")
    assert connection.getresponse().status == 200  # still serving


def test_loopback_is_the_default_and_other_addresses_need_consent(site: Path, capsys) -> None:
    assert _parser().parse_args(["serve"]).host == "127.0.0.1"
    server = DevServer(default_config(site.parent), port=0, builder=fake_build, log=lambda line: None)
    assert server.host == "127.0.0.1"
    for host in ("0.0.0.0", "::", "192.168.1.10", "example.org"):
        with pytest.raises(ValueError, match="refusing to serve"):
            DevServer(default_config(site.parent), host=host, port=0)
    with pytest.raises(SystemExit) as exit_:  # the command says why, without a traceback
        serve(default_config(site.parent), host="0.0.0.0", port=0)
    assert "refusing to serve on 0.0.0.0" in str(exit_.value.code)
