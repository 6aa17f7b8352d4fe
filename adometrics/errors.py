"""The one exception root, and its three kinds: what stops a run, what may be retried, what may be skipped."""

from __future__ import annotations


class AdometricsError(Exception):
    """Root of every error adometrics raises on purpose; its message is one line a user can act on."""


class FatalError(AdometricsError):
    """Retrying cannot help (bad credentials, missing permission, bad input): stop and say why."""


class RetriableError(AdometricsError):
    """Transient (throttled, server error, network): try again later."""


class SkippableError(AdometricsError):
    """One record or resource is unusable (deleted mid-run, malformed): skip it, say why, go on."""


class ConfigurationError(FatalError):
    """Settings or command-line input are invalid."""
