"""What an uploader is told when a file cannot become a clip, in words a teacher can act on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from quiz.media.files import duration_words, file_size_words

if TYPE_CHECKING:
    from quiz.models import Clip


def too_big_message(limit: int, size: int | None = None) -> str:
    if size is None:
        return _(
            "This file is larger than %(limit)s, the most an upload may be. Trim the video or "
            "export it at a lower quality, then upload it again."
        ) % {"limit": file_size_words(limit)}
    return _(
        "This file is %(size)s; an upload may be at most %(limit)s. Trim the video or export it "
        "at a lower quality, then upload it again."
    ) % {"size": file_size_words(size), "limit": file_size_words(limit)}


def empty_file_message() -> str:
    return _(
        "This file is empty (0 bytes). Check that it finished downloading or copying, then "
        "upload it again."
    )


def sound_only_message() -> str:
    return _(
        "This file has sound but no picture. Upload the video this sound belongs to, or an image."
    )


def too_long_message(duration_s: float, limit_s: float) -> str:
    return _(
        "This video lasts %(duration)s; a clip may be at most %(limit)s. Trim it to the part "
        "students should see and upload it again."
    ) % {"duration": duration_words(duration_s), "limit": duration_words(limit_s)}


def already_in_library_message(clip: Clip) -> str:
    name = clip.original_name or clip.description or clip.key or str(clip.pk)
    return _(
        "This file is already in the library as “%(name)s” (clip %(number)d). Open that clip "
        "instead of uploading it again."
    ) % {"name": name, "number": clip.pk}


def too_heavy_message() -> str:
    return _(
        "Processing this file took more time or memory than the server allows. Trim it or "
        "export it at a smaller size, then upload it again."
    )
