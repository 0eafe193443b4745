"""Stand-in for ``transformers.TrainingArguments`` (test use only).

Modelled on transformers 5.15.0 (tag v5.15.0, commit 5eddc12edfaf8cafde8c9bae4ccb12f8a139b4f9),
src/transformers/training_args.py. Written anew from reading the source. What is reproduced:

- all 112 fields of the real class with the real defaults (class TrainingArguments field list); the ones the
  stand-in does not model (listed in ``_UNMODELLED``) only accept their default, except a few inert knobs;
- ``__post_init__``: output_dir None -> "trainer_output"; strategies turned into enums; ``eval_steps`` falls back to
  ``logging_steps`` for eval_strategy "steps"; ``report_to`` "none" -> [] (the v5 default is "none");
  ``metric_for_best_model``/``greater_is_better`` derivation; integer checks of *_steps (``_validate_args``);
- ``train_batch_size`` / ``eval_batch_size`` (per-device size * max(1, n_gpu));
- ``world_size``, ``process_index``, ``local_process_index``, ``parallel_mode``, ``should_log``, ``should_save``
  (properties of the same names). Upstream these come from accelerate's PartialState, built when ``device`` is first
  read in ``__post_init__``; PartialState initialises the process group itself when launched by torchrun. The stand-in
  does the same with torch.distributed directly: an initialised group is used as is, otherwise a torchrun environment
  (WORLD_SIZE > 1) gets ``init_process_group("gloo")``; else one process.
- ``get_warmup_steps`` (training_args.py, get_warmup_steps).

Simplified: the device is always the CPU (``n_gpu`` 0, or 1 under torch.distributed as upstream's MULTI_CPU path
leaves it), so no DataParallel, CUDA, mixed precision, FSDP, DeepSpeed or TPU. Fields left out are listed in
tests/standin/README.md.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import math
import os
from dataclasses import asdict, dataclass, field
from datetime import timedelta

import torch
import torch.distributed as dist

from .trainer_utils import IntervalStrategy, SaveStrategy, SchedulerType

logger = logging.getLogger("transformers.training_args")


class ParallelMode(enum.Enum):
    NOT_PARALLEL = "not_parallel"
    NOT_DISTRIBUTED = "not_distributed"
    DISTRIBUTED = "distributed"


class OptimizerNames(str, enum.Enum):
    ADAMW_TORCH = "adamw_torch"
    ADAMW_TORCH_FUSED = "adamw_torch_fused"


def _torch_at_least(major, minor):
    parts = torch.__version__.split("+")[0].split(".")
    try:
        return (int(parts[0]), int(parts[1])) >= (major, minor)
    except ValueError:  # pragma: no cover
        return False


# Upstream: "adamw_torch_fused" from torch 2.8 on, "adamw_torch" before (TrainingArguments.default_optim).
_DEFAULT_OPTIM = "adamw_torch_fused" if _torch_at_least(2, 8) else "adamw_torch"


def _ensure_process_group(backend, timeout_s):
    """What accelerate's PartialState does under torchrun: join the process group named by the environment."""
    if dist.is_available() and not dist.is_initialized() and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        dist.init_process_group(backend=backend or "gloo", timeout=timedelta(seconds=timeout_s))


# Accepted for compatibility; any value other than upstream's default raises NotImplementedError, except the inert
# ones (logging, hub and performance knobs with no effect on what the stand-in computes).
_UNMODELLED = (
    "lr_scheduler_kwargs optim_args optim_target_modules bf16 fp16 bf16_full_eval fp16_full_eval tf32 "
    "gradient_checkpointing gradient_checkpointing_kwargs torch_compile torch_compile_backend torch_compile_mode "
    "use_liger_kernel liger_kernel_config neftune_noise_alpha torch_empty_cache_steps auto_find_batch_size log_level "
    "log_level_replica project trackio_space_id trackio_bucket_id trackio_static_space_id eval_do_concat_batches "
    "eval_use_gather_object eval_accumulation_steps include_for_metrics batch_eval_metrics enable_jit_checkpoint "
    "push_to_hub hub_token hub_private_repo hub_model_id hub_strategy hub_always_push hub_revision accelerator_config "
    "parallelism_config dataloader_pin_memory dataloader_persistent_workers dataloader_prefetch_factor "
    "dataloader_multiprocessing_context dataloader_in_order length_column_name ddp_bucket_cap_mb "
    "ddp_broadcast_buffers ddp_static_graph fsdp fsdp_config deepspeed debug skip_memory_metrics local_rank"
).split()
_INERT = set(
    "log_level log_level_replica project trackio_space_id trackio_bucket_id trackio_static_space_id hub_token "
    "hub_private_repo hub_model_id hub_strategy hub_always_push hub_revision dataloader_pin_memory "
    "dataloader_persistent_workers dataloader_in_order length_column_name skip_memory_metrics local_rank "
    "eval_do_concat_batches tf32".split()
)


@dataclass
class TrainingArguments:
    # --- output / duration / batch size ---
    output_dir: str | None = None
    per_device_train_batch_size: int = 8
    num_train_epochs: float = 3.0
    max_steps: int = -1
    # --- learning rate & optimizer ---
    learning_rate: float = 5e-5
    lr_scheduler_type: str = "linear"
    warmup_steps: float = 0
    optim: str = _DEFAULT_OPTIM
    weight_decay: float = 0.0
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    adam_epsilon: float = 1e-8
    gradient_accumulation_steps: int = 1
    average_tokens_across_devices: bool = True
    max_grad_norm: float = 1.0
    label_smoothing_factor: float = 0.0
    use_cache: bool = False
    # --- logging ---
    logging_strategy: str = "steps"
    logging_steps: float = 500
    logging_first_step: bool = False
    log_on_each_node: bool = True
    logging_nan_inf_filter: bool = True
    include_num_input_tokens_seen: str | bool = "no"
    disable_tqdm: bool | None = None
    report_to: None | str | list = "none"
    run_name: str | None = None
    # --- evaluation ---
    eval_strategy: str = "no"
    eval_steps: float | None = None
    eval_delay: float = 0
    per_device_eval_batch_size: int = 8
    prediction_loss_only: bool = False
    eval_on_start: bool = False
    # --- saving ---
    save_only_model: bool = False
    save_strategy: str = "steps"
    save_steps: float = 500
    save_on_each_node: bool = False
    save_total_limit: int | None = None
    load_best_model_at_end: bool = False
    metric_for_best_model: str | None = None
    greater_is_better: bool | None = None
    ignore_data_skip: bool = False
    restore_callback_states_from_checkpoint: bool = False
    # --- reproducibility / hardware ---
    full_determinism: bool = False
    seed: int = 42
    data_seed: int | None = None
    use_cpu: bool = False
    # --- data ---
    dataloader_drop_last: bool = False
    dataloader_num_workers: int = 0
    remove_unused_columns: bool = True
    label_names: list | None = None
    train_sampling_strategy: str = "random"
    # --- distributed ---
    ddp_find_unused_parameters: bool | None = None
    ddp_backend: str | None = None
    ddp_timeout: int = 1800
    # --- misc ---
    do_train: bool = False
    do_eval: bool = False
    do_predict: bool = False
    resume_from_checkpoint: str | None = None
    # --- real fields the stand-in accepts but does not model: only their defaults (or inert values) are allowed ---
    lr_scheduler_kwargs: dict | str | None = None
    optim_args: str | None = None
    optim_target_modules: None | str | list = None
    bf16: bool = False
    fp16: bool = False
    bf16_full_eval: bool = False
    fp16_full_eval: bool = False
    tf32: bool | None = None
    gradient_checkpointing: bool = False
    gradient_checkpointing_kwargs: dict | str | None = None
    torch_compile: bool = False
    torch_compile_backend: str | None = None
    torch_compile_mode: str | None = None
    use_liger_kernel: bool = False
    liger_kernel_config: dict | None = None
    neftune_noise_alpha: float | None = None
    torch_empty_cache_steps: int | None = None
    auto_find_batch_size: bool = False
    log_level: str = "passive"
    log_level_replica: str = "warning"
    project: str = "huggingface"
    trackio_space_id: str | None = None
    trackio_bucket_id: str | None = None
    trackio_static_space_id: str | None = None
    eval_do_concat_batches: bool = True
    eval_use_gather_object: bool = False
    eval_accumulation_steps: int | None = None
    include_for_metrics: list = field(default_factory=list)
    batch_eval_metrics: bool = False
    enable_jit_checkpoint: bool = False
    push_to_hub: bool = False
    hub_token: str | None = None
    hub_private_repo: bool | None = None
    hub_model_id: str | None = None
    hub_strategy: str = "every_save"
    hub_always_push: bool = False
    hub_revision: str | None = None
    accelerator_config: dict | str | None = None
    parallelism_config: object = None
    dataloader_pin_memory: bool = True
    dataloader_persistent_workers: bool = False
    dataloader_prefetch_factor: int | None = None
    dataloader_multiprocessing_context: str | None = None
    dataloader_in_order: bool = True
    length_column_name: str = "length"
    ddp_bucket_cap_mb: int | None = None
    ddp_broadcast_buffers: bool | None = None
    ddp_static_graph: bool | None = None
    fsdp: str | None = None
    fsdp_config: dict | str | None = None
    deepspeed: dict | str | None = None
    debug: str | list = ""
    skip_memory_metrics: bool = True
    local_rank: int = -1

    def __post_init__(self):
        for name in _UNMODELLED:
            default = TrainingArguments.__dataclass_fields__[name]
            default = default.default_factory() if default.default_factory is not dataclasses.MISSING else default.default
            if name not in _INERT and getattr(self, name) != default:
                raise NotImplementedError(f"stand-in: TrainingArguments.{name} is not modelled (only its default)")
        if self.output_dir is None:
            self.output_dir = "trainer_output"
        self.output_dir = os.path.expanduser(self.output_dir)
        if self.disable_tqdm is None:
            self.disable_tqdm = logger.getEffectiveLevel() > logging.WARN
        if isinstance(self.include_num_input_tokens_seen, bool):
            self.include_num_input_tokens_seen = "all" if self.include_num_input_tokens_seen else "no"

        self.eval_strategy = IntervalStrategy(self.eval_strategy)
        self.logging_strategy = IntervalStrategy(self.logging_strategy)
        self.save_strategy = SaveStrategy(self.save_strategy)
        self.lr_scheduler_type = SchedulerType(self.lr_scheduler_type)
        self.optim = OptimizerNames(self.optim)

        if self.do_eval is False and self.eval_strategy != IntervalStrategy.NO:
            self.do_eval = True
        if self.eval_strategy == IntervalStrategy.STEPS and (self.eval_steps is None or self.eval_steps == 0):
            if self.logging_steps > 0:
                self.eval_steps = self.logging_steps
            else:
                raise ValueError(f"evaluation strategy {self.eval_strategy} requires non-zero eval_steps or logging_steps")
        if self.load_best_model_at_end and self.metric_for_best_model is None:
            self.metric_for_best_model = "loss"
        if self.greater_is_better is None and self.metric_for_best_model is not None:
            self.greater_is_better = not self.metric_for_best_model.endswith("loss")
        if self.report_to in ("none", ["none"]) or self.report_to is None:
            # Upstream maps None through the same branch as a plain string ([None]); the stand-in has no integrations.
            self.report_to = []
        elif self.report_to in ("all", ["all"]):
            self.report_to = []  # no reporting integration is available here
        elif not isinstance(self.report_to, list):
            self.report_to = [self.report_to]

        self._validate_args()
        self.mixed_precision = os.environ.get("ACCELERATE_MIXED_PRECISION", "no")
        # Upstream reads self.device here, which builds PartialState (and joins the torchrun process group).
        _ensure_process_group(self.ddp_backend, self.ddp_timeout)

    def _validate_args(self):
        if self.logging_strategy == IntervalStrategy.STEPS and self.logging_steps == 0:
            raise ValueError(f"logging strategy {self.logging_strategy} requires non-zero --logging_steps")
        for strategy, name in ((self.logging_strategy, "logging_steps"), (self.eval_strategy, "eval_steps"),
                               (self.save_strategy, "save_steps")):
            value = getattr(self, name)
            if strategy == "steps" and value is not None and value > 1:
                if value != int(value):
                    raise ValueError(f"--{name} must be an integer if bigger than 1: {value}")
                setattr(self, name, int(value))
        if self.warmup_steps < 0:
            raise ValueError("warmup_steps must be an integer or a float")

    # ---- devices and processes ----
    @property
    def device(self) -> torch.device:
        return torch.device("cpu")

    @property
    def n_gpu(self) -> int:
        return 1 if self.world_size > 1 else 0

    @property
    def _distributed(self) -> bool:
        return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1

    @property
    def parallel_mode(self) -> ParallelMode:
        return ParallelMode.DISTRIBUTED if self._distributed else ParallelMode.NOT_PARALLEL

    @property
    def world_size(self) -> int:
        return dist.get_world_size() if self._distributed else 1

    @property
    def process_index(self) -> int:
        return dist.get_rank() if self._distributed else 0

    @property
    def local_process_index(self) -> int:
        if not self._distributed:
            return 0
        return int(os.environ.get("LOCAL_RANK", dist.get_rank()))

    @property
    def should_log(self) -> bool:
        return self.local_process_index == 0 if self.log_on_each_node else self.process_index == 0

    @property
    def should_save(self) -> bool:
        return self.local_process_index == 0 if self.save_on_each_node else self.process_index == 0

    @property
    def train_batch_size(self) -> int:
        return self.per_device_train_batch_size * max(1, self.n_gpu)

    @property
    def eval_batch_size(self) -> int:
        return self.per_device_eval_batch_size * max(1, self.n_gpu)

    def get_warmup_steps(self, num_training_steps: int) -> int:
        if self.warmup_steps >= 1:
            return int(self.warmup_steps)
        return math.ceil(num_training_steps * self.warmup_steps)

    def to_dict(self):
        return {k: (v.value if isinstance(v, enum.Enum) else v) for k, v in asdict(self).items()}
