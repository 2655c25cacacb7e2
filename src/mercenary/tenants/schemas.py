"""Organization I/O shapes."""

from datetime import datetime

from pydantic import BaseModel

from mercenary.tenants.tables import OrganizationKind


class OrganizationRead(BaseModel):
    """An organization as its members see it (the invitation code admits new clients)."""

    id: int
    name: str
    kind: OrganizationKind
    invitation_code: str | None
    created_at: datetime
