"""The pages of the web tier; each module registers itself with Dash and owns its callbacks.

`PAGE_MODULES` is the explicit list `create_app` loads, in navigation order.
"""

PAGE_MODULES: tuple[str, ...] = (
    "dashboard.pages.overview",
    "dashboard.pages.vitals",
    "dashboard.pages.assets",
    "dashboard.pages.sentiment",
    "dashboard.pages.sources",
)
