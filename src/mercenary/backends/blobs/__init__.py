"""Blob storage (SEC-3): opaque files under random keys, in a folder (``file:///var/blobs``, the
default) or an S3-compatible bucket (``s3://bucket?endpoint=...``), chosen by ``BLOB_URL`` and
imported lazily (see ``base.py``)."""

from mercenary.backends.blobs.base import (
    BlobError,
    BlobNotFoundError,
    BlobStore,
    BlobTooLargeError,
    BlobUnavailableError,
    StoredBlob,
    UnsupportedBlobStoreError,
    from_url,
)

__all__ = [
    "BlobError",
    "BlobNotFoundError",
    "BlobStore",
    "BlobTooLargeError",
    "BlobUnavailableError",
    "StoredBlob",
    "UnsupportedBlobStoreError",
    "from_url",
]
