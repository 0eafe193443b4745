"""Stand-in for the helpers of Hugging Face transformers' Trainer (test use only).

Modelled on transformers 5.15.0 (tag v5.15.0, commit 5eddc12edfaf8cafde8c9bae4ccb12f8a139b4f9). Written anew from
reading the source; no code or comments were copied. Each behaviour and where it lives upstream:

- ``IntervalStrategy`` / ``SaveStrategy`` / ``SchedulerType`` string enums: src/transformers/trainer_utils.py
  (class IntervalStrategy, SaveStrategy, SchedulerType; base ExplicitEnum in src/transformers/utils/generic.py).
- ``PREFIX_CHECKPOINT_DIR`` = "checkpoint" and ``get_last_checkpoint``: trainer_utils.py, get_last_checkpoint
  (highest ``checkpoint-<N>`` *directory* by N, or None).
- ``sort_checkpoints`` / ``rotate_checkpoints``: trainer_utils.py, sort_checkpoints / rotate_checkpoints (mtime order
  with a fall-back to step order when the mtimes span < 1 s; the newest and the best checkpoint are protected).
- ``set_seed``: trainer_utils.py, set_seed (python ``random``, numpy when importable, torch).
- ``speed_metrics``: trainer_utils.py, speed_metrics (``<split>_runtime``, ``_samples_per_second``, ...).
- ``RemoveColumnsCollator``: trainer_utils.py, RemoveColumnsCollator (drops every key of each *feature* dict that is
  not in the signature columns, then calls the wrapped collator).
- ``find_labels`` / ``can_return_loss``: src/transformers/utils/generic.py, find_labels / can_return_loss.
- ``compare_trainer_and_checkpoint_args``: trainer_utils.py, compare_trainer_and_checkpoint_args (warning only).
- ``TrainOutput`` / ``EvalLoopOutput`` / ``PredictionOutput`` / ``EvalPrediction``: trainer_utils.py.
"""

from __future__ import annotations

import enum
import inspect
import logging
import os
import random
import re
import shutil
import time
from pathlib import Path
from typing import Any, NamedTuple

import torch

try:  # numpy ships with Debian's torch; the real set_seed always seeds it.
    import numpy as np
except ImportError:  # pragma: no cover - the stand-in then works on torch and `random` only
    np = None

logger = logging.getLogger("transformers.trainer_utils")


class ExplicitEnum(str, enum.Enum):
    """A str enum whose unknown values raise a ValueError listing the valid ones (utils/generic.py, ExplicitEnum)."""

    @classmethod
    def _missing_(cls, value):
        raise ValueError(f"{value} is not a valid {cls.__name__}, please select one of {list(cls._value2member_map_)}")


class IntervalStrategy(ExplicitEnum):
    NO = "no"
    STEPS = "steps"
    EPOCH = "epoch"


class SaveStrategy(ExplicitEnum):
    NO = "no"
    STEPS = "steps"
    EPOCH = "epoch"
    BEST = "best"


class SchedulerType(ExplicitEnum):
    # Only the schedules the stand-in can build; the real enum has cosine, polynomial, inverse_sqrt, ... as well.
    LINEAR = "linear"
    CONSTANT = "constant"
    CONSTANT_WITH_WARMUP = "constant_with_warmup"


PREFIX_CHECKPOINT_DIR = "checkpoint"
_CHECKPOINT_RE = re.compile(r"^" + PREFIX_CHECKPOINT_DIR + r"\-(\d+)$")


def get_last_checkpoint(folder):
    """Path of the ``checkpoint-<N>`` sub-directory of ``folder`` with the largest N, or None when there is none."""
    found = [
        name
        for name in os.listdir(folder)
        if _CHECKPOINT_RE.search(name) is not None and os.path.isdir(os.path.join(folder, name))
    ]
    if not found:
        return None
    return os.path.join(folder, max(found, key=lambda name: int(_CHECKPOINT_RE.search(name).group(1))))


def sort_checkpoints(output_dir, checkpoint_prefix=PREFIX_CHECKPOINT_DIR, use_mtime=False, best_model_checkpoint=None):
    """Checkpoint folders oldest first (by mtime or by step), best one moved just before the newest."""
    folders = [str(p) for p in Path(output_dir).glob(f"{checkpoint_prefix}-*") if os.path.isdir(p)]
    keyed = []
    for path in folders:
        if use_mtime:
            keyed.append((os.path.getmtime(path), path))
        else:
            m = re.match(f".*{checkpoint_prefix}-([0-9]+)", path)
            if m is not None:
                keyed.append((int(m.group(1)), path))
    keyed.sort()
    if use_mtime and len(keyed) > 1 and keyed[-1][0] - keyed[0][0] < 1.0:
        # Upstream treats mtimes closer than a second as unreliable and orders by step number instead.
        return sort_checkpoints(output_dir, checkpoint_prefix, False, best_model_checkpoint)
    ordered = [path for _, path in keyed]
    if best_model_checkpoint is not None:
        best = str(Path(best_model_checkpoint))
        if best in ordered and ordered[-1] != best:
            newest = ordered[-1]
            ordered = [p for p in ordered if p not in (best, newest)] + [best, newest]
    return ordered


def rotate_checkpoints(output_dir, save_total_limit=None, best_model_checkpoint=None, use_mtime=False,
                       checkpoint_prefix=PREFIX_CHECKPOINT_DIR):
    """Delete the oldest checkpoints beyond ``save_total_limit``, never the newest nor the best one."""
    if save_total_limit is None or save_total_limit <= 0:
        return
    ordered = sort_checkpoints(output_dir, checkpoint_prefix, use_mtime)
    if len(ordered) <= save_total_limit:
        return
    keep = {ordered[-1]}
    if best_model_checkpoint is not None:
        keep.add(str(Path(best_model_checkpoint)))
    target = max(save_total_limit, len(keep))
    left = len(ordered)
    for path in ordered:
        if left <= target:
            break
        if path not in keep:
            shutil.rmtree(path, ignore_errors=True)
            left -= 1


def set_seed(seed: int, deterministic: bool = False):
    """Seed python, numpy (if importable) and torch, as the real set_seed does (CUDA seeding is a no-op on CPU)."""
    random.seed(seed)
    if np is not None:
        np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True)


def speed_metrics(split, start_time, num_samples=None, num_steps=None, num_tokens=None):
    runtime = time.time() - start_time
    out = {f"{split}_runtime": round(runtime, 4)}
    if runtime == 0:
        return out
    if num_samples is not None:
        out[f"{split}_samples_per_second"] = round(num_samples / runtime, 3)
    if num_steps is not None:
        out[f"{split}_steps_per_second"] = round(num_steps / runtime, 3)
    if num_tokens is not None:
        out[f"{split}_tokens_per_second"] = round(num_tokens / runtime, 3)
    return out


def has_length(dataset: Any) -> bool:
    try:
        return len(dataset) is not None
    except (TypeError, AttributeError):
        return False


def denumpify_detensorize(metrics):
    """Turn one-element tensors / numpy scalars inside (nested) metrics into Python numbers."""
    if isinstance(metrics, (list, tuple)):
        return type(metrics)(denumpify_detensorize(m) for m in metrics)
    if isinstance(metrics, dict):
        return type(metrics)({k: denumpify_detensorize(v) for k, v in metrics.items()})
    if np is not None and isinstance(metrics, np.generic):
        return metrics.item()
    if isinstance(metrics, torch.Tensor) and metrics.numel() == 1:
        return metrics.item()
    return metrics


class RemoveColumnsCollator:
    """Wraps a collator; each feature dict loses the keys that are not in ``signature_columns`` before collation."""

    def __init__(self, data_collator, signature_columns, logger=None, model_name=None, description=None):
        self.data_collator = data_collator
        self.signature_columns = signature_columns
        self.logger = logger
        self.description = description
        self.model_name = model_name
        self.message_logged = False

    def _remove_columns(self, feature):
        if not isinstance(feature, dict):
            return feature
        if not self.message_logged and self.logger and self.model_name:
            dropped = list(set(feature.keys()) - set(self.signature_columns))
            if dropped:
                where = "" if self.description is None else f"in the {self.description} set"
                self.logger.info(
                    f"Columns {where} without a matching argument in `{self.model_name}.forward` were ignored: "
                    f"{', '.join(dropped)}."
                )
                self.message_logged = True
        return {k: v for k, v in feature.items() if k in self.signature_columns}

    def __call__(self, features):
        return self.data_collator([self._remove_columns(f) for f in features])


def find_labels(model_class):
    """Names of the model's forward parameters that contain "label" (plus start/end_positions for QA models)."""
    params = inspect.signature(model_class.forward).parameters
    if "QuestionAnswering" in model_class.__name__:
        return [p for p in params if "label" in p or p in ("start_positions", "end_positions")]
    return [p for p in params if "label" in p]


def can_return_loss(model_class):
    params = inspect.signature(model_class.forward).parameters
    return any(name == "return_loss" and p.default is True for name, p in params.items())


def compare_trainer_and_checkpoint_args(training_args, trainer_state):
    """Warn when logging/eval/save steps or the per-device batch size differ from the checkpoint's state."""
    diffs = []
    for name in ("logging_steps", "eval_steps", "save_steps"):
        a, s = getattr(training_args, name, None), getattr(trainer_state, name, None)
        if a is not None and s is not None and a != s:
            diffs.append(f"{name}: {a} (from args) != {s} (from trainer_state.json)")
    if trainer_state.train_batch_size is not None:
        per_device = trainer_state.train_batch_size // max(1, training_args.n_gpu)
        if training_args.per_device_train_batch_size != per_device:
            diffs.append(f"per_device_train_batch_size: {training_args.per_device_train_batch_size} != {per_device}")
    if diffs:
        logger.warning("Arguments differ from the checkpoint's trainer_state.json: " + "; ".join(diffs))


class EvalPrediction:
    def __init__(self, predictions, label_ids, inputs=None, losses=None):
        self.predictions = predictions
        self.label_ids = label_ids
        self.inputs = inputs
        self.losses = losses


class EvalLoopOutput(NamedTuple):
    predictions: Any
    label_ids: Any
    metrics: Any
    num_samples: Any


class PredictionOutput(NamedTuple):
    predictions: Any
    label_ids: Any
    metrics: Any


class TrainOutput(NamedTuple):
    global_step: int
    training_loss: float
    metrics: dict
