"""Credentials: PATs over HTTP Basic, pluggable bearer validators, scopes, and ADO's two failure shapes.

A bad, expired or revoked credential (or one whose user's entitlement is disabled) gets ADO's 203 HTML
sign-in page, unless the request carries ``X-TFS-FedAuthRedirect: Suppress``: then 401 + TF400813 JSON and
``WWW-Authenticate``. A valid credential that lacks the route's scope gets 401 + TF400813 (BEHAVIOUR.md §2–4).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .registry import Endpoint
from .scenario.model import User
from .scenario.world import World
from .wire import AdoError, error_response

# The scopes the product asks for (ENDPOINTS.md §0.4); the default PAT carries exactly these.
PRODUCT_SCOPES = frozenset(
    {
        "vso.build",
        "vso.code",
        "vso.code_status",
        "vso.memberentitlementmanagement",
        "vso.project",
        "vso.release",
    }
)

# Inheritance from the official scope table; suffixed variants are handled by ``effective_scopes``.
_IMPLIES: dict[str, tuple[str, ...]] = {
    "vso.build": ("vso.hooks_write",),
    "vso.code": ("vso.hooks_write",),
    "vso.release": ("vso.profile",),
}
_LEVELS = ("_full", "_manage", "_write", "_execute")


def effective_scopes(scopes: Iterable[str]) -> frozenset[str]:
    """The granted scopes plus everything they imply, transitively (``vso.code_full`` ⊃ … ⊃ ``vso.code``)."""
    result: set[str] = set()
    pending = list(scopes)
    while pending:
        scope = pending.pop()
        if scope in result:
            continue
        result.add(scope)
        pending.extend(_IMPLIES.get(scope, ()))
        for i, suffix in enumerate(_LEVELS):
            if scope.endswith(suffix):
                area = scope[: -len(suffix)]
                pending.append(area)
                pending.extend(area + lower for lower in _LEVELS[i + 1 : 3])
    return frozenset(result)


def parse_scopes(raw: str | Iterable[str]) -> frozenset[str]:
    """Scopes as a list or as OAuth's space-separated string."""
    items = raw.split() if isinstance(raw, str) else list(raw)
    return frozenset(s.strip() for s in items if s and s.strip())


@dataclass(slots=True)
class Principal:
    """An authenticated caller. ``scopes`` are as granted; checks use their implied closure."""

    identity_id: str
    scopes: frozenset[str]
    kind: str = "pat"
    expires: datetime | None = None


@dataclass(slots=True)
class PersonalAccessToken:
    token: str
    identity_id: str
    scopes: frozenset[str]
    expires: datetime | None = None
    revoked: bool = False


Validator = Callable[[str], "Principal | None"]


@dataclass(slots=True)
class _Failure:
    """Why a credential was refused: ``bad`` (sign-in page / 401) or ``scope`` (401 JSON)."""

    reason: str
    identity_id: str = ""


@dataclass
class Authenticator:
    """Holds the PATs of one simulated organization and judges each request's credential."""

    world: World
    pats: dict[str, PersonalAccessToken] = field(default_factory=dict)
    validators: list[Validator] = field(default_factory=list)
    default_token: str = ""
    # Extra ``WWW-Authenticate`` challenges (a fake Entra ID adds its Bearer one).
    challenges: list[str] = field(default_factory=list)
    _index: dict[str, User] = field(default_factory=dict, repr=False)
    _indexed: int = field(default=-1, repr=False)

    # -- PATs ----------------------------------------------------------------------------------------

    def create_default(self, token: str | None, seed: int) -> PersonalAccessToken:
        """The PAT every scenario starts with: the product scopes, owned by an administrator."""
        token = token or deterministic_token(f"{self.world.organization}|{seed}")
        pat = self.add_pat(token, admin_identity(self.world), PRODUCT_SCOPES)
        self.default_token = pat.token
        return pat

    def add_pat(
        self,
        token: str | None,
        identity_id: str,
        scopes: Iterable[str],
        expires: datetime | None = None,
    ) -> PersonalAccessToken:
        token = token or new_token()
        if not token or ":" in token:
            message = "A PAT must be non-empty and contain no ':'."
            raise AdoError(400, "InvalidArgumentValueException", message)
        pat = PersonalAccessToken(token, identity_id, parse_scopes(scopes), expires)
        self.pats[token] = pat
        return pat

    def revoke(self, token: str) -> PersonalAccessToken:
        pat = self.pats.get(token)
        if pat is None:
            raise AdoError(404, "SessionTokenNotFoundException", "The personal access token was not found.")
        pat.revoked = True
        return pat

    # -- users -----------------------------------------------------------------------------------------

    def find_user(self, key: str) -> User | None:
        """A user by identity id, unique name (e-mail) or descriptor, case-insensitively."""
        users = self.world.users()
        if len(users) != self._indexed:  # rebuilt only when the membership changes (checked per request)
            self._index = {}
            for user in users:
                ident = user.identity
                for k in (ident.id, ident.unique_name, ident.descriptor):
                    self._index.setdefault(k.lower(), user)
            self._indexed = len(users)
        return self._index.get(key.lower())

    def set_user_status(self, key: str, status: str) -> User:
        """Disable or re-enable a user's entitlement; the entitlement routes see the same record."""
        user = self.find_user(key)
        if user is None:
            raise AdoError(404, "UserNotFoundException", f"The user '{key}' was not found.")
        user.status = status
        return user

    def _user_active(self, identity_id: str) -> bool:
        user = self.find_user(identity_id)
        if user is None:  # service identities (e.g. a fake Entra app) are not organization users
            return self.world.identity(identity_id) is not None
        return user.status != "disabled"

    # -- validators ----------------------------------------------------------------------------------

    def add_validator(self, fn: Validator) -> None:
        """Register a bearer-token validator (e.g. a fake Entra ID); the first one that accepts wins."""
        self.validators.append(fn)

    def _from_header(self, request: Request) -> Principal | None:
        scheme, _, value = request.headers.get("authorization", "").strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "basic":
            return self._pat_principal(_basic_password(value))
        if scheme.lower() == "bearer" and value:
            for validator in self.validators:
                principal = validator(value)
                if principal is not None:
                    return principal
        return None

    def _pat_principal(self, token: str | None) -> Principal | None:
        pat = self.pats.get(token) if token else None
        if pat is None or pat.revoked:
            return None
        return Principal(pat.identity_id, pat.scopes, "pat", pat.expires)

    def _valid(self, principal: Principal | None) -> bool:
        if principal is None:
            return False
        if principal.expires is not None and principal.expires <= self.world.now:
            return False
        return self._user_active(principal.identity_id)

    # -- the checks the dispatcher runs ----------------------------------------------------------------

    def identify(self, request: Request) -> str | None:
        """The identity behind a valid credential, ignoring scopes (for throttling and the request log)."""
        principal = self._from_header(request)
        return principal.identity_id if self._valid(principal) else None

    def authenticate(self, request: Request, ep: Endpoint) -> Principal | Response:
        principal = self._from_header(request)
        if principal is None or not self._valid(principal):
            return self.refusal(request)
        if ep.scopes and not ep.scopes & effective_scopes(principal.scopes):
            return _unauthorized(principal.identity_id)
        return principal

    def refusal(self, request: Request) -> Response:
        """ADO's answer to a bad credential: the sign-in page, or 401 JSON when redirects are suppressed."""
        if request.headers.get("x-tfs-fedauthredirect", "").lower() == "suppress":
            realm = f"{request.url.scheme}://{request.url.netloc}/"
            response = _unauthorized("")
            challenges = [f'Basic realm="{realm}"', *self.challenges]
            response.headers["WWW-Authenticate"] = ", ".join(challenges)
            return response
        return HTMLResponse(signin_page(), status_code=203)


def _unauthorized(user: str) -> Response:
    message = f"TF400813: The user '{user}' is not authorized to access this resource."
    return error_response(401, "UnauthorizedRequestException", message)


def _basic_password(value: str) -> str | None:
    """The password of ``base64(user:password)``; None when malformed (ADO answers those with 203)."""
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _user, sep, password = decoded.partition(":")
    return password if sep else None


def admin_identity(world: World) -> str:
    """An active administrator of the world: the scenario's own choice if it names one, else the first
    team administrator who is an active user, else the first active user."""
    chosen = getattr(world, "admin_id", None)
    if chosen:
        return chosen
    users = [u for u in world.users() if u.status == "active" and u.identity.kind == "user"]
    if not users:
        raise RuntimeError("the scenario has no active user to own the default PAT")
    active = {u.identity.id for u in users}
    for project in world.projects():
        for team in world.teams(project.id):
            for admin in team.admin_ids:
                if admin in active:
                    return admin
    return users[0].identity.id


_TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def deterministic_token(material: str) -> str:
    """A 52-character base32-lower token (the classic PAT shape), stable for one scenario and seed."""
    digest = hashlib.sha256(material.encode()).digest() + hashlib.sha256(b"pat" + material.encode()).digest()
    return "".join(_TOKEN_ALPHABET[b % 32] for b in digest[:52])


def new_token() -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(52))


@cache
def signin_page() -> str:
    return resources.files(__package__).joinpath("pages/signin.html").read_text(encoding="utf-8")
