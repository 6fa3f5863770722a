"""What Steward's SCIM service supports, told truthfully (RFC 7643 §5-§7, RFC 7644 §4).

The schemas are scim2-models' own, cut down to the attributes Steward stores (see
``scim_resources``): a client reading them knows exactly what round-trips. PATCH, filters
(max 200 results), ETags and paging are supported; bulk, sorting and password changes are not.
"""

from __future__ import annotations

from typing import Any

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    Meta,
    Mutability,
    Patch,
    Required,
    ResourceType,
    Schema,
    ServiceProviderConfig,
    Sort,
    User,
)

from app.services.identity.scim_resources import UserResource, base_url

MAX_RESULTS = 200
USER_ATTRIBUTES: dict[str, set[str] | None] = {
    "userName": None,
    "name": {"givenName", "familyName"},
    "displayName": None,
    "title": None,
    "userType": None,
    "active": None,
    "emails": {"value", "type", "primary"},
    "groups": {"value", "$ref", "display"},
}
ENTERPRISE_ATTRIBUTES: dict[str, set[str] | None] = {"employeeNumber": None, "department": None}
EMPLOYEE_TYPES = ["staff", "substitute", "coach", "contractor", "committee_member"]
REQUIRED = {
    "emails": "The sign-in email (one, work, primary); userName when it is an address and none is sent.",
    "displayName": "The name shown; givenName and familyName (or userName) when none is sent.",
    "userType": "The kind of person: " + ", ".join(EMPLOYEE_TYPES) + "; staff when none is sent.",
    "active": "false terminates the account (WISP §V); true when none is sent.",
}


def service_provider_config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=base_url().removesuffix("/scim/v2") + "/docs",
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="OAuth bearer token",
                description="An access token from POST /api/v1/oauth/token (client credentials, scope scim).",
                primary=True,
            )
        ],
        meta=Meta(resource_type="ServiceProviderConfig", location=f"{base_url()}/ServiceProviderConfig"),
    )


def _cut(schema: Schema, keep: dict[str, set[str] | None]) -> Schema:
    attributes = []
    for attribute in schema.attributes or []:
        if attribute.name not in keep:
            continue
        subs = keep[attribute.name]
        if subs is not None and attribute.sub_attributes:
            attribute.sub_attributes = [s for s in attribute.sub_attributes if s.name in subs]
        if attribute.name in REQUIRED:
            # Every account has these; a request without one gets the default named here.
            attribute.required = Required.true
            attribute.description = REQUIRED[attribute.name]
        if attribute.name == "userType":
            attribute.canonical_values = EMPLOYEE_TYPES
        if attribute.name == "emails":
            for sub in attribute.sub_attributes or []:
                if sub.name == "value":
                    sub.required = Required.true
        attributes.append(attribute)
    schema.attributes = attributes
    schema.meta = Meta(resource_type="Schema", location=f"{base_url()}/Schemas/{schema.id}")
    return schema


def schemas() -> list[Schema]:
    group = Group.to_schema()
    group.meta = Meta(resource_type="Schema", location=f"{base_url()}/Schemas/{group.id}")
    for attribute in group.attributes or []:
        if attribute.name == "displayName":
            attribute.mutability = Mutability.read_only
    return [
        _cut(User.to_schema(), USER_ATTRIBUTES),
        _cut(EnterpriseUser.to_schema(), ENTERPRISE_ATTRIBUTES),
        group,
    ]


def resource_types() -> list[ResourceType]:
    user = ResourceType.from_resource(UserResource)
    user.meta = Meta(resource_type="ResourceType", location=f"{base_url()}/ResourceTypes/User")
    group = ResourceType.from_resource(Group)
    group.meta = Meta(resource_type="ResourceType", location=f"{base_url()}/ResourceTypes/Group")
    return [user, group]


def find(items: list[Any], item_id: str) -> Any | None:
    return next((i for i in items if i.id == item_id), None)
