"""Organization-level generation: identities, users, projects, teams, repositories and pipeline definitions.

This part is small even for the large scenario, so it is always built eagerly. Per-repository activity is
planned in ``plan.py`` from a per-repository generator.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from .model import (
    BuildDefinition,
    Environment,
    Identity,
    Project,
    ReleaseDefinition,
    ReleaseDefinitionEnvironment,
    Repository,
    Team,
    User,
)
from .names import (
    DAY,
    FIRST_NAMES,
    HOUR,
    LAST_NAMES,
    PROJECT_NAMES,
    REPO_SUFFIXES,
    REPO_WORDS,
    descriptor,
    guid,
    rng_for,
    to_dt,
    to_ms,
)
from .sizes import Size


@dataclass(slots=True)
class RepoProfile:
    """Everything the planner needs to know about one repository."""

    index: int
    repo: Repository
    project_index: int
    kind: str  # active | disabled | empty
    prs_per_day: float
    deploy: str | None  # classic | yaml | None
    cadence: str  # continuous | daily | weekly
    contributors: tuple[int, ...]  # identity indexes (users)
    team_group: int  # identity index of the owning team's group
    prehistory: int
    pr_builds: bool = True  # a PR validation build runs on every PR push
    ci_definition_id: int | None = None
    release_definition_id: int | None = None
    environment_ids: tuple[int, int] | None = None  # (staging, production) for YAML repos


@dataclass(slots=True)
class Org:
    key: str  # "name:seed": mixed into every generator seed and SHA
    size: Size
    organization: str
    organization_id: str
    now: int  # ms
    start: int  # ms: history_start
    horizon: int  # ms: activity is planned up to here
    identities: list[Identity] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    profiles: list[RepoProfile] = field(default_factory=list)
    build_definitions: list[BuildDefinition] = field(default_factory=list)
    release_definitions: list[ReleaseDefinition] = field(default_factory=list)
    environments: list[Environment] = field(default_factory=list)
    system_account: int = 0  # identity index: "Project Collection Service Accounts" (system thread author)
    build_service: int = 0  # identity index: the build service (CI requestedBy, statuses)
    bot: int = 0  # identity index: a service that comments on PRs


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def build_org(size: Size, key: str, organization: str, now: datetime, horizon_days: int) -> Org:
    rng = rng_for(key, "org")
    now_ms = to_ms(now)
    org = Org(key, size, organization, guid(rng), now_ms, now_ms - 365 * DAY, now_ms + horizon_days * DAY)
    _people(org, rng)
    _projects(org, rng)
    _repositories(org, rng)
    _definitions(org, rng)
    return org


def _person_names(rng, count: int) -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    names = []
    while len(names) < count:
        pair = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        if pair in seen and len(seen) < len(FIRST_NAMES) * len(LAST_NAMES):
            continue
        seen.add(pair)
        names.append(pair)
    return names


def _people(org: Org, rng) -> None:
    """Users first (identity index == user index), then the service identities."""
    count = org.size.users
    names = _person_names(rng, count)
    stakeholders = {i for i in range(2, count) if i % 9 == 4}
    guest, never = count - 1, count - 2
    for i, (first, last) in enumerate(names):
        alias = ascii_fold(f"{first}.{last}") + ("" if i < len(FIRST_NAMES) * 2 else str(i))
        email = f"{alias}@partner.example" if i == guest else f"{alias}@{org.organization}.example"
        identity = Identity(guid(rng), f"{first} {last}", email, descriptor("aad", guid(rng)), "user")
        org.identities.append(identity)
        created = org.start - int(rng.uniform(30, 900) * DAY)
        if i in (guest, never):
            created = org.now - int(rng.uniform(10, 60) * DAY)
        accessed = None if i == never else to_dt(org.now - int(rng.uniform(0.5, 72) * HOUR))
        user = User(identity, to_dt(created), accessed, origin_id=guid(rng))
        if i in stakeholders:
            user.license, user.license_display_name = "stakeholder", "Stakeholder"
        elif i == 3:
            user.license, user.license_display_name = "advanced", "Basic + Test Plans"
        if i == guest:
            user.meta_type = "guest"
        org.users.append(user)
    org.system_account = _service(
        org,
        rng,
        "group",
        f"[{org.organization}]\\Project Collection Service Accounts",
        f"vstfs:///Framework/IdentityDomain/{org.organization_id}\\Service Accounts",
    )
    org.build_service = _service(
        org,
        rng,
        "service",
        f"Project Collection Build Service ({org.organization})",
        f"Build\\{org.organization_id}",
    )
    org.bot = _service(org, rng, "service", "Quality Gate Bot", f"quality-bot@{org.organization}.example")


def _service(org: Org, rng, kind: str, name: str, unique: str) -> int:
    prefix = {"group": "vssgp", "service": "svc"}[kind]
    org.identities.append(Identity(guid(rng), name, unique, descriptor(prefix, guid(rng)), kind))
    return len(org.identities) - 1


def contributors_of(org: Org) -> list[int]:
    """Users who write code: not stakeholders, not the guest, not the never-seen user."""
    return [
        i
        for i, u in enumerate(org.users)
        if u.license != "stakeholder" and u.meta_type != "guest" and u.last_accessed is not None
    ]


def _projects(org: Org, rng) -> None:
    coders = contributors_of(org)
    for p in range(org.size.projects):
        name = PROJECT_NAMES[p] if p < len(PROJECT_NAMES) else f"{PROJECT_NAMES[p % len(PROJECT_NAMES)]} {p}"
        created = to_dt(org.start - int(rng.uniform(400, 1500) * DAY))
        updated = to_dt(org.start - int(rng.uniform(1, 300) * DAY))
        project = Project(guid(rng), name, f"{name} product work", created, updated, rng.randint(10, 400))
        org.projects.append(project)
        leads = _service(
            org, rng, "group", f"[{name}]\\{name} Leads", f"vstfs:///Classification/{project.id}\\Leads"
        )
        for t in range(org.size.teams_per_project):
            team_name = f"{name} Team" if t == 0 else f"{name} Team {chr(ord('A') + t - 1)}"
            members = sorted(rng.sample(coders, min(len(coders), max(3, len(coders) // org.size.projects))))
            if org.size.users > 100:
                members = sorted(rng.sample(coders, min(len(coders), 12)))
            group = _service(org, rng, "group", f"[{name}]\\{team_name}", f"[{name}]\\{team_name}")
            team = Team(
                org.identities[group].id,
                team_name,
                project.id,
                f"The {team_name}",
                [org.identities[m].id for m in members] + [org.identities[leads].id],
                [org.identities[members[0]].id],
            )
            org.teams.append(team)


def _team_members(org: Org, team: Team) -> tuple[int, ...]:
    by_id = {ident.id: i for i, ident in enumerate(org.identities)}
    return tuple(by_id[m] for m in team.member_ids if org.identities[by_id[m]].kind == "user")


def _repositories(org: Org, rng) -> None:
    size = org.size
    kinds = ["active"] * size.active_repos + ["disabled"] * size.disabled_repos + ["empty"] * size.empty_repos
    used: set[str] = set()
    per_project_teams = {p.id: [t for t in org.teams if t.project_id == p.id] for p in org.projects}
    weights = [rng.lognormvariate(0, 0.7) for _ in range(size.active_repos)]
    total = sum(weights)
    for i, kind in enumerate(kinds):
        p = i % size.projects if kind == "active" else (0 if kind == "disabled" else size.projects - 1)
        project = org.projects[p]
        name = _repo_name(rng, used, i, kind)
        created = org.start - int(rng.uniform(60, 1200) * DAY)
        has_code = kind != "empty"
        repo = Repository(
            guid(rng),
            name,
            project.id,
            "refs/heads/main" if has_code else None,
            rng.randint(200_000, 90_000_000) if has_code else 0,
            to_dt(created),
            is_disabled=kind == "disabled",
        )
        team = per_project_teams[project.id][rng.randrange(len(per_project_teams[project.id]))]
        members = _team_members(org, team)
        rate = size.prs_per_year * weights[i] / total / 365 if kind == "active" else 0.0
        deploy = None
        if kind == "active":
            if i == 0:
                deploy = "classic"
            elif i == 1:
                deploy = "yaml"
            elif rng.random() < size.deploying_share:
                deploy = "yaml" if rng.random() < size.yaml_share else "classic"
        cadence = ("continuous", "daily", "weekly")[0 if i < 2 else rng.choices((0, 1, 2), (5, 3, 2))[0]]
        pre = rng.randint(*size.prehistory) if has_code else 0
        group = next(j for j, ident in enumerate(org.identities) if ident.id == team.id)
        prof = RepoProfile(i, repo, p, kind, rate, deploy, cadence, members, group, pre)
        prof.pr_builds = i < 2 or rng.random() < 0.7
        org.profiles.append(prof)


def _repo_name(rng, used: set[str], i: int, kind: str) -> str:
    """Unique names; the first two active repos are ``web`` and ``api`` so tests can name them."""
    if kind == "active" and i < 2:
        name = ("web", "api")[i]
    else:
        name = rng.choice(REPO_WORDS) + rng.choice(REPO_SUFFIXES)
        if kind == "disabled":
            name = "legacy-" + name
        elif kind == "empty":
            name = "sandbox" if "sandbox" not in used else f"sandbox-{i}"
        if name in used:
            name = f"{name}-{i}"
    used.add(name)
    return name


def _definitions(org: Org, rng) -> None:
    env_by_project: dict[str, tuple[int, int]] = {}
    for prof in org.profiles:
        if prof.kind == "empty":
            continue
        repo = prof.repo
        author = org.identities[prof.contributors[0]].id
        created = repo.created + (to_dt(DAY) - to_dt(0))
        definition = BuildDefinition(
            len(org.build_definitions) + 1,
            f"{repo.name}-ci",
            "\\",
            repo.project_id,
            repo.id,
            created,
            rng.randint(1, 40),
            author,
        )
        org.build_definitions.append(definition)
        prof.ci_definition_id = definition.id
        if prof.deploy == "classic":
            rid = len(org.release_definitions) + 1
            envs = [
                ReleaseDefinitionEnvironment(2 * rid - 1, "Staging", 1),
                ReleaseDefinitionEnvironment(2 * rid, "Production", 2),
            ]
            org.release_definitions.append(
                ReleaseDefinition(
                    rid,
                    f"{repo.name}-release",
                    "\\",
                    repo.project_id,
                    created,
                    created,
                    author,
                    rng.randint(2, 30),
                    envs,
                    [definition.id],
                )
            )
            prof.release_definition_id = rid
        elif prof.deploy == "yaml":
            if repo.project_id not in env_by_project:
                env_by_project[repo.project_id] = (
                    _environment(org, rng, prof, "staging"),
                    _environment(org, rng, prof, "production"),
                )
            prof.environment_ids = env_by_project[repo.project_id]


def _environment(org: Org, rng, prof: RepoProfile, name: str) -> int:
    env_id = len(org.environments) + 1
    created = prof.repo.created + (to_dt(2 * DAY) - to_dt(0))
    author = org.identities[prof.contributors[0]].id
    org.environments.append(
        Environment(env_id, name, f"The {name} environment", prof.repo.project_id, created, author, created)
    )
    return env_id
