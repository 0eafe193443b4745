"""Stand-in for transformers.data (only the default collator); see data_collator.py."""

from .data_collator import default_data_collator

__all__ = ["default_data_collator"]
