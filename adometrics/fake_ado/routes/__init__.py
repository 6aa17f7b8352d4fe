"""Importing this package registers every simulated endpoint (see ``registry.endpoint``)."""

from . import (  # noqa: F401
    builds,
    content,
    control,
    core,
    discovery,
    environments,
    git,
    hooks,
    identities,
    pulls,
    releases,
)
