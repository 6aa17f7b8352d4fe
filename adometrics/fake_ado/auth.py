"""Credential checks. Minimal version: H2 (auth/throttle/faults) completes it — see its docstrings."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from .registry import Endpoint
from .scenario.world import World
from .wire import error_response


@dataclass(slots=True)
class Principal:
    identity_id: str
    scopes: frozenset[str]
    kind: str = "pat"


@dataclass(slots=True)
class PersonalAccessToken:
    token: str
    identity_id: str
    scopes: frozenset[str]
    revoked: bool = False


@dataclass
class Authenticator:
    world: World
    pats: dict[str, PersonalAccessToken] = field(default_factory=dict)

    def add_pat(self, token: str, identity_id: str, scopes: frozenset[str]) -> PersonalAccessToken:
        pat = PersonalAccessToken(token, identity_id, scopes)
        self.pats[token] = pat
        return pat

    def authenticate(self, request: Request, ep: Endpoint) -> Principal | Response:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                _, _, token = base64.b64decode(value).decode().partition(":")
            except ValueError:
                token = ""
            pat = self.pats.get(token)
            if pat is not None and not pat.revoked:
                if ep.scopes & pat.scopes:
                    return Principal(pat.identity_id, pat.scopes)
        return error_response(401, "UnauthorizedRequestException",
                              "TF400813: The user '' is not authorized to access this resource.")
