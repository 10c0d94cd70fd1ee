"""Serving clip media to the people who may see it, with HTTP range requests for seeking:
under stored names to library users, under each attempt's own names to its player (padded
to a file of that name's own: quiz.media.disguise)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

from quiz.media.disguise import NO_TRAILER, Trailer, trailer
from quiz.media.files import SERVED_NAME_PATTERN, media_path
from quiz.selectors.live import device_media_name
from quiz.selectors.media import attempt_media_name, clip_for_media_name, lesson_media_name

CONTENT_TYPES = {"mp4": "video/mp4", "jpg": "image/jpeg"}
RANGE_PATTERN = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")
# Beyond any file's size; a position with more digits than this is read as this (int() of
# thousands of digits is refused by Python, and would be slow anyway).
_FAR = 10**18
CHUNK = 256 * 1024


def _read(
    handle: BinaryIO, start: int, length: int, size: int, tail: Trailer = NO_TRAILER
) -> Iterator[bytes]:
    """`length` bytes from `start` of the file (`size` bytes) followed by its trailer."""
    try:
        handle.seek(min(start, size))
        while length > 0 and start < size:
            data = handle.read(min(CHUNK, length, size - start))
            if not data:
                break
            length -= len(data)
            start += len(data)
            yield data
        while length > 0:
            data = tail.read(start - size, min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            start += len(data)
            yield data
    finally:
        handle.close()


def _position(digits: str) -> int | None:
    """A byte position of a Range header (ASCII digits), capped at _FAR; None when absent."""
    if not digits:
        return None
    significant = digits.lstrip("0")
    return _FAR if len(significant) > 18 else int(significant or "0")


def _parse_range(header: str, size: int) -> tuple[int, int] | str | None:
    """(start, end inclusive) for a single satisfiable range; None to send everything;
    "unsatisfiable" for a range outside the file."""
    match = RANGE_PATTERN.match(header.strip())
    if not match:
        return None  # malformed or several ranges: RFC 9110 lets us ignore Range
    first, last = (_position(text) for text in match.groups())
    if first is None and last is None:
        return None
    if first is None:
        if last == 0:
            return "unsatisfiable"
        return max(0, size - last), size - 1
    start = first
    end = min(last, size - 1) if last is not None else size - 1
    if start >= size or (last is not None and last < start):
        return "unsatisfiable"
    return start, end


@require_safe
def serve(request: HttpRequest, name: str) -> HttpResponse:
    """A file under its stored name: for library users, and replays in feedback."""
    if not request.user.is_authenticated or not SERVED_NAME_PATTERN.match(name):
        raise Http404
    if clip_for_media_name(request.user, name) is None:
        raise Http404
    return _send(request, name)


@require_safe
def attempt_serve(request: HttpRequest, attempt_id: int, name: str) -> HttpResponse:
    """A round's media or poster under a name of the user's own attempt (media_key)."""
    if not request.user.is_authenticated:
        raise Http404
    stored = attempt_media_name(request.user, attempt_id, name)
    if stored is None:
        raise Http404
    return _send(request, stored, served_as=f"attempt/{attempt_id}/{name}")


@require_safe
def lesson_serve(request: HttpRequest, name: str) -> HttpResponse:
    """A lesson example's file under a name of the learner's own (quiz.selectors.learn)."""
    stored = lesson_media_name(request.user, name)
    if stored is None:
        raise Http404
    return _send(request, stored, served_as=f"lesson/{name}")


@require_safe
def live_serve(request: HttpRequest, game_id: int, name: str) -> HttpResponse:
    """A live lesson round's file under a name of the device's player's own attempt
    (quiz.selectors.live): guest players have no sign-in, so attempt_serve cannot serve them."""
    stored = device_media_name(
        game_id=game_id,
        user=request.user if request.user.is_authenticated else None,
        session=request.session,
        name=name,
    )
    if stored is None:
        raise Http404
    return _send(request, stored, served_as=f"live/{game_id}/{name}")


def _send(request: HttpRequest, name: str, *, served_as: str = "") -> HttpResponse:
    """The served file `name` (a stored name, access already checked), whole or one range.

    With `served_as` (a player's own name for it) the file carries that name's trailer, and
    Django sends it itself: nginx could only send the stored file, the same bytes under
    every name."""
    suffix = name.rsplit(".", 1)[1]
    content_type = CONTENT_TYPES[suffix]
    if settings.MEDIA_ACCEL_REDIRECT and not served_as:
        # Production behind nginx: Django checks access, nginx sends the bytes (with ranges
        # and sendfile) from an `internal` location that maps to MEDIA_ROOT. The stored name
        # in this header stays between Django and nginx; the client never sees it.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT.rstrip("/") + "/" + name
        response["Cache-Control"] = "private, max-age=86400"
        return response
    path = media_path(name)
    try:
        handle = path.open("rb")
    except OSError:
        raise Http404 from None
    stored_size = path.stat().st_size
    tail = (
        trailer(handle, stored_size, suffix=suffix, served_as=served_as)
        if served_as
        else NO_TRAILER
    )
    size = stored_size + tail.length
    wanted = _parse_range(request.headers["Range"], size) if "Range" in request.headers else None
    if wanted == "unsatisfiable":
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is None:
        response = StreamingHttpResponse(
            _read(handle, 0, size, stored_size, tail), content_type=content_type
        )
        response["Content-Length"] = str(size)
    else:
        start, end = wanted
        response = StreamingHttpResponse(
            _read(handle, start, end - start + 1, stored_size, tail),
            status=206,
            content_type=content_type,
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    # Private: access depends on who asks. A name (stored, or of one attempt) never changes
    # for the same content.
    response["Cache-Control"] = "private, max-age=86400"
    if request.method == "HEAD":
        handle.close()
        response.streaming_content = iter(())
    return response
