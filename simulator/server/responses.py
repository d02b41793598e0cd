"""Response helpers shared by the protocols: JSON as UTF-8 text (never `\\uXXXX` escapes),
XML with its declaration, and the registry that renders each protocol's errors its own way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from flask import Response

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"

ErrorRenderer = Callable[[int, str], Response]
"""Renders an error (HTTP status, message) in one protocol's format."""


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """`body` as compact UTF-8 JSON."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Response(text, status=status, content_type=JSON_TYPE, headers=headers)


def xml_response(root: ET.Element, status: int = 200, content_type: str = XML_TYPE) -> Response:
    """`root` as a UTF-8 XML document with its declaration."""
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(data, status=status, content_type=content_type)


def add_text(parent: ET.Element, tag: str, value: Any) -> ET.Element:
    """A child element holding `value` as text (empty for None, lower-case booleans)."""
    child = ET.SubElement(parent, tag)
    if isinstance(value, bool):
        child.text = str(value).lower()
    elif value is not None:
        child.text = xml_text(str(value))
    return child


def xml_text(text: str) -> str:
    """`text` without the control characters XML 1.0 cannot carry."""
    return text.translate(_XML_INVALID)


_XML_INVALID = {c: None for c in (*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF)}


def plain_error(status: int, message: str) -> Response:
    """An error as plain text (paths that belong to no protocol)."""
    return Response(
        f"{status} {message}\n", status=status, content_type="text/plain; charset=utf-8"
    )
