"""Raw HTTP uploads that read the answer while they send, as a browser or curl does, so
the moment a server answers (and stops reading) is seen. Standard library only: tests
run them from processes of their own, apart from what they measure."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

SEND_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Answer:
    status: int  # of the status line; 0: the connection ended without one
    seconds: float  # from the request's first byte to its status line
    body_sent: int  # bytes of the body sent by then
    started: float  # time.monotonic() at the first byte (one clock for every process)
    ended: float  # time.monotonic() once the sender stopped: all sent, or cut off


def upload(
    base_url: str, path: str, size: int, headers: dict[str, str], *, chunked: bool = False
) -> Answer:
    """POST ``size`` bytes (spaces) to ``path``, with Content-Length or chunked."""
    url = urlsplit(base_url)
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(size)}
    fields = {"Host": url.netloc, "Content-Type": "application/json", **framing, **headers}
    head = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    sent = 0

    def send_body() -> None:
        nonlocal sent
        piece = b" " * SEND_CHUNK
        try:
            while sent < size:
                n = min(SEND_CHUNK, size - sent)
                sock.sendall(b"%x\r\n%s\r\n" % (n, piece[:n]) if chunked else piece[:n])
                sent += n
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:  # the server answered and closed: the rest is not wanted
            pass

    started = time.monotonic()
    sock.sendall(f"POST {path} HTTP/1.1\r\n{head}\r\n".encode())
    sender = threading.Thread(target=send_body, daemon=True)
    sender.start()
    received = b""
    try:
        while b"\r\n" not in received:
            data = sock.recv(65536)
            if not data:
                break
            received += data
    except OSError:
        pass
    seconds, body_sent = time.monotonic() - started, sent
    sender.join(timeout=60)
    sock.close()
    line = received.split(b"\r\n", 1)[0].split()
    status = int(line[1]) if len(line) > 1 and line[1].isdigit() else 0
    return Answer(status, seconds, body_sent, started, time.monotonic())


def attack(
    base_url: str,
    path: str,
    size: int,
    headers: dict[str, str],
    *,
    chunked: bool,
    seconds: float,
    pause: float,
) -> list[Answer]:
    """The same upload again and again, one at a time, for ``seconds``."""
    until = time.monotonic() + seconds
    answers = []
    while time.monotonic() < until:
        answers.append(upload(base_url, path, size, headers, chunked=chunked))
        time.sleep(pause)
    return answers
