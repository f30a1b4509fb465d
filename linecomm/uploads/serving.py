"""The HTTP side of photos, for features' own views: read an uploaded file from a multipart form within the
size limit, and answer a stored photo with safe headers (after the feature checked the viewer may see it)."""
from __future__ import annotations

from flask import Request, Response, abort
from sqlalchemy.orm import Session

from linecomm.uploads import copy
from linecomm.uploads import service as uploads
from linecomm.uploads.images import PhotoRefused

FORM_ALLOWANCE = 256 * 1024  # the other fields and the multipart framing around the photo


def limit_body(request: Request, max_bytes: int) -> None:
    """Cap the request body at what a form with one acceptable photo needs. Call it before anything reads
    the form (a `before_app_request` of your blueprint, limited to your upload endpoints: the app's
    control-character check parses forms before blueprint hooks run); a larger body then raises Werkzeug's
    RequestEntityTooLarge (413) unread; answer it with `copy.too_large(max_bytes)` beside the field."""
    request.max_content_length = max_bytes + FORM_ALLOWANCE


def read_photo_field(request: Request, field: str, max_bytes: int) -> bytes | None:
    """The bytes of the file posted as `field` (None when no file was chosen), never more than
    `max_bytes` + 1 read. The client's file name and content type are ignored."""
    upload = request.files.get(field)
    if upload is None or not upload.filename and upload.content_length == 0:
        return None
    data = upload.stream.read(max_bytes + 1)
    if not data and not upload.filename:
        return None
    if len(data) > max_bytes:
        raise PhotoRefused(copy.too_large(max_bytes), 413)
    return data


def photo_response(session: Session, request: Request, photo_id: str | None, *, cache_seconds: int = 3600) -> Response:
    """The stored photo, or 404. A photo's bytes never change under its id, so the id is its ETag; cached
    by the member's own browser only (members' content stays out of shared caches)."""
    photo = uploads.get(session, photo_id)
    data = uploads.read(session, photo) if photo is not None else None
    if photo is None or data is None:
        abort(404)
    suffix = "png" if photo.content_type == "image/png" else "jpg"
    response = Response(data, mimetype=photo.content_type, headers={
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'inline; filename="photo-{photo.id[:8]}.{suffix}"',
        "Cache-Control": f"private, max-age={cache_seconds}",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    })
    response.set_etag(photo.id)
    return response.make_conditional(request)
