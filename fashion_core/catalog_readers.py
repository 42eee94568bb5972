"""Reading catalog files into rows of text, line by line, so that one malformed line never loses the others.

:func:`read_records` returns the column names and one :data:`Record` per row: ``(line, values)`` with the values
as text exactly as written, or ``(line, reason)`` for a line that could not be parsed (an extra or missing
field, an unbalanced quote, broken JSON). Validation of the values is :mod:`fashion_core.catalog`'s job.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Malformed:
    """A line that could not be parsed: why, and the product id it seems to hold (best effort, may be empty)."""

    reason: str
    product_id: str = ""


Record = tuple[int | None, "list[str] | Malformed"]
"""A row: its first line in the file (None where there are no lines) and its values, or why it was refused."""

_DECODER = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str)
"""Numbers kept as the text written (``1525`` stays ``"1525"``, ``19.90`` stays ``"19.90"``); one decoder for
every line (``json.loads`` with hooks builds a new one per call)."""

_JSON_ID = re.compile(r'"(?:product_id|id)"\s*:\s*"?([^",}\s]{1,64})')

MAX_RECORD_LINES = 64
"""A quoted CSV field may hold newlines, but a record spanning more lines than this is an unclosed quote."""

FALLBACK_ENCODING = "cp1252"
"""Tried when a file is not UTF-8 (Windows-1252, the superset of Latin-1 that spreadsheets write); then latin-1."""


def read_records(path: Path, encoding: str | None = None) -> tuple[list[str], list[Record], list[str]]:
    """Columns, rows and notes (how the file was read) of a CSV, JSONL or Parquet catalog file."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return (*_read_parquet(path), [])
    if suffix not in (".csv", ".jsonl", ".ndjson"):
        raise ValueError(f"catalog {path}: unsupported file type {suffix!r}; use .csv, .jsonl or .parquet, or a folder")
    text, notes = decode_text(path, encoding)
    if not text.strip():
        raise ValueError(f"catalog {path} is empty ({path.stat().st_size} bytes): expected a header line with the "
                         "columns product_id, title, category, image and one line per product")
    if suffix == ".csv":
        columns, records = _read_csv(text, path)
    else:
        columns, records = _read_jsonl(text)
    return columns, records, notes


def decode_text(path: Path, encoding: str | None = None) -> tuple[str, list[str]]:
    """The file's text and a note when it was not UTF-8. With ``encoding`` given, that encoding or a
    ``ValueError`` naming the file, the encoding and the first bad byte."""
    data = path.read_bytes()
    if encoding:
        try:
            return codecs.decode(data, encoding), []
        except LookupError:
            raise ValueError(f"catalog {path}: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise ValueError(f"catalog {path} is not valid {encoding}: {_bad_byte(data, exc)}; pass its real "
                             "encoding (e.g. --encoding cp1252 for a spreadsheet export)") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), [f"{path} is UTF-16 (it starts with a byte-order mark); read as UTF-16"]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        where = _bad_byte(data, exc)
    for fallback in (FALLBACK_ENCODING, "latin-1"):
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            continue
        return text, [f"{path} is not UTF-8 ({where}); read it as {fallback} (Windows-1252 / Latin-1): check the "
                      "accented titles, or save it as UTF-8"]
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _bad_byte(data: bytes, exc: UnicodeDecodeError) -> str:
    line = data.count(b"\n", 0, exc.start) + 1
    return f"byte 0x{data[exc.start]:02x} on line {line}"


class _Lines:
    """Feeds csv.reader one physical line at a time, counting them; refuses a record running over too many."""

    def __init__(self, lines: list[str], pos: int):
        self.lines, self.pos, self.limit = lines, pos, pos + MAX_RECORD_LINES

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        if self.pos >= self.limit:
            raise _Unclosed
        self.pos += 1
        return self.lines[self.pos - 1]


class _Unclosed(Exception):
    """A quoted field ran over :data:`MAX_RECORD_LINES` lines."""


class _Resync(Exception):
    """A multi-line record with the wrong number of fields: the quote that opened it was unbalanced."""


def _read_csv(text: str, path: Path) -> tuple[list[str], list[Record]]:
    lines = io.StringIO(text, newline="").readlines()
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    try:
        feed = _Lines(lines, start)
        header = next(csv.reader(feed, strict=True))
    except (csv.Error, _Unclosed) as exc:
        raise ValueError(f"catalog {path}: the header (line {start + 1}) is not valid CSV ({exc}); the first line "
                         "must name the columns product_id, title, category, image") from None
    width = len(header)
    has_nul = "\0" in text
    id_at = next((i for i, c in enumerate(header) if c.strip().lower() in ("product_id", "id", "productid")), None)
    id_at = id_at if id_at == 0 else None  # a guess from a broken line is only safe for the first column
    records: list[Record] = []
    pos = feed.pos
    while pos < len(lines):
        feed = _Lines(lines, pos)
        reader = csv.reader(feed, strict=True)
        first = pos
        try:
            for values in reader:
                span = feed.pos - first
                if values and len(values) != width:
                    if span > 1:
                        raise _Resync(f"{len(values)} fields over {span} lines")
                    records.append((first + 1, Malformed(
                        f"{len(values)} fields, the header has {width} "
                        f"({'an extra' if len(values) > width else 'a missing'} field or an unquoted comma)",
                        values[id_at] if id_at is not None and id_at < len(values) else "")))
                elif values and has_nul and any("\0" in v for v in values):
                    records.append((first + 1, Malformed(_NUL_REASON, values[id_at] if id_at is not None else "")))
                elif values:
                    records.append((first + 1, values))
                first = feed.pos
                feed.limit = first + MAX_RECORD_LINES
            pos = len(lines)
        except (csv.Error, _Unclosed, _Resync) as exc:
            guess = lines[first].split(",")[id_at].strip().strip('"') if id_at is not None else ""
            records.append((first + 1, Malformed(_csv_reason(exc, feed.pos - first), guess[:64])))
            pos = first + 1  # only the line that opened the bad record is lost; parsing resumes on the next
    return header, records


def _csv_reason(exc: Exception, span: int) -> str:
    msg = str(exc)
    if isinstance(exc, (_Unclosed, _Resync)) or span > 1 or "unexpected end of data" in msg or "EOF" in msg:
        return "unbalanced quote: a quoted field opened on this line is not closed where it should be"
    if "expected after" in msg:
        return "stray quote: a quote inside a quoted field must be doubled (\"\")"
    if "NUL" in msg:
        return _NUL_REASON
    if "field limit" in msg:
        return f"a field is longer than {csv.field_size_limit():,} characters (a runaway quote or binary data)"
    return f"malformed CSV line ({msg})"


_NUL_REASON = "the line contains a NUL byte (binary data, or a UTF-16 file without a byte-order mark)"


def _read_jsonl(text: str) -> tuple[list[str], list[Record]]:
    columns: dict[str, int] = {}
    docs: list[tuple[int, dict | Malformed]] = []
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            doc = _DECODER.decode(line)
        except json.JSONDecodeError as exc:
            found = _JSON_ID.search(line)
            docs.append((n, Malformed(f"not valid JSON ({exc.msg} at column {exc.colno})",
                                      found.group(1) if found else "")))
            continue
        if not isinstance(doc, dict):
            docs.append((n, Malformed(f"a JSON {type(doc).__name__}, not an object with the product's fields")))
            continue
        for key in doc:
            columns.setdefault(str(key), len(columns))
        docs.append((n, doc))
    names = list(columns)
    records: list[Record] = []
    for n, doc in docs:
        if isinstance(doc, Malformed):
            records.append((n, doc))
        else:
            records.append((n, [v if type(v) is str else _json_text(v) for v in map(doc.get, names)]))
    return names, records


def _json_text(value) -> str:
    """A JSON value as text: numbers exactly as written (the parser keeps them as strings), null empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _read_parquet(path: Path) -> tuple[list[str], list[Record]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise ValueError(f"catalog {path} is not a readable Parquet file ({exc})") from None
    if table.num_rows == 0 and table.num_columns == 0:
        raise ValueError(f"catalog {path} is empty (no columns)")
    columns = []
    for name in table.column_names:
        col = table.column(name)
        try:
            values = col.cast(pa.string()).to_pylist()  # ints and integral floats as digits: 1525, never 1525.0
        except (pa.ArrowException, NotImplementedError):
            values = [None if v is None else str(v) for v in col.to_pylist()]
        columns.append(["" if v is None else v for v in values])
    names = [str(c) for c in table.column_names]
    return names, [(None, [col[i] for col in columns]) for i in range(table.num_rows)]
