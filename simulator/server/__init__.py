"""The simulated data centre's HTTP feed server: the city's systems, as the adapters see them.

The simulator writes its database; this package serves it read-only over HTTP, speaking
what the city's real systems speak, so the product's adapters are exercised end to end:

    /sta/v1.1          OGC SensorThings API v1.1 (sensors)
    /open311/v2        Open311 GeoReport v2 (12345 hotline tickets)
    /exchange/api/v1   the data-sharing exchange platform's REST API (posts, incidents)
    /cap               CAP 1.2 early warnings: an Atom index and the documents
    /healthz           the simulated clock and each feed's newest update
    /admin/faults      fault injection (loopback only)

    server = FeedServer("sqlite:///var/datacentre.db", port=8061)
    server.start(); ...; server.stop()

See docs/simulator-server.md. Like the rest of `simulator`, this package never imports
`dashboard` or `data_adapters`.
"""

from .app import close_feed_app, create_feed_app
from .server import FeedServer

__all__ = ["FeedServer", "close_feed_app", "create_feed_app"]
