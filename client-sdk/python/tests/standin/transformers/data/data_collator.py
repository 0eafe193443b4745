"""Stand-in for ``transformers.default_data_collator`` (test use only).

Modelled on transformers 5.15.0 (tag v5.15.0, commit 5eddc12edfaf8cafde8c9bae4ccb12f8a139b4f9),
src/transformers/data/data_collator.py, default_data_collator / torch_default_data_collator. Written anew from
reading the source. Rules reproduced: the first feature decides which keys exist; "label" (scalar) or "label_ids"
(sequence) become "labels" (long for ints, float otherwise); every other key whose first value is not None and not
a str is stacked (tensors), stacked from numpy arrays, or turned into a tensor with torch.tensor (lists of equal
length). Non-mapping features are read through vars(). Only return_tensors="pt" is modelled.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None


def default_data_collator(features, return_tensors="pt"):
    if return_tensors != "pt":
        raise NotImplementedError("the stand-in only collates to torch tensors")
    if not isinstance(features[0], Mapping):
        features = [vars(f) for f in features]
    first = features[0]
    batch = {}
    if "label" in first and first["label"] is not None:
        value = first["label"].item() if isinstance(first["label"], torch.Tensor) else first["label"]
        batch["labels"] = torch.tensor([f["label"] for f in features],
                                       dtype=torch.long if isinstance(value, int) else torch.float)
    elif "label_ids" in first and first["label_ids"] is not None:
        if isinstance(first["label_ids"], torch.Tensor):
            batch["labels"] = torch.stack([f["label_ids"] for f in features])
        else:
            dtype = torch.long if isinstance(first["label_ids"][0], int) else torch.float
            batch["labels"] = torch.tensor([f["label_ids"] for f in features], dtype=dtype)
    for key, value in first.items():
        if key in ("label", "label_ids") or value is None or isinstance(value, str):
            continue
        if isinstance(value, torch.Tensor):
            batch[key] = torch.stack([f[key] for f in features])
        elif np is not None and isinstance(value, np.ndarray):
            batch[key] = torch.from_numpy(np.stack([f[key] for f in features]))
        else:
            batch[key] = torch.tensor([f[key] for f in features])
    return batch
