"""Request ids: one per request, in every log line written while it is served and in the ``X-Request-ID``
response header; plus the access log line and the uvicorn logging configuration that carries them."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid

REQUEST_ID_HEADER = "x-request-id"
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("fashion_request_id", default="-")
"""The id of the request this task or thread is serving (``-`` outside a request)."""

access_log = logging.getLogger("fashion_core.service.access")
log = logging.getLogger(__name__)

LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(process)d %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (the current request's id, or ``-``) so every formatter can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


def new_request_id(incoming: str | None) -> str:
    """The client's ``X-Request-ID`` when it is a short safe token (so ids join up across services), else a new
    random one."""
    if incoming and _ACCEPTED_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex[:16]


class RequestIdMiddleware:
    """Pure ASGI middleware: sets the request id for the request's context (the endpoint, its thread-pool work and
    the error handlers all see it), adds the response header and writes one access line per request."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        rid = new_request_id(headers.get(REQUEST_ID_HEADER))
        token = request_id_var.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        status = {"code": 0}
        t0 = time.perf_counter()

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = list(message.get("headers", [])) + [(b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:  # a server fault: logged with its traceback, answered 500 without one
            log.exception("server fault on %s %s", scope.get("method", "-"), scope.get("path", "-"))
            if status["code"]:
                raise  # the answer has started; nothing can be sent any more
            body = json.dumps({"error": "internal server error (the request id names it in the server's log)",
                               "status": 500, "request_id": rid}).encode()
            await send_with_id({"type": "http.response.start", "status": 500,
                                "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
        finally:
            access_log.info("%s %s -> %d in %.1f ms", scope.get("method", "-"), scope.get("path", "-"),
                            status["code"], (time.perf_counter() - t0) * 1000)
            request_id_var.reset(token)


def uvicorn_log_config(level: str = "INFO") -> dict:
    """``logging.dictConfig`` for uvicorn and the library: one stderr handler whose lines carry the request id
    (uvicorn's own access log is off; :class:`RequestIdMiddleware` writes one that has the id)."""
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "default",
               "filters": ["request_id"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "fashion_core.service.logs.RequestIdFilter"}},
        "formatters": {"default": {"format": LOG_FORMAT}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": True},
        },
    }
