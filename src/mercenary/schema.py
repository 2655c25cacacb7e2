"""The complete schema: importing this module registers every domain's tables on ``metadata``.

Migrations and the schema check import it; domains import only their own tables.
"""

from mercenary.auth import tables as _auth
from mercenary.backends.queue import tables as _jobs
from mercenary.cvs import tables as _cvs
from mercenary.db.metadata import metadata
from mercenary.idempotency import tables as _idempotency
from mercenary.profiles import tables as _profiles
from mercenary.projects import tables as _projects
from mercenary.proposals import tables as _proposals
from mercenary.reviews import tables as _reviews
from mercenary.skills import tables as _skills
from mercenary.tenants import tables as _tenants
from mercenary.users import tables as _users

__all__ = ["metadata"]
_ = (_auth, _cvs, _idempotency, _jobs, _profiles, _projects, _proposals, _reviews, _skills, _tenants, _users)
