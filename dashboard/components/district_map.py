"""The district map: the six districts and counties over the offline dark basemap.

The outlines are served from `/assets/geo/` by the app itself; a tile layer is added only when
`CITYOPS_TILE_URL` names the city's own tile server. Nothing is fetched from the internet.
"""

from __future__ import annotations

import dash_leaflet as dl

from dashboard import runtime
from dashboard.i18n import _

CITY_CENTRE = (34.57, 119.10)  # lat, lon: the middle of the six districts (WGS-84)
CITY_ZOOM = 9.25  # the whole city in a panel of a 1080p screen; `bounds` would be better,
# but dash-leaflet 1.1 logs a TypeError when a map starts from bounds (emilhe/dash-leaflet#254)
DISTRICTS_URL = "/assets/geo/lianyungang-districts.geojson"


def district_map(map_id: str, language: str) -> dl.Map:
    """A map of Lianyungang's districts; names show on hover in `language`."""
    tile_url = runtime.current().settings.tile_url
    layers: list = (
        [dl.TileLayer(url=tile_url, attribution=_("City basemap", language))] if (tile_url) else []
    )
    layers.append(
        dl.GeoJSON(
            id=f"{map_id}-districts",
            url=DISTRICTS_URL,
            style={"variable": "cityops.map.districtStyle"},
            onEachFeature={"variable": "cityops.map.districtTooltip"},
            hideout={"language": language},
            hoverStyle={"variable": "cityops.map.districtHover"},
        )
    )
    return dl.Map(
        id=map_id,
        center=CITY_CENTRE,
        zoom=CITY_ZOOM,
        zoomSnap=0.25,
        children=layers,
        className="district-map",
        attributionControl=bool(tile_url),
    )
