"""Organization endpoints."""

from fastapi import APIRouter

from mercenary.errors import NotFoundError
from mercenary.tenants import service
from mercenary.tenants.schemas import OrganizationRead
from mercenary.web.deps import SignedIn
from mercenary.web.openapi import raises

router = APIRouter(prefix="/api/v1/organizations", tags=["organizations"])


@router.get("/current", response_model=OrganizationRead)
@raises(NotFoundError)
async def current_organization(caller: SignedIn) -> OrganizationRead:
    """The caller's organization. Only clients and admins see its invitation code."""
    db, principal = caller.state.db, caller.principal
    row = await service.access_organization(db, principal.tenant_id, tenant_id=principal.tenant_id)
    if principal.role == "freelancer":
        row = {**row, "invitation_code": None}
    return OrganizationRead.model_validate(row)
