"""A faithful Azure DevOps + Entra ID simulator for tests and the demo. Production code never imports it."""
