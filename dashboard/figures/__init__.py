"""Figure builders: pure functions from plain values to plotly figure dicts.

They return dicts, never `go.Figure` objects: building figure objects per request costs about
six times as much as a prepared dict, and a dict can be cached as it is.
"""

from dashboard.figures.districts import OFFLINE_GEO_CONFIG, district_choropleth, ranked_bars
from dashboard.figures.sparkline import sparkline
from dashboard.figures.timeseries import MarkPoint, timeseries

__all__ = [
    "OFFLINE_GEO_CONFIG",
    "MarkPoint",
    "district_choropleth",
    "ranked_bars",
    "sparkline",
    "timeseries",
]
