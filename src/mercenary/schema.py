"""The complete schema: importing this module registers every domain's tables on ``metadata``.

Migrations and the schema check import it; domains import only their own tables.
"""

from mercenary.auth import tables as _auth
from mercenary.db.metadata import metadata
from mercenary.tenants import tables as _tenants
from mercenary.users import tables as _users

__all__ = ["metadata"]
_ = (_auth, _tenants, _users)
