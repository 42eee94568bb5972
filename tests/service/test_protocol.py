"""TCP_NODELAY on the service's connections when uvicorn binds the socket for several workers (protocol number 0,
where asyncio leaves Nagle's algorithm on and every answer waits ~40 ms for the client's delayed ACK)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import requests
import uvicorn

from fashion_core.service.protocol import HTTP_PROTOCOL, NoDelayHTTPProtocol


async def _hello(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _nodelay_of_connections(http) -> list[int]:
    """Serve ``_hello`` with uvicorn on a socket bound as uvicorn binds it for ``--workers N`` (the path each
    worker process takes), answer one keep-alive request, and read TCP_NODELAY of the server's accepted socket."""
    sock = socket.socket(family=socket.AF_INET)  # as uvicorn.Config.bind_socket: protocol number 0
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_hello, http=http, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        with requests.Session() as client:
            assert client.get(f"http://127.0.0.1:{port}/").text == "ok"
            return [conn.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                    for conn in list(server.server_state.connections)]
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def test_uvicorn_alone_leaves_nagle_on_for_worker_sockets():
    """The fault this module exists for: uvicorn's own protocol on a worker's socket keeps Nagle on."""
    flags = _nodelay_of_connections("auto")
    assert flags and not any(flags)


def test_service_protocol_sets_nodelay():
    flags = _nodelay_of_connections(HTTP_PROTOCOL)
    assert flags and all(flags)


def test_protocol_string_loads_the_class():
    config = uvicorn.Config(_hello, http=HTTP_PROTOCOL)
    config.load()
    assert config.http_protocol_class is NoDelayHTTPProtocol
