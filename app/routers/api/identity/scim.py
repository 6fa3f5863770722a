"""SCIM 2.0 (RFC 7644) at /scim/v2 for the HR system or identity provider: bearer tokens of API
clients with the ``scim`` scope. Bodies and errors use ``application/scim+json``."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query
from pydantic import ValidationError
from scim2_models import (
    Context,
    Group,
    InvalidValueException,
    ListResponse,
    NotFoundException,
    NotImplementedException,
    ResponseParameters,
    SearchRequest,
)
from starlette.responses import Response

from app.actors import Actor
from app.deps import Allow, SessionDep
from app.problems import SCIM_MEDIA_TYPE
from app.services.identity import scim_discovery, scim_groups, scim_users
from app.services.identity.scim_resources import UserResource, base_url, invalid_value, to_resource, version

router = APIRouter(prefix="/scim/v2", tags=["scim"], include_in_schema=False)

Client = Annotated[Actor, Depends(Allow("scim.provision"))]  # a staff session: 403 (no role has it)
Payload = Annotated[Any, Body()]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=500)]
Filter = Annotated[str | None, Query(alias="filter", max_length=4000)]  # over 1000: invalidFilter
StartIndex = Annotated[int | None, Query(alias="startIndex", le=1_000_000_000)]
Count = Annotated[int | None, Query(alias="count", le=1_000_000_000)]
Attributes = Annotated[str | None, Query(max_length=1000)]
Excluded = Annotated[str | None, Query(alias="excludedAttributes", max_length=1000)]


def _json(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A SCIM body; never cached (employees' personal data)."""
    return Response(
        json.dumps(body).encode(),
        status_code=status,
        media_type=SCIM_MEDIA_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _parameters(model: Any, attributes: str | None, excluded: str | None) -> ResponseParameters[Any] | None:
    if not attributes and not excluded:
        return None
    try:
        return ResponseParameters[model](attributes=attributes, excluded_attributes=excluded)
    except (ValidationError, ValueError) as exc:
        raise InvalidValueException(detail="attributes and excludedAttributes are not valid.") from exc


def _user(employee: Any, status: int = 200, params: Any = None) -> Response:
    body = to_resource(employee).model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=params
    )
    headers = {"ETag": version(employee)}
    if status == 201:
        headers["Location"] = f"{base_url()}/Users/{employee.id}"
    return _json(body, status, headers)


@router.get("/ServiceProviderConfig")
def service_provider_config(actor: Client) -> Response:
    return _json(
        scim_discovery.service_provider_config().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    )


def _listing(items: list[Any]) -> Response:
    dumped = [i.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE) for i in items]
    return _json(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": len(dumped),
            "startIndex": 1,
            "itemsPerPage": len(dumped),
            "Resources": dumped,
        }
    )


def _one(items: list[Any], item_id: str) -> Response:
    found = scim_discovery.find(items, item_id)
    if found is None:
        raise NotFoundException(detail="There is nothing with this id.")
    return _json(found.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@router.get("/ResourceTypes")
def resource_types(actor: Client) -> Response:
    return _listing(scim_discovery.resource_types())


@router.get("/ResourceTypes/{type_id}")
def resource_type(type_id: str, actor: Client) -> Response:
    return _one(scim_discovery.resource_types(), type_id)


@router.get("/Schemas")
def schemas(actor: Client) -> Response:
    return _listing(scim_discovery.schemas())


@router.get("/Schemas/{schema_id}")
def schema(schema_id: str, actor: Client) -> Response:
    return _one(scim_discovery.schemas(), schema_id)


def _search(
    session: SessionDep,
    actor: Actor,
    *,
    filter: str | None,
    start_index: int | None,
    count: int | None,
    params: ResponseParameters[Any] | None,
) -> Response:
    rows, total, start = scim_users.search_users(
        session, actor=actor, filter=filter, start_index=start_index, count=count
    )
    session.commit()
    listing = ListResponse[UserResource](
        total_results=total,
        start_index=start,
        items_per_page=len(rows),
        resources=[to_resource(r) for r in rows],
    )
    return _json(listing.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=params))


@router.post("/.search")
def search_everything(actor: Client) -> Response:
    """RFC 7644 §3.4.3: a search across resource types is not supported (501)."""
    raise NotImplementedException(detail="Search one resource type at a time: POST /Users/.search.")


@router.get("/Users")
def list_users(
    session: SessionDep,
    actor: Client,
    filter: Filter = None,
    start_index: StartIndex = None,
    count: Count = None,
    attributes: Attributes = None,
    excluded: Excluded = None,
) -> Response:
    params = _parameters(UserResource, attributes, excluded)
    return _search(session, actor, filter=filter, start_index=start_index, count=count, params=params)


@router.post("/Users/.search")
def search_users(payload: Payload, session: SessionDep, actor: Client) -> Response:
    """RFC 7644 §3.4.3: the same query in a ``SearchRequest`` body."""
    try:
        request = SearchRequest[UserResource].model_validate(payload, scim_ctx=Context.SEARCH_REQUEST)
    except ValidationError as exc:
        raise invalid_value(exc) from exc
    if request.sort_by is not None:
        raise InvalidValueException(detail="Sorting is not supported.")
    params = ResponseParameters[UserResource](
        attributes=request.attributes, excluded_attributes=request.excluded_attributes
    )
    return _search(
        session,
        actor,
        filter=str(request.filter) if request.filter is not None else None,
        start_index=request.start_index,
        count=request.count,
        params=params,
    )


@router.post("/Users")
def create_user(payload: Payload, session: SessionDep, actor: Client) -> Response:
    employee = scim_users.create_user(session, actor=actor, payload=payload)
    session.commit()
    return _user(employee, 201)


@router.get("/Users/{user_id}")
def get_user(
    user_id: str, session: SessionDep, actor: Client, attributes: Attributes = None, excluded: Excluded = None
) -> Response:
    params = _parameters(UserResource, attributes, excluded)
    employee = scim_users.get_user(session, actor=actor, user_id=user_id)
    session.commit()
    return _user(employee, params=params)


@router.put("/Users/{user_id}")
def replace_user(
    user_id: str, payload: Payload, session: SessionDep, actor: Client, if_match: IfMatch = None
) -> Response:
    employee = scim_users.replace_user(
        session, actor=actor, user_id=user_id, payload=payload, if_match=if_match
    )
    session.commit()
    return _user(employee)


@router.patch("/Users/{user_id}")
def patch_user(
    user_id: str, payload: Payload, session: SessionDep, actor: Client, if_match: IfMatch = None
) -> Response:
    employee = scim_users.patch_user(
        session, actor=actor, user_id=user_id, payload=payload, if_match=if_match
    )
    session.commit()
    return _user(employee)


@router.delete("/Users/{user_id}", status_code=204)
def delete_user(user_id: str, session: SessionDep, actor: Client, if_match: IfMatch = None) -> Response:
    scim_users.delete_user(session, actor=actor, user_id=user_id, if_match=if_match)
    session.commit()
    return Response(status_code=204)


@router.get("/Groups")
def list_groups(
    session: SessionDep,
    actor: Client,
    filter: Filter = None,
    start_index: StartIndex = None,
    count: Count = None,
    attributes: Attributes = None,
    excluded: Excluded = None,
) -> Response:
    params = _parameters(Group, attributes, excluded)
    groups, total, start = scim_groups.search_groups(
        session, actor=actor, filter=filter, start_index=start_index, count=count
    )
    session.commit()
    listing = ListResponse[Group](
        total_results=total, start_index=start, items_per_page=len(groups), resources=groups
    )
    return _json(listing.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=params))


@router.get("/Groups/{group_id}")
def get_group(
    group_id: str,
    session: SessionDep,
    actor: Client,
    attributes: Attributes = None,
    excluded: Excluded = None,
) -> Response:
    params = _parameters(Group, attributes, excluded)
    group = scim_groups.get_group(session, actor=actor, group_id=group_id)
    session.commit()
    headers = {"ETag": group.meta.version} if group.meta and group.meta.version else None
    return _json(
        group.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=params),
        headers=headers,
    )


@router.patch("/Groups/{group_id}")
def patch_group(
    group_id: str, payload: Payload, session: SessionDep, actor: Client, if_match: IfMatch = None
) -> Response:
    group = scim_groups.patch_group(
        session, actor=actor, group_id=group_id, payload=payload, if_match=if_match
    )
    session.commit()
    headers = {"ETag": group.meta.version} if group.meta and group.meta.version else None
    return _json(group.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE), headers=headers)
