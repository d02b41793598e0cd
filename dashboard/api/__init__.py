"""HTTP routes of the web tier beside the Dash pages, under `/api`: read-only, served from the
ops store through `dashboard.data`. `blueprint` holds them all; `create_app` registers it."""

from flask import Blueprint

from dashboard.api import assets

blueprint = Blueprint("api", __name__, url_prefix="/api")
blueprint.register_blueprint(assets.blueprint)

__all__ = ["blueprint"]
