"""The simulator's mutable state: the world, credentials, throttling, faults, the request log, hooks."""

from __future__ import annotations

from dataclasses import dataclass

from .auth import Authenticator
from .faults import FaultInjector
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


class Simulator:
    """Everything one simulated organization holds; ``reset`` rebuilds it from its config."""

    def __init__(self, config: SimulatorConfig | None = None):
        self.config = config or SimulatorConfig()
        self.reset()

    def reset(self, config: SimulatorConfig | None = None) -> None:
        if config is not None:
            self.config = config
        self.world: World = build_world(self.config.scenario, seed=self.config.seed,
                                        organization=self.config.organization)
        self.auth = Authenticator(self.world)
        self.throttle = Throttle(self.config.throttle)
        self.faults = FaultInjector(seed=self.config.seed)
        self.log = RequestLog()
