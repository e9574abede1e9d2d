"""The named errors of ragchat. Each message says what went wrong and how to fix it.

The CLI and the UI turn these into one readable line; anything else is a bug and keeps its traceback.
"""


class RagchatError(Exception):
    """Base class: an error a user can act on."""


class ConfigError(RagchatError):
    """A setting, flag or configuration file is invalid."""


class IngestError(RagchatError):
    """A file could not be loaded, chunked or stored."""


class StoreError(RagchatError):
    """The Chroma store or the keyword index is missing, unreachable or inconsistent."""


class BackendError(RagchatError):
    """An LLM backend is down, misconfigured or unknown."""


class EvalError(RagchatError):
    """A question set or baseline is malformed."""
