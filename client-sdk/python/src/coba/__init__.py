"""Client of the CoBa sidecar: per-task loss weights for multi-task fine-tuning.

- :class:`CobaClient` (this module, standard library only): the protocol.
- :mod:`coba.torch`: per-task losses, the weighted mix, :class:`coba.torch.Balancing` (the same
  weights on every rank). Imports torch.
- :mod:`coba.hf`: ``CobaCallback`` and ``CobaTrainer`` for the Hugging Face ``Trainer``.
  Imports transformers.
"""

from .client import DEFAULT_URL, CobaClient, CobaError, CobaUnavailableError

__all__ = ["CobaClient", "CobaError", "CobaUnavailableError", "DEFAULT_URL"]
__version__ = "0.1.0"
