"""A small organization written by hand, so a test can state every metric it must produce.

Time is counted in hours from T0, Monday 2026-03-02 00:00 UTC; the reports look at the four ISO weeks
[T0, T0 + 28 days). One project (Shop), one repository (web), one team (Checkout: Alice, Carol and a group),
YAML environments `staging` and `production`. The story, in hours:

    PR 1 (Alice)  commit c1 authored 10, created 12, Bob votes 10 at 14, merged 20 as m1
    PR 2 (Carol)  commit c2 authored 30, created 32, Bob comments at 33, Alice votes 5 at 40, merged 44 as m2
    PR 3 (Alice)  commit c3 authored 50, created 52; only Alice's own vote (55) and a bot's comment (56):
                  never reviewed; merged 60 as m3
    PR 4 (Bob)    commit c4 authored 68, created 70, abandoned 80
    PR 5 (Alice)  commit c5 authored 190, created 200, still open

    CI builds: b1 (m1) finishes 21, b2 (m2) 45, b3 (m3) 61, b4 (m2 again, manual) 98, b5 (m3 again) 118
    staging     r1  b1 succeeded 22                                   (not production: ignored)
    production  r2  b1 succeeded 24    ships m1 (with c1 and the base commit)
                r3  b2 failed    48
                r4  b2 succeeded 50    stage re-run: ships m2, c2; restores r3 after 2 h
                r5  b3 succeeded 64    ships m3, c3
                r6  b4 succeeded 100   m2 is an ancestor of m3: a rollback, so r5 is rolled back
                                       (a failure, restored by r6 after 36 h)
                r7  b5 succeeded 120   m3 again: ships m3, c3 (not a first deployment any more)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adometrics.fake_ado.auth import Authenticator
from adometrics.fake_ado.scenario import RecordWorld
from adometrics.fake_ado.scenario.model import (
    Build,
    BuildDefinition,
    Comment,
    Commit,
    Environment,
    EnvironmentDeploymentRecord,
    Identity,
    Iteration,
    Project,
    PullRequest,
    Ref,
    Repository,
    Reviewer,
    Signature,
    Team,
    Thread,
    User,
    VoteEvent,
)
from adometrics.fake_ado.state import Simulator, SimulatorConfig

T0 = datetime(2026, 3, 2, tzinfo=UTC)
ORG = "handmade"
ORG_ID = "0a000000-0000-4000-8000-000000000001"
PROJECT_ID = "0b000000-0000-4000-8000-000000000001"
REPO_ID = "0c000000-0000-4000-8000-000000000001"
TEAM_ID = "0d000000-0000-4000-8000-000000000001"
ALICE = Identity("1a000000-0000-4000-8000-00000000000a", "Alice", "alice@shop.example", "aad.QWxpY2U")
BOB = Identity("1b000000-0000-4000-8000-00000000000b", "Bob", "bob@shop.example", "aad.Qm9i")
CAROL = Identity("1c000000-0000-4000-8000-00000000000c", "Carol", "carol@shop.example", "aad.Q2Fyb2w")
LEADS = Identity("1d000000-0000-4000-8000-00000000000d", "[Shop]\\Leads", "[Shop]\\Leads", "vssgp.TGVhZHM",
                 "group")
BOT = Identity("1e000000-0000-4000-8000-00000000000e", "Quality Bot", "bot@shop.example", "svc.Qm90",
               "service")


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def sha(name: str) -> str:
    """A readable 40-hex commit id: the name's bytes, padded."""
    return name.encode().hex().ljust(40, "0")


def commit(name: str, parents: tuple[str, ...], authored: float, pushed: float,
           who: Identity = ALICE) -> Commit:
    author = Signature(who.display_name, who.unique_name, h(authored))
    return Commit(sha(name), tuple(sha(p) for p in parents), sha("t" + name), author,
                  Signature(who.display_name, who.unique_name, h(pushed)), name, (0, 1, 0), h(pushed), 1)


def vote_thread(thread_id: int, who: Identity, at: float, vote: int) -> Thread:
    properties = {"CodeReviewThreadType": ("System.String", "VoteUpdate"),
                  "CodeReviewVoteResult": ("System.String", str(vote)),
                  "CodeReviewVotedByTfId": ("System.String", who.id.replace("-", ""))}
    text = f"{who.display_name} voted {vote}"
    return Thread(thread_id, h(at), h(at), None, properties, [Comment(1, 0, "system", h(at), "system", text)],
                  True)


def comment_thread(thread_id: int, who: Identity, at: float) -> Thread:
    remark = Comment(1, 0, who.id, h(at), "text", "A remark")
    return Thread(thread_id, h(at), h(at), "active", {}, [remark], False)


def pull_request(pr_id: int, who: Identity, name: str, created: float, closed: float | None, status: str,
                 *, base: str, threads: list[Thread] = (), reviewers: list[Reviewer] = ()) -> PullRequest:
    merge = sha(f"m{pr_id}") if status == "completed" else None
    iteration = Iteration(1, h(created), who.id, "create", sha(name), sha(base), sha(base), 1, [sha(name)])
    return PullRequest(pr_id, REPO_ID, PROJECT_ID, who.id, h(created), f"Change {pr_id}", "",
                       f"refs/heads/feature/{pr_id}", "refs/heads/main", status,
                       None if closed is None else h(closed), who.id if closed is not None else None,
                       "noFastForward", None, [sha(name)], sha(name), sha(base), merge, list(reviewers),
                       list(threads), [iteration], [])


def build(build_id: int, source: str, finished: float, reason: str = "individualCI") -> Build:
    return Build(build_id, f"20260302.{build_id}", 1, PROJECT_ID, REPO_ID, "refs/heads/main", sha(source),
                 reason, h(finished - 0.5), h(finished - 0.4), h(finished), "succeeded", ALICE.id, BOT.id)


def record(record_id: int, env_id: int, build_id: int, finished: float, result: str, attempt: int = 1):
    return EnvironmentDeploymentRecord(
        record_id, env_id, PROJECT_ID, 1, "web-ci", build_id, f"20260302.{build_id}", f"plan-{build_id}",
        "Deploy_production" if env_id == 2 else "Deploy_staging", attempt, "Deploy", 1,
        h(finished - 0.3), h(finished - 0.2), h(finished), result)


def handmade_world() -> RecordWorld:
    """The organization of the module docstring, as of T0 + 30 days."""
    start = T0 - timedelta(days=10)
    main = [commit("base", (), -100, -100)]
    main += [commit("c1", ("base",), 10, 12), commit("m1", ("base", "c1"), 20, 20)]
    main += [commit("c2", ("m1",), 30, 32, CAROL), commit("m2", ("m1", "c2"), 44, 44)]
    main += [commit("c3", ("m2",), 50, 52), commit("m3", ("m2", "c3"), 60, 60)]
    others = [commit("c4", ("m3",), 68, 70, BOB), commit("c5", ("m3",), 190, 200)]
    heads = [(h(-100), sha("base")), (h(20), sha("m1")), (h(44), sha("m2")), (h(60), sha("m3"))]
    prs = [
        pull_request(1, ALICE, "c1", 12, 20, "completed", base="base", threads=[vote_thread(1, BOB, 14, 10)],
                     reviewers=[Reviewer(BOB.id, h(12), True, [VoteEvent(h(14), 10)])]),
        pull_request(2, CAROL, "c2", 32, 44, "completed", base="m1",
                     threads=[comment_thread(1, BOB, 33), vote_thread(2, ALICE, 40, 5)],
                     reviewers=[Reviewer(ALICE.id, h(32), False, [VoteEvent(h(40), 5)])]),
        pull_request(3, ALICE, "c3", 52, 60, "completed", base="m2",
                     threads=[vote_thread(1, ALICE, 55, 10), comment_thread(2, BOT, 56)]),
        pull_request(4, BOB, "c4", 70, 80, "abandoned", base="m3"),
        pull_request(5, ALICE, "c5", 200, None, "active", base="m3"),
    ]
    builds = [build(1, "m1", 21), build(2, "m2", 45), build(3, "m3", 61), build(4, "m2", 98, "manual"),
              build(5, "m3", 118, "manual")]
    records = [record(1, 1, 1, 22, "succeeded"), record(2, 2, 1, 24, "succeeded"),
               record(3, 2, 2, 48, "failed"),
               record(4, 2, 2, 50, "succeeded", attempt=2), record(5, 2, 3, 64, "succeeded"),
               record(6, 2, 4, 100, "succeeded"), record(7, 2, 5, 120, "succeeded")]
    return RecordWorld(
        ORG, ORG_ID, T0 + timedelta(days=30), start,
        identities=[ALICE, BOB, CAROL, LEADS, BOT],
        user_list=[User(person, start - timedelta(days=100), T0) for person in (ALICE, BOB, CAROL)],
        project_list=[Project(PROJECT_ID, "Shop", "", start - timedelta(days=200), start, 1)],
        team_list=[Team(TEAM_ID, "Checkout", PROJECT_ID, "", [ALICE.id, CAROL.id, LEADS.id], [ALICE.id])],
        repository_list=[Repository(REPO_ID, "web", PROJECT_ID, "refs/heads/main", 1000,
                                    start - timedelta(days=50))],
        ref_lists={REPO_ID: [Ref("refs/heads/main", ALICE.id, h(-100), None, heads)]},
        commit_maps={REPO_ID: {c.sha: c for c in main + others}},
        pull_requests=prs,
        build_definition_list=[BuildDefinition(1, "web-ci", "\\", PROJECT_ID, REPO_ID, start, 1, ALICE.id)],
        build_list=builds,
        environment_list=[Environment(1, "staging", "", PROJECT_ID, start, ALICE.id, start),
                          Environment(2, "production", "", PROJECT_ID, start, ALICE.id, start)],
        record_list=records,
    )


def handmade_simulator() -> Simulator:
    """A simulator serving :func:`handmade_world` with the default PAT (owned by Alice, the team admin)."""
    sim = Simulator(SimulatorConfig("tiny", organization=ORG))
    sim.world = handmade_world()
    sim.auth = Authenticator(sim.world)
    sim.auth.create_default(None, 1)
    return sim
