"""Uploads (SEC-3): a streamed multipart body with a byte cap, judged by its bytes, stored in the
blob store; ``receive_upload`` is the one entry point (``pipeline.py``)."""

from mercenary.files.content import KINDS, Kind, ZipLimits
from mercenary.files.pipeline import StoredUpload, UploadPolicy, discard, receive_upload

__all__ = ["KINDS", "Kind", "StoredUpload", "UploadPolicy", "ZipLimits", "discard", "receive_upload"]
