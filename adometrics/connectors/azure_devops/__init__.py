"""The Azure DevOps connector: an HTTP client that can reach metadata endpoints only (ENDPOINTS.md §12).

Nothing here is built at import time: the entry point builds the ``httpx.Client``, the credential, the
limiter and the settings, and hands them to :class:`~.client.AdoClient`.
"""
