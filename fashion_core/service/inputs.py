"""What a request asks for: a JSON body or a multipart form read into one checked :class:`ItemRequest`, the
shopper's filters, and the upload read under the app's byte limit. Every problem is a :class:`BadRequest` whose
message names the field and what is expected."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .. import taxonomy
from ..imageio import MAX_BYTES
from ..results import Filters

MAX_K = 100
"""Most results one request may ask for."""


class BadRequest(Exception):
    """Input the service cannot answer: answered with ``status`` and a JSON error carrying ``message``."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def _split(value: Any) -> Any:
    """``"a, b"`` → ``["a", "b"]`` (multipart fields and JSON strings); lists pass through."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


class ItemRequest(BaseModel):
    """The body of ``/v1/similar`` and ``/v1/complete``: exactly one of ``product_id`` or an uploaded image
    (multipart ``image``, with an optional ``box`` and ``category``), how many results, and the filters."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    product_id: str | None = None
    k: int | None = Field(default=None, ge=1, le=MAX_K)
    category: str | None = None
    box: list[float] | None = None
    gender: str | None = None
    price_min: float | None = Field(default=None, ge=0)
    price_max: float | None = Field(default=None, ge=0)
    colours: list[str] = Field(default_factory=list)
    slots: list[str] | None = None
    refine: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)
    """What is known of an image query (``gender``, ``usage``...), as on a ``--queries`` row."""

    @field_validator("colours", "slots", mode="before")
    @classmethod
    def _lists(cls, v):
        return _split(v)

    @field_validator("box", mode="before")
    @classmethod
    def _box(cls, v):
        if isinstance(v, str):
            text = v.strip()
            v = json.loads(text) if text.startswith("[") else [t for t in text.split(",") if t.strip()]
        if v is not None and len(v) != 4:
            raise ValueError("box needs 4 numbers x0,y0,x1,y1 (pixels of the uploaded image)")
        return v

    @field_validator("category")
    @classmethod
    def _category(cls, v):
        if v in (None, ""):
            return None
        try:
            return taxonomy.to_category(v)
        except KeyError:
            raise ValueError(f"unknown category {v!r}; expected one of {', '.join(taxonomy.CATEGORIES)}") from None

    @field_validator("slots")
    @classmethod
    def _slots(cls, v):
        bad = [s for s in v or [] if s not in taxonomy.SLOTS]
        if bad:
            raise ValueError(f"unknown slot(s) {', '.join(bad)}; expected some of {', '.join(taxonomy.SLOTS)}")
        return v

    @field_validator("gender")
    @classmethod
    def _gender(cls, v):
        from ..outfits import rules

        if v in (None, ""):
            return None
        gender = rules.gender_of_value(v)
        if gender is None:
            raise ValueError(f"unknown gender {v!r}; expected one of {', '.join(rules.GENDERS)}")
        return gender

    def filters(self) -> Filters:
        """The shopper's filters this request carries."""
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise BadRequest(f"price_min {self.price_min} is above price_max {self.price_max}")
        return Filters(gender=self.gender, price_min=self.price_min, price_max=self.price_max,
                       colours=tuple(c.lower() for c in self.colours),
                       slots=tuple(self.slots) if self.slots is not None else None, refine=self.refine)


def validation_message(exc: ValidationError | Any) -> str:
    """Pydantic's errors as one line: ``field: what is wrong; ...``."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}")
    return "; ".join(parts) or "the request body is not valid"


def parse_item_request(doc: dict) -> ItemRequest:
    """A checked :class:`ItemRequest` from a JSON object or the text fields of a form."""
    if not isinstance(doc, dict):
        raise BadRequest("the JSON body must be an object such as {\"product_id\": \"1532\", \"k\": 5}")
    try:
        return ItemRequest.model_validate(doc)
    except ValidationError as exc:
        raise BadRequest(validation_message(exc), status=422) from None


async def read_upload(upload, field: str = "image") -> bytes:
    """The bytes of an uploaded file, refused (413) past the app's byte limit without reading it all."""
    data = await upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise BadRequest(f"{field}: the upload is over the limit of {MAX_BYTES // 2**20} MiB; resize it before "
                         "uploading", status=413)
    return data


async def read_body(request) -> tuple[dict, bytes | None, str]:
    """A request's fields, its uploaded image (None when there is none) and the upload's name, from a JSON body
    or a multipart form."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        raw = await request.body()
        if not raw.strip():
            raise BadRequest("the JSON body is empty; send {\"product_id\": \"...\"} or a multipart image")
        try:
            doc = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BadRequest(f"the body is not valid JSON ({exc})") from None
        return doc, None, ""
    if ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.form(max_files=1, max_fields=64)
        fields, image, name = {}, None, ""
        for key, value in form.multi_items():
            if hasattr(value, "read"):
                if key != "image":
                    raise BadRequest(f"unexpected file field {key!r}; upload the photo as the 'image' field")
                image, name = await read_upload(value), value.filename or "upload"
            elif value != "":
                fields[key] = value
        if "attributes" in fields:
            try:
                fields["attributes"] = json.loads(fields["attributes"])
            except json.JSONDecodeError:
                raise BadRequest("attributes: a JSON object such as {\"gender\": \"Women\"}") from None
        return fields, image, name
    raise BadRequest(f"unsupported content type {ctype or 'none'!r}: send application/json or multipart/form-data",
                     status=415)
