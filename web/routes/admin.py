"""Administrators' accounts page and API: who may sign in, with which role."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..accounts import ROLES, AccountError, Principal
from ..deps import accounts, render, require
from ..security import check_csrf

router = APIRouter()
Admin = Annotated[Principal, Depends(require("admin"))]


class NewAccount(BaseModel):
    username: str = Field(max_length=100)
    role: str = Field(max_length=10)
    display_name: str = Field(max_length=200)
    password: str = Field(max_length=1000)
    personal_id: str | None = Field(None, max_length=12)


@router.get("/api/v1/accounts", tags=["accounts"])
def accounts_api(request: Request, _admin: Admin) -> dict[str, Any]:
    """Every account that may sign in. Administrators only."""
    return {"accounts": [p.to_json() for p in accounts(request).all()]}


@router.post(
    "/api/v1/accounts", tags=["accounts"], status_code=201, dependencies=[Depends(check_csrf)]
)
def add_account_api(body: NewAccount, request: Request, _admin: Admin) -> dict[str, Any]:
    """A new local account (Argon2id password hash). Administrators only."""
    return _add(request, body).to_json()


@router.get("/admin/accounts", response_class=HTMLResponse, include_in_schema=False)
def accounts_page(request: Request, _admin: Admin) -> Response:
    return render(request, "accounts.html", {"accounts": accounts(request).all(), "roles": ROLES})


@router.post(
    "/admin/accounts",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(check_csrf)],
)
async def add_account_form(
    request: Request,
    _admin: Admin,
    username: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form(max_length=10)],
    display_name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    personal_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    body = NewAccount(
        username=username,
        role=role,
        display_name=display_name,
        password=password,
        personal_id=personal_id.strip() or None,
    )
    error = None
    try:
        await run_in_threadpool(_add, request, body)
    except HTTPException as refused:
        error = refused.detail
    context = {"accounts": accounts(request).all(), "roles": ROLES, "error": error}
    return render(request, "accounts.html", context, status_code=400 if error else 200)


def _add(request: Request, body: NewAccount) -> Principal:
    try:
        return accounts(request).add(
            body.username,
            body.role,
            body.display_name,
            password=body.password,
            personal_id=body.personal_id,
        )
    except AccountError as error:
        raise HTTPException(400, str(error)) from None
