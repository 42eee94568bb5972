"""The HTTP service a shop calls (``fashion-core serve``): FastAPI over the one :class:`Recommender`.

:func:`create_app` builds the app (see :mod:`.app` for the endpoints and the error contract); :mod:`.inputs`
reads and checks requests; :mod:`.logs` gives every request an id that goes into each log line and the
``X-Request-ID`` header.
"""

from .app import create_app

__all__ = ["create_app"]
