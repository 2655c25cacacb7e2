"""Organization I/O shapes."""

from datetime import datetime

from pydantic import BaseModel


class OrganizationRead(BaseModel):
    """An organization as its members see it (the invitation code admits new clients)."""

    id: int
    name: str
    kind: str
    invitation_code: str | None
    created_at: datetime
