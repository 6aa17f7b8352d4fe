"""adometrics: DORA and pull-request flow metrics for Azure DevOps, from metadata only."""

__version__ = "0.1.0"
