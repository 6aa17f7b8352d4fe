"""The simulator's mutable state: the world, credentials, throttling, faults, the request log, hooks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .auth import Authenticator
from .faults import FaultInjector
from .hooks import ServiceHooks
from .requestlog import RequestLog
from .scenario import build_world
from .scenario.world import World
from .throttle import Throttle, ThrottleConfig


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    scenario: str = "tiny"
    seed: int = 1
    organization: str = "fabrikam"
    throttle: ThrottleConfig | None = None  # None: no throttling (unit tests)
    pat: str | None = None  # the default PAT's token; None derives a stable one from organization + seed
    latency_ms: float = 0.0  # added to every request (benchmarks)
    max_recent: int = 1000  # request-log entries kept


class Simulator:
    """Everything one simulated organization holds; ``reset`` rebuilds it from its config."""

    def __init__(self, config: SimulatorConfig | None = None):
        self.config = config or SimulatorConfig()
        self.hooks = ServiceHooks(self)
        self.reset()

    def reset(self, config: SimulatorConfig | None = None, **changes: Any) -> None:
        """Rebuild the world and forget credentials, faults, throttling state and the log."""
        config = config or self.config
        if changes:
            config = replace(config, **changes)
        world = build_world(config.scenario, seed=config.seed, organization=config.organization)
        self.config = config
        self.world: World = world
        self.auth = Authenticator(world)
        self.auth.create_default(config.pat, config.seed)
        self.throttle = Throttle(config.throttle)
        self.faults = FaultInjector(seed=config.seed, latency_ms=config.latency_ms)
        self.log = RequestLog(config.max_recent)
        hooks = getattr(self, "hooks", None)
        if hooks is not None and hasattr(hooks, "reset"):
            hooks.reset()

    @property
    def pat(self) -> str:
        """The token of the default PAT (product scopes, owned by an administrator)."""
        return self.auth.default_token

    @property
    def organization_path(self) -> str:
        return "/" + self.world.organization
