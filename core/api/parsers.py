"""The API's JSON parser: a size and a nesting limit checked before the body is parsed or used.

DRF's own JSONParser reads the whole body (Django's DATA_UPLOAD_MAX_MEMORY_SIZE is not consulted
on that path) and a deeply nested document ends in a RecursionError, a 500. Here a body over
API_JSON_MAX_BYTES is refused before it is read, and one nested deeper than API_JSON_MAX_DEPTH
is refused before any serializer sees it; both answer 400 with a message."""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def json_depth_exceeds(data, limit: int) -> bool:
    """True if `data` nests lists/objects deeper than `limit` (iterative: no recursion to exhaust)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        max_bytes = settings.API_JSON_MAX_BYTES
        request = (parser_context or {}).get("request")
        try:
            declared = int((request.META.get("CONTENT_LENGTH") if request is not None else None) or 0)
        except ValueError:
            declared = 0
        too_big = ParseError(_("The request body is larger than %(limit)s bytes.") % {"limit": max_bytes})
        if declared > max_bytes:
            raise too_big
        raw = stream.read(max_bytes + 1) if stream is not None else b""
        if len(raw) > max_bytes:
            raise too_big
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError as exc:
            raise ParseError(_("The JSON document is nested too deeply.")) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(_("The request body is not valid JSON.")) from exc
        if json_depth_exceeds(data, settings.API_JSON_MAX_DEPTH):
            raise ParseError(
                _("The JSON document is nested deeper than %(limit)s levels.") % {"limit": settings.API_JSON_MAX_DEPTH}
            )
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")
