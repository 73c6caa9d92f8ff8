"""The typed catalog: frozen model objects and the reader that fills them from a server."""

from pgvet.catalog.introspect import DEFAULT_EXCLUDED, read_catalog
from pgvet.catalog.model import Catalog, ObjectKey, Origin

__all__ = ["DEFAULT_EXCLUDED", "Catalog", "ObjectKey", "Origin", "read_catalog"]
