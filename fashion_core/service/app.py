"""The HTTP service: a thin FastAPI face over the :class:`~fashion_core.recommend.Recommender`, answering with the
same JSON shapes as the CLI's ``--json``.

Endpoints: ``POST /v1/look`` (multipart ``image``), ``POST /v1/similar`` and ``POST /v1/complete`` (JSON with a
``product_id``, or multipart ``image`` + optional ``box`` / ``category``; the app's filters either way),
``GET /v1/products/{id}``, ``GET /healthz`` (the process answers), ``GET /readyz`` (the index is loaded and warm),
``/docs`` (OpenAPI). Each worker process loads the index once (its ANN files and arrays memory-mapped, so the
workers share their pages) in a background thread; until it is ready, queries get 503. Bad input gets a 4xx
JSON error ``{"error", "status", "request_id"}`` that says what is wrong; only a server fault gets a 5xx.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..config import Settings
from ..imageio import ImageError, load_image
from ..results import Detection
from .inputs import MAX_K, BadRequest, ItemRequest, parse_item_request, read_body, read_upload, validation_message
from .logs import RequestIdMiddleware, request_id_var

log = logging.getLogger(__name__)

_JSON_OR_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ItemRequest.model_json_schema(),
                                 "example": {"product_id": "1532", "k": 5, "gender": "Women"}},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["image"],
                "properties": {"image": {"type": "string", "format": "binary"},
                               "box": {"type": "string", "description": "x0,y0,x1,y1 in the image's pixels"},
                               "category": {"type": "string"}, "k": {"type": "integer"},
                               "gender": {"type": "string"}, "refine": {"type": "string"},
                               "slots": {"type": "string", "description": "comma-separated outfit slots"},
                               "colours": {"type": "string", "description": "comma-separated colours"},
                               "price_min": {"type": "number"}, "price_max": {"type": "number"}}}},
        },
    }
}
_IMAGE_FORM = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["image"],
    "properties": {"image": {"type": "string", "format": "binary"}, "k": {"type": "integer"},
                   "k_outfit": {"type": "integer"},
                   "answers": {"type": "boolean", "description": "also answer every garment (default true)"}}}}}}}


class Engine:
    """The worker's recommender, loaded (and warmed) once in a background thread; ``error`` says why it is not
    ready when loading failed."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.recommender = None
        self.error: str | None = None
        self.load_seconds: float | None = None
        self._thread = threading.Thread(target=self._load, name="fashion-index-loader", daemon=True)

    def start(self) -> None:
        """Start loading in the background (``/healthz`` answers at once, ``/readyz`` when this is done)."""
        self._thread.start()

    def _load(self) -> None:
        from PIL import Image

        from ..recommend import Recommender

        t0 = time.perf_counter()
        try:
            rec = Recommender.open(self.settings)
            rec.profile  # noqa: B018 - the lazy parts load now, not on the first shopper's request
            rec.complement  # noqa: B018
            rec.detector  # noqa: B018
            rec.image_query(Image.new("RGB", (64, 64), (128, 128, 128)), rec.manifest.categories[0])
            self.recommender = rec
            self.load_seconds = round(time.perf_counter() - t0, 2)
            log.info("index %s loaded: %d products, version %s, in %.1f s", rec.index_dir, len(rec.index),
                     rec.manifest.build_id, self.load_seconds)
        except Exception as exc:  # noqa: BLE001 - any failure is reported by /readyz and every query
            self.error = f"{type(exc).__name__}: {exc}"
            log.error("the index could not be loaded: %s", self.error)

    def ready(self):
        """The recommender, or a 503 that says why there is none yet."""
        if self.recommender is None:
            raise BadRequest(f"the index could not be loaded: {self.error}" if self.error else
                             "the index is still loading; retry in a few seconds (see /readyz)", status=503)
        return self.recommender


def error_response(status: int, message: str) -> JSONResponse:
    """The one JSON error shape."""
    return JSONResponse({"error": message, "status": status, "request_id": request_id_var.get()}, status_code=status)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service over the index ``settings.index_dir`` (default: :meth:`Settings.resolve`, so ``FASHION_INDEX``
    and the other ``FASHION_*`` variables configure each uvicorn worker)."""
    engine = Engine(settings or Settings.resolve())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        engine.start()
        yield

    app = FastAPI(title="fashion-core", version="1", lifespan=lifespan,
                  description="Shop the look and complete the look over one catalog index.")
    app.state.engine = engine
    app.add_middleware(RequestIdMiddleware)

    @app.exception_handler(BadRequest)
    async def _bad(request: Request, exc: BadRequest):
        log.info("refused (%d): %s", exc.status, exc.message)
        return error_response(exc.status, exc.message)

    @app.exception_handler(ImageError)
    async def _image(request: Request, exc: ImageError):
        log.info("refused image: %s", exc)
        status = 413 if "over the limit" in str(exc) else 400
        return error_response(status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return error_response(422, validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return error_response(exc.status_code, str(exc.detail))

    @app.exception_handler(ValueError)
    async def _value(request: Request, exc: ValueError):
        # the library's convention (as on the CLI): a ValueError is input it cannot answer, with the reason
        log.info("refused: %s", exc)
        return error_response(400, str(exc))

    @app.get("/healthz", summary="the process answers")
    async def healthz():
        return {"status": "ok"}

    @app.get("/readyz", summary="the index is loaded and warm")
    async def readyz():
        if engine.recommender is None:
            why = f"the index could not be loaded: {engine.error}" if engine.error else "loading the index"
            return error_response(503, why)
        m = engine.recommender.manifest
        return {"status": "ready", "index_version": m.build_id, "products": m.n_products,
                "categories": list(m.categories), "encoder": m.encoder.name,
                "compatibility_model": m.compat is not None, "load_seconds": engine.load_seconds}

    @app.get("/v1/products/{product_id}", summary="one indexed product")
    async def product(product_id: str):
        from ..index import product_records

        rec = engine.ready()
        if product_id not in rec.index.row_of:
            raise BadRequest(f"product id {product_id!r} is not in the index ({len(rec.index)} products)", 404)
        p = rec.index.products[rec.index.row(product_id)]
        return JSONResponse(next(product_records([p], rec.catalog.root)))

    @app.post("/v1/similar", summary="similar items for a product id or an image (+ box)", openapi_extra=_JSON_OR_FORM)
    async def similar(request: Request):
        from ..cli.similar_cmd import similar_doc

        rec = engine.ready()
        req, image, name = await _item(request)
        filters = req.filters()
        k = req.k or 10

        def work():
            query = _query(rec, req, image, name)
            if query.category not in rec.index.categories:
                raise BadRequest(f"category {query.category!r} has no products in this index; indexed: "
                                 f"{', '.join(sorted(rec.index.categories))}")
            return similar_doc(rec, query, k, filters, query.label)

        doc = await run_in_threadpool(work)
        return JSONResponse({"results": [doc], **({"filters": filters.to_dict()} if not filters.empty else {})})

    @app.post("/v1/complete", summary="complete the look for a product id or an image (+ box, category)",
              openapi_extra=_JSON_OR_FORM)
    async def complete(request: Request):
        rec = engine.ready()
        req, image, name = await _item(request)
        filters = req.filters()
        k = req.k or 5

        def work():
            return rec.complete_for(_query(rec, req, image, name), k, filters).to_dict()

        return JSONResponse(await run_in_threadpool(work))

    @app.post("/v1/look", summary="the garments of a photo and, for each, similar items and its outfit",
              openapi_extra=_IMAGE_FORM)
    async def look(request: Request):
        from ..cli.look_cmd import look_doc

        rec = engine.ready()
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "multipart/form-data":
            raise BadRequest("POST /v1/look takes a multipart/form-data upload with an 'image' field", status=415)
        form = await request.form(max_files=1, max_fields=8)
        upload = form.get("image")
        if upload is None or not hasattr(upload, "read"):
            raise BadRequest("image: the multipart form needs an 'image' file field")
        data = await read_upload(upload)
        name = upload.filename or "upload"
        k, k_outfit = _int_field(form, "k", 10), _int_field(form, "k_outfit", 5)
        answers = str(form.get("answers", "true")).strip().lower() not in ("0", "false", "no", "off")

        def work():
            found = rec.shop_the_look(load_image(data, name=name))
            if answers:
                return look_doc(rec, found, name, k, k_outfit)
            return {**found.to_dict(), "query": name}

        return JSONResponse(await run_in_threadpool(work))

    return app


async def _item(request: Request) -> tuple[ItemRequest, bytes | None, str]:
    fields, image, name = await read_body(request)
    req = parse_item_request(fields)
    if (req.product_id is None) == (image is None):
        raise BadRequest("give exactly one of product_id (JSON or form field) or an uploaded 'image' file")
    if image is None and (req.box is not None or req.attributes):
        raise BadRequest("box and attributes go with an uploaded image, not with a product_id")
    return req, image, name


def _query(rec, req: ItemRequest, image: bytes | None, name: str):
    """The recommender's query for a request (runs in the thread pool: decoding and encoding are CPU work)."""
    if req.product_id is not None:
        if req.product_id not in rec.index.row_of:
            raise BadRequest(f"product id {req.product_id!r} is not in the index ({len(rec.index)} products)", 404)
        return rec.product_query(req.product_id, req.category)
    picture = load_image(image, name=name)
    if req.box is not None:
        x0, y0, x1, y1 = req.box
        if not (x1 > x0 and y1 > y0):
            raise BadRequest(f"box {req.box}: needs x0 < x1 and y0 < y1 (pixels of the uploaded image)")
        try:
            picture = rec.crop(picture, Detection((x0, y0, x1, y1), req.category or "top", 1.0))
        except ValueError as exc:
            raise BadRequest(f"box: {exc}") from None
    return rec.image_query(picture, req.category, req.attributes)


def _int_field(form, name: str, default: int) -> int:
    raw = form.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise BadRequest(f"{name}: expected a whole number, got {raw!r}") from None
    if not 1 <= value <= MAX_K:
        raise BadRequest(f"{name}: must be between 1 and {MAX_K}, got {value}")
    return value
