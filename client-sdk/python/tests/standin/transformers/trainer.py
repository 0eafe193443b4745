"""Stand-in for ``transformers.Trainer`` on plain PyTorch (test use only).

Modelled on transformers 5.15.0 (tag v5.15.0, commit 5eddc12edfaf8cafde8c9bae4ccb12f8a139b4f9),
src/transformers/trainer.py, and on the parts of accelerate the Trainer leans on (accelerate 1.15.0.dev0,
commit 16cb6eb80dd9aa8b4df1a63ef57863e455d53b83: src/accelerate/data_loader.py and accelerator.py).
Written anew from reading the source; no code or comments were copied. Behaviour -> upstream function
(line numbers are those of trainer.py at v5.15.0):

- __init__ (368-627): seed, model placement, ``model_accepts_loss_kwargs`` = ``model.accepts_loss_kwargs`` if the
  model has it, else "forward has **kwargs" (496-505); label_names from find_labels; ``_loss_shifts_labels`` (causal
  LM loss types count ``labels[..., 1:]``); default collator; callbacks = [DefaultFlowCallback] + report_to
  integrations (none here) + user callbacks, then Progress/PrinterCallback; TrainerState with stateful callbacks;
  ``on_init_end`` (613). ``_validate_args`` (629): eval_strategy without eval_dataset, optimizer conflicts.
- ``_set_signature_columns_if_needed`` (1088): forward parameter names (``kwargs`` included, so **kwargs does not
  keep extra columns) + label, label_ids, label_names. ``_get_collator_with_removed_columns`` (1139) wraps the
  collator in RemoveColumnsCollator when remove_unused_columns; ``_remove_unused_columns`` (1104) for objects with
  ``column_names``/``remove_columns`` (the ``datasets.Dataset`` path).
- dataloaders (``_get_dataloader`` 972, ``_get_train_sampler`` 1022, ``_get_eval_sampler`` 1059) as prepared by
  accelerate: SeedableRandomSampler (seed + epoch, seed = data_seed or torch.initial_seed()), and under
  torch.distributed BatchSamplerShard (round-robin whole batches, even_batches: the last round is completed with
  samples from the start), DataLoaderShard's one-batch look-ahead (end_of_dataloader, remainder).
- ``create_optimizer`` (1168: AdamW, no weight decay on bias/norm names), ``create_scheduler`` (1244: linear /
  constant / constant_with_warmup from optimization.py).
- ``train`` (1347): resume_from_checkpoint True -> get_last_checkpoint, model weights loaded before the loop;
  ``_inner_training_loop`` (1456), ``_init_training_state`` (1549: state read from trainer_state.json,
  epochs_trained / steps_trained_in_current_epoch), ``_prepare_for_training`` (1580: optimizer, DDP wrap, scheduler,
  optimizer+scheduler state loaded) all before ``on_train_begin`` (1524); ``_run_epoch`` (1678: skip_first_batches,
  RNG reload, accumulation windows of ``gradient_accumulation_steps`` batches, on_step_begin / on_substep_end /
  on_pre_optimizer_step / on_optimizer_step / on_step_end, no_sync on all but the last micro-batch);
  ``_finalize_training`` (1843).
- ``training_step`` (1892): loss divided by ``current_gradient_accumulation_steps`` only when
  ``(not model_accepts_loss_kwargs or num_items_in_batch is None) and compute_loss_func is None`` (1952-1954).
- ``compute_loss`` (1965): num_items_in_batch merged into the model inputs when model_accepts_loss_kwargs;
  compute_loss_func gets (outputs, labels, num_items_in_batch=); loss = outputs["loss"] (dict) or outputs[0];
  multiplied by the number of processes when average_tokens_across_devices and (model_accepts_loss_kwargs or
  compute_loss_func) and num_items_in_batch is not None (2041-2050).
- ``get_batch_samples`` / ``_get_num_items_in_batch`` (2124 / 2141): count of labels != -100 over the window, only
  when the batch has "labels" and (model_accepts_loss_kwargs or compute_loss_func); summed over processes with
  accelerator.gather when average_tokens_across_devices and world_size > 1.
- ``_maybe_log_save_evaluate`` (2073): log (loss gathered and averaged), then evaluate, then
  ``_save_checkpoint`` + ``on_save``.
- ``evaluate`` (2554): dict of datasets -> one inner evaluate per name with prefix ``<prefix>_<name>``, each logging
  and firing on_evaluate with its own metrics; returns the merged dict. ``evaluation_loop`` (2653): model.eval(),
  per-batch loss repeated eval_batch_size times, gathered with gather_for_metrics (duplicates of the last round cut
  at ``len(dataset) % (eval_batch_size * world_size)``), mean -> ``<prefix>_loss``; on_prediction_step per batch.
  ``prediction_step`` (2921). ``log`` (3893) adds ``epoch`` to the dict it is given (so the returned eval metrics
  carry it) and appends to log_history before on_log.
- ``_save_checkpoint`` (3079), ``_save_rng_state`` (3186: every process; rng_state.pth or rng_state_<rank>.pth),
  ``_save_optimizer_and_scheduler`` (3237: should_save only), trainer_state.json (should_save only), then
  ``rotate_checkpoints``; ``_load_from_checkpoint`` (3326), ``_load_rng_state`` (3561),
  ``_load_optimizer_and_scheduler`` (3606), ``_load_callback_state`` (3737).

Simplified or left out (see README.md): CPU only (no DataParallel, AMP, FSDP, DeepSpeed, TPU, SageMaker), no
hyper-parameter search (run_dir is always output_dir), no hub, no label smoothing, no load_best_model_at_end, no
IterableDataset, no group_by_length; a plain nn.Module's weights are written as pytorch_model.bin with torch.save
(upstream writes model.safetensors; both names are read back); ``save_pretrained`` is used when the model has it.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import math
import os
import random
import time
from collections.abc import Mapping

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler

from .data.data_collator import default_data_collator
from .trainer_callback import (
    CallbackHandler,
    DefaultFlowCallback,
    ExportableState,
    PrinterCallback,
    ProgressCallback,
    TrainerCallback,
    TrainerControl,
    TrainerState,
)
from .trainer_utils import (
    PREFIX_CHECKPOINT_DIR,
    EvalLoopOutput,
    EvalPrediction,
    PredictionOutput,
    RemoveColumnsCollator,
    SaveStrategy,
    SchedulerType,
    TrainOutput,
    can_return_loss,
    compare_trainer_and_checkpoint_args,
    denumpify_detensorize,
    find_labels,
    get_last_checkpoint,
    has_length,
    rotate_checkpoints,
    set_seed,
    sort_checkpoints,
    speed_metrics,
)
from .training_args import OptimizerNames, ParallelMode, TrainingArguments

try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None

logger = logging.getLogger("transformers.trainer")

TRAINING_ARGS_NAME = "training_args.bin"
TRAINER_STATE_NAME = "trainer_state.json"
OPTIMIZER_NAME = "optimizer.pt"
SCHEDULER_NAME = "scheduler.pt"
WEIGHTS_NAME = "pytorch_model.bin"
SAFE_WEIGHTS_NAME = "model.safetensors"

DEFAULT_CALLBACKS = [DefaultFlowCallback]
DEFAULT_PROGRESS_CALLBACK = ProgressCallback
# LOSS_MAPPING entries that resolve to ForCausalLMLoss (src/transformers/loss/loss_utils.py).
_CAUSAL_LM_LOSS_TYPES = {"ForCausalLM", "ForConditionalGeneration", "CsmForConditionalGeneration"}


# ---------------------------------------------------------------- schedules (src/transformers/optimization.py)
def _linear_lambda(step, *, num_warmup_steps, num_training_steps):
    if step < num_warmup_steps:
        return float(step) / float(max(1, num_warmup_steps))
    return max(0.0, float(num_training_steps - step) / float(max(1, num_training_steps - num_warmup_steps)))


def _constant_lambda(_=None):
    return 1


def _constant_warmup_lambda(step, *, num_warmup_steps):
    if step < num_warmup_steps:
        return float(step) / float(max(1.0, num_warmup_steps))
    return 1.0


def get_scheduler(name, optimizer, num_warmup_steps=None, num_training_steps=None):
    name = SchedulerType(name)
    if name == SchedulerType.CONSTANT:
        fn = _constant_lambda
    elif name == SchedulerType.CONSTANT_WITH_WARMUP:
        fn = functools.partial(_constant_warmup_lambda, num_warmup_steps=num_warmup_steps)
    else:
        fn = functools.partial(_linear_lambda, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps)
    return torch.optim.lr_scheduler.LambdaLR(optimizer, fn)


# ---------------------------------------------------------------- what accelerate does for the Trainer
class _SeedableRandomSampler(RandomSampler):
    """accelerate's SeedableRandomSampler: the permutation of epoch e is drawn from a generator seeded seed + e."""

    def __init__(self, data_source, data_seed=None):
        super().__init__(data_source)
        self.initial_seed = data_seed if data_seed is not None else torch.random.initial_seed()
        self.epoch = 0

    def __iter__(self):
        if self.generator is None:
            self.generator = torch.Generator()
        self.generator.manual_seed(self.epoch + self.initial_seed)
        yield from super().__iter__()
        self.set_epoch(self.epoch + 1)

    def set_epoch(self, epoch):
        self.epoch = epoch


class _BatchSamplerShard:
    """accelerate's BatchSamplerShard with split_batches=False, even_batches=True: process p takes batches
    p, p+P, p+2P, ...; a last incomplete round is filled with samples from the start so every process gets the same
    number of full batches."""

    def __init__(self, batch_sampler, num_processes, process_index):
        self.batch_sampler = batch_sampler
        self.num_processes = num_processes
        self.process_index = process_index
        self.batch_size = batch_sampler.batch_size
        self.drop_last = batch_sampler.drop_last

    def __len__(self):
        n, p = len(self.batch_sampler), self.num_processes
        if n % p == 0 or self.drop_last:
            return n // p
        return n // p + 1

    def __iter__(self):
        p, me, size = self.num_processes, self.process_index, self.batch_size
        head, mine, idx, batch = [], None, -1, []
        for idx, batch in enumerate(self.batch_sampler):
            if not self.drop_last and idx < p:
                head += batch
            if idx % p == me:
                mine = batch
            if idx % p == p - 1 and len(batch) == size:
                yield mine
                mine = None
        if self.drop_last or not head:
            return
        if mine and len(mine) == size:
            yield mine
        while len(head) < p * size:
            head += head
        if len(batch) == size:
            batch, idx = [], idx + 1
        start = 0
        while idx % p != 0 or len(batch) > 0:
            stop = start + size - len(batch)
            batch = list(batch) + head[start:stop]
            if idx % p == me:
                yield batch
            start, batch, idx = stop, [], idx + 1


class _SkipBatches:
    """accelerate's SkipBatchSampler (used by skip_first_batches): drop the first n batches of a batch sampler."""

    def __init__(self, batch_sampler, skip):
        self.batch_sampler, self.skip = batch_sampler, skip

    def __iter__(self):
        for i, b in enumerate(self.batch_sampler):
            if i >= self.skip:
                yield b

    def __len__(self):
        return len(self.batch_sampler) - self.skip


class _PreparedDataLoader:
    """accelerate's DataLoaderShard for a map-style dataset: iterates one batch ahead so that ``end_of_dataloader``
    is True while the last batch is in use; ``remainder`` = len(dataset) % (batch_size * processes) unless
    drop_last; ``set_epoch`` reaches the sampler; one torch DataLoader iterator per pass."""

    def __init__(self, dataset, sampler, batch_sampler, collate_fn, num_workers, num_processes, skip_batches=0,
                 iteration=0):
        self.dataset = dataset
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.collate_fn = collate_fn
        self.num_workers = num_workers
        self.num_processes = num_processes
        self.skip_batches = skip_batches
        self.iteration = iteration
        self.batch_size = batch_sampler.batch_size
        self.drop_last = batch_sampler.drop_last
        self.end_of_dataloader = False
        self.remainder = -1

    def __len__(self):
        return len(self.batch_sampler) - self.skip_batches

    @property
    def total_batch_size(self):
        return self.batch_size * self.num_processes

    def set_epoch(self, epoch):
        self.iteration = epoch
        if hasattr(self.sampler, "set_epoch"):
            self.sampler.set_epoch(epoch)

    def skip_first_batches(self, num_batches):
        return _PreparedDataLoader(self.dataset, self.sampler, self.batch_sampler, self.collate_fn, self.num_workers,
                                   self.num_processes, skip_batches=num_batches, iteration=self.iteration)

    def __iter__(self):
        self.end_of_dataloader = False
        self.remainder = -1 if self.drop_last else len(self.dataset) % self.total_batch_size
        self.set_epoch(self.iteration)
        batches = _SkipBatches(self.batch_sampler, self.skip_batches) if self.skip_batches else self.batch_sampler
        it = iter(DataLoader(self.dataset, batch_sampler=batches, collate_fn=self.collate_fn,
                             num_workers=self.num_workers))
        try:
            current = next(it)
        except StopIteration:
            return
        while True:
            try:
                following = next(it)
            except StopIteration:
                self.end_of_dataloader = True
                yield current
                break
            yield current
            current = following
        self.iteration += 1


class _Accelerator:
    """The few Accelerator services the Trainer uses, for CPU and torch.distributed (gloo)."""

    def __init__(self, trainer):
        self._trainer = trainer
        self._models = []

    @property
    def num_processes(self):
        return self._trainer.args.world_size

    def gather(self, tensor):
        """accelerate.utils.gather: all_gather + cat along dim 0 (0-d tensors become 1-d); identity on 1 process."""
        if self.num_processes == 1:
            return tensor
        t = (tensor.clone()[None] if tensor.ndim == 0 else tensor).contiguous()
        parts = [torch.empty_like(t) for _ in range(self.num_processes)]
        dist.all_gather(parts, t)
        return torch.cat(parts, dim=0)

    def gather_for_metrics(self, data, dataloader):
        """Accelerator.gather_for_metrics: gather, then on the last batch keep only ``remainder`` rows."""
        data = self.gather(data)
        if getattr(dataloader, "end_of_dataloader", False):
            remainder = getattr(dataloader, "remainder", -1)
            if remainder > 0:
                return data[:remainder]
        return data

    def prepare_model(self, model, evaluation_mode=False, find_unused_parameters=True):
        """Accelerator.prepare_model: DDP only when training with several processes. A model prepared once (even in
        evaluation mode, e.g. by evaluate() before train()) is flagged and returned as is afterwards."""
        if getattr(model, "_is_accelerate_prepared", False):
            if model not in self._models:
                self._models.append(model)
            return model
        self._models.append(model)
        if not evaluation_mode and self.num_processes > 1 and any(p.requires_grad for p in model.parameters()):
            model = DistributedDataParallel(model, find_unused_parameters=find_unused_parameters)
        model._is_accelerate_prepared = True
        return model

    @staticmethod
    def unwrap_model(model):
        return model.module if isinstance(model, DistributedDataParallel) else model

    @staticmethod
    def no_sync(model):
        return model.no_sync() if isinstance(model, DistributedDataParallel) else contextlib.nullcontext()

    @staticmethod
    def clip_grad_norm_(parameters, max_norm):
        return torch.nn.utils.clip_grad_norm_(parameters, max_norm)

    @staticmethod
    def backward(loss):
        # The Trainer gives accelerate num_steps=1 (create_accelerator_and_postprocess), so no extra division here.
        loss.backward()


def _all_gather_cat(tensor):
    """trainer_pt_utils.distributed_concat as used by nested_gather / distributed_broadcast_scalars."""
    t = (tensor[None] if tensor.ndim == 0 else tensor).contiguous()
    parts = [t.clone() for _ in range(dist.get_world_size())]
    dist.all_gather(parts, t)
    return torch.cat(parts, dim=0)


class Trainer:
    """See the module docstring; public methods keep upstream's names and signatures."""

    def __init__(
        self,
        model=None,
        args=None,
        data_collator=None,
        train_dataset=None,
        eval_dataset=None,
        processing_class=None,
        model_init=None,
        compute_loss_func=None,
        compute_metrics=None,
        callbacks=None,
        optimizers=(None, None),
        optimizer_cls_and_kwargs=None,
        preprocess_logits_for_metrics=None,
    ):
        if args is None:
            args = TrainingArguments(output_dir="tmp_trainer")
        self.args = args
        set_seed(args.seed, deterministic=args.full_determinism)
        self.deepspeed = None
        self.model = model
        self.accelerator = _Accelerator(self)
        self.gather_function = self.accelerator.gather_for_metrics
        self.is_deepspeed_enabled = False
        self.is_fsdp_enabled = False

        if model is None:
            if model_init is None:
                raise RuntimeError("`Trainer` requires either a `model` or `model_init` argument")
            self.model_init = model_init
            model = self.call_model_init()
        else:
            if model_init is not None:
                raise ValueError("`Trainer` requires either a `model` or `model_init` argument, but not both.")
            self.model_init = None
        if args.load_best_model_at_end:
            raise NotImplementedError("stand-in: load_best_model_at_end is not modelled")
        if args.label_smoothing_factor != 0:
            raise NotImplementedError("stand-in: label smoothing is not modelled")

        self.is_model_parallel = False
        self.place_model_on_device = True
        model.to(args.device)
        self.model_wrapped = model
        self.model = model

        # Which loss arguments the model takes (trainer.py 496-505).
        if hasattr(model, "accepts_loss_kwargs"):
            self.model_accepts_loss_kwargs = model.accepts_loss_kwargs
        else:
            params = inspect.signature(model.forward).parameters.values()
            self.model_accepts_loss_kwargs = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params)
        self.label_names = find_labels(type(model)) if args.label_names is None else args.label_names
        self.can_return_loss = can_return_loss(type(model))
        self._loss_shifts_labels = getattr(model, "loss_type", None) in _CAUSAL_LM_LOSS_TYPES and not getattr(
            getattr(model, "config", None), "is_encoder_decoder", False
        )
        self.label_smoother = None

        # The real default is DataCollatorWithPadding for tokenizers / feature extractors; none exist here.
        self.data_collator = data_collator if data_collator is not None else default_data_collator
        self.train_dataset = train_dataset
        self.eval_dataset = eval_dataset
        self.processing_class = processing_class
        self.compute_loss_func = compute_loss_func
        self.compute_metrics = compute_metrics
        self.preprocess_logits_for_metrics = preprocess_logits_for_metrics
        self.optimizer, self.lr_scheduler = optimizers
        self.optimizer_cls_and_kwargs = optimizer_cls_and_kwargs
        self._validate_args()

        default_callbacks = list(DEFAULT_CALLBACKS)  # + reporting integrations: none exist in the stand-in
        callbacks = default_callbacks if callbacks is None else default_callbacks + list(callbacks)
        self.callback_handler = CallbackHandler(callbacks, self.model, self.processing_class, self.optimizer,
                                                self.lr_scheduler)
        self.add_callback(PrinterCallback if self.args.disable_tqdm else DEFAULT_PROGRESS_CALLBACK)

        self.hub_model_id = None
        if self.args.should_save:
            os.makedirs(self.args.output_dir, exist_ok=True)

        self.control = TrainerControl()
        self.state = TrainerState(
            is_local_process_zero=self.is_local_process_zero(),
            is_world_process_zero=self.is_world_process_zero(),
            stateful_callbacks=[c for c in self.callback_handler.callbacks + [self.control]
                                if isinstance(c, ExportableState)],
        )
        self.is_in_train = False
        self.hp_name = None
        self.hp_search_backend = None
        self.current_flos = 0
        self._signature_columns = None
        self._train_batch_size = args.train_batch_size
        self._created_lr_scheduler = False
        self.control = self.callback_handler.on_init_end(self.args, self.state, self.control)
        if getattr(self.model, "config", None) is not None:
            self.model.config.use_cache = self.args.use_cache

    def _validate_args(self):
        args = self.args
        if args.eval_strategy is not None and args.eval_strategy != "no" and self.eval_dataset is None:
            raise ValueError(
                f"You have set `args.eval_strategy` to {args.eval_strategy} but you didn't pass an `eval_dataset` "
                "to `Trainer`. Either set `args.eval_strategy` to `no` or pass an `eval_dataset`. "
            )
        if args.save_strategy == SaveStrategy.BEST and args.metric_for_best_model is None:
            raise ValueError("`args.metric_for_best_model` must be provided when using 'best' save_strategy.")
        if self.optimizer_cls_and_kwargs is not None and self.optimizer is not None:
            raise RuntimeError("Passing both `optimizers` and `optimizer_cls_and_kwargs` arguments is incompatible.")
        if self.model_init is not None and (self.optimizer is not None or self.lr_scheduler is not None):
            raise RuntimeError("Passing a `model_init` is incompatible with providing the `optimizers` argument.")
        if self.train_dataset is not None and not has_length(self.train_dataset):
            raise NotImplementedError("stand-in: datasets without __len__ (IterableDataset) are not modelled")

    def call_model_init(self, trial=None):
        n = len(inspect.signature(self.model_init).parameters)
        model = self.model_init() if n == 0 else self.model_init(trial)
        if model is None:
            raise RuntimeError("model_init should not return None.")
        return model

    # ---------------------------------------------------------------- data
    def _set_signature_columns_if_needed(self):
        if self._signature_columns is None:
            self._signature_columns = list(inspect.signature(self.model.forward).parameters.keys())
            self._signature_columns += list(set(["label", "label_ids"] + self.label_names))

    def _remove_unused_columns(self, dataset, description=None):
        """The ``datasets.Dataset`` path: drop the dataset's columns the forward does not take."""
        if not self.args.remove_unused_columns:
            return dataset
        self._set_signature_columns_if_needed()
        ignored = list(set(dataset.column_names) - set(self._signature_columns))
        if not [k for k in self._signature_columns if k in dataset.column_names]:
            raise ValueError("No columns in the dataset match the model's forward method signature.")
        return dataset.remove_columns(ignored)

    def _get_collator_with_removed_columns(self, data_collator, description=None):
        if not self.args.remove_unused_columns:
            return data_collator
        self._set_signature_columns_if_needed()
        return RemoveColumnsCollator(data_collator=data_collator, signature_columns=self._signature_columns,
                                     logger=logger, description=description, model_name=type(self.model).__name__)

    def _get_train_sampler(self, train_dataset=None):
        train_dataset = self.train_dataset if train_dataset is None else train_dataset
        if train_dataset is None or not has_length(train_dataset):
            return None
        if self.args.train_sampling_strategy == "sequential":
            return SequentialSampler(train_dataset)
        if self.args.train_sampling_strategy != "random":
            raise NotImplementedError("stand-in: only 'random' and 'sequential' sampling are modelled")
        # accelerate swaps the RandomSampler for a SeedableRandomSampler (use_seedable_sampler defaults to True).
        return _SeedableRandomSampler(train_dataset, data_seed=self.args.data_seed)

    def _get_eval_sampler(self, eval_dataset):
        if eval_dataset is None or not has_length(eval_dataset):
            return None
        return SequentialSampler(eval_dataset)  # upstream: None when distributed, i.e. DataLoader's sequential one

    def _get_dataloader(self, dataset, description, batch_size, sampler_fn=None, is_training=False,
                        dataloader_key=None):
        collator = self.data_collator
        if hasattr(dataset, "column_names") and hasattr(dataset, "remove_columns"):
            dataset = self._remove_unused_columns(dataset, description=description)
        else:
            collator = self._get_collator_with_removed_columns(self.data_collator, description=description)
        sampler = sampler_fn(dataset) if sampler_fn is not None else SequentialSampler(dataset)
        batch_sampler = BatchSampler(sampler, batch_size, drop_last=self.args.dataloader_drop_last)
        world = self.args.world_size
        if world > 1:
            batch_sampler = _BatchSamplerShard(batch_sampler, world, self.args.process_index)
        return _PreparedDataLoader(dataset, sampler, batch_sampler, collator, self.args.dataloader_num_workers, world)

    def get_train_dataloader(self):
        if self.train_dataset is None:
            raise ValueError("Trainer: training requires a train_dataset.")
        return self._get_dataloader(self.train_dataset, "Training", self._train_batch_size, self._get_train_sampler,
                                    is_training=True)

    def get_eval_dataloader(self, eval_dataset=None):
        if eval_dataset is None and self.eval_dataset is None:
            raise ValueError("Trainer: evaluation requires an eval_dataset.")
        if isinstance(eval_dataset, str):
            eval_dataset = self.eval_dataset[eval_dataset]
        elif eval_dataset is None:
            eval_dataset = self.eval_dataset
        return self._get_dataloader(eval_dataset, "Evaluation", self.args.eval_batch_size, self._get_eval_sampler)

    def get_test_dataloader(self, test_dataset):
        return self._get_dataloader(test_dataset, "test", self.args.eval_batch_size, self._get_eval_sampler)

    def num_examples(self, dataloader):
        try:
            return len(dataloader.dataset)
        except (NameError, AttributeError, TypeError):
            return len(dataloader) * self.args.per_device_train_batch_size

    # ---------------------------------------------------------------- optimizer and schedule
    def create_optimizer_and_scheduler(self, num_training_steps):
        self.create_optimizer()
        self.create_scheduler(num_training_steps=num_training_steps)

    def get_decay_parameter_names(self, model):
        import re

        patterns = [re.compile(p) for p in (r"bias", r"layernorm", r"rmsnorm", r"(?:^|\.)norm(?:$|\.)", r"_norm(?:$|\.)")]

        def walk(module):
            names = []
            for child_name, child in module.named_children():
                for n in walk(child):
                    full = f"{child_name}.{n}"
                    if not isinstance(child, nn.LayerNorm) and not any(p.search(full.lower()) for p in patterns):
                        names.append(full)
            names += [k for k in module._parameters if not any(p.search(k.lower()) for p in patterns)]
            return names

        return walk(model)

    def create_optimizer(self, model=None):
        opt_model = self.model if model is None else model
        if self.optimizer is None:
            decay = set(self.get_decay_parameter_names(opt_model))
            groups = [
                {"params": [p for n, p in opt_model.named_parameters() if n in decay and p.requires_grad],
                 "weight_decay": self.args.weight_decay},
                {"params": [p for n, p in opt_model.named_parameters() if n not in decay and p.requires_grad],
                 "weight_decay": 0.0},
            ]
            if self.optimizer_cls_and_kwargs is not None:
                cls, kwargs = self.optimizer_cls_and_kwargs
            else:
                cls, kwargs = self.get_optimizer_cls_and_kwargs(self.args, opt_model)
            self.optimizer = cls(groups, **kwargs)
        return self.optimizer

    @staticmethod
    def get_optimizer_cls_and_kwargs(args, model=None):
        kwargs = {"lr": args.learning_rate, "betas": (args.adam_beta1, args.adam_beta2), "eps": args.adam_epsilon}
        if args.optim == OptimizerNames.ADAMW_TORCH_FUSED:
            kwargs["fused"] = True
        return torch.optim.AdamW, kwargs

    def create_scheduler(self, num_training_steps, optimizer=None):
        if self.lr_scheduler is None:
            self.lr_scheduler = get_scheduler(self.args.lr_scheduler_type, optimizer or self.optimizer,
                                              num_warmup_steps=self.args.get_warmup_steps(num_training_steps),
                                              num_training_steps=num_training_steps)
            self._created_lr_scheduler = True
        return self.lr_scheduler

    def _get_learning_rate(self):
        lr = self.lr_scheduler.get_last_lr()[0]
        return lr.item() if torch.is_tensor(lr) else lr

    # ---------------------------------------------------------------- training
    def train(self, resume_from_checkpoint=None, trial=None, ignore_keys_for_eval=None):
        if resume_from_checkpoint is False:
            resume_from_checkpoint = None
        if trial is not None:
            raise NotImplementedError("stand-in: hyper-parameter search is not modelled")
        args = self.args
        self.is_in_train = True
        if self.model_init is not None:
            set_seed(args.seed, deterministic=args.full_determinism)
            self.model = self.call_model_init(trial)
            self.optimizer, self.lr_scheduler = None, None
            self.model.to(args.device)
            self.model_wrapped = self.model
        if isinstance(resume_from_checkpoint, bool) and resume_from_checkpoint:
            resume_from_checkpoint = get_last_checkpoint(args.output_dir)
            if resume_from_checkpoint is None:
                raise ValueError(f"No valid checkpoint found in output directory ({args.output_dir})")
        if resume_from_checkpoint is not None:
            self._load_from_checkpoint(resume_from_checkpoint)
            TrainerState.load_from_json(os.path.join(resume_from_checkpoint, TRAINER_STATE_NAME))
        return self._inner_training_loop(batch_size=self._train_batch_size, args=args,
                                         resume_from_checkpoint=resume_from_checkpoint, trial=trial,
                                         ignore_keys_for_eval=ignore_keys_for_eval)

    def set_initial_training_values(self, args, dataloader):
        max_steps = args.max_steps
        epoch_based = max_steps < 0
        len_dataloader = len(dataloader) if has_length(dataloader) else None
        total_train_batch_size = self._train_batch_size * args.gradient_accumulation_steps * args.world_size
        num_update_steps_per_epoch = max(
            len_dataloader // args.gradient_accumulation_steps
            + int(len_dataloader % args.gradient_accumulation_steps > 0), 1)
        if epoch_based:
            max_steps = math.ceil(args.num_train_epochs * num_update_steps_per_epoch)
        num_examples = self.num_examples(dataloader)
        if args.max_steps > 0:
            num_train_epochs = max_steps // num_update_steps_per_epoch + int(max_steps % num_update_steps_per_epoch > 0)
            num_train_samples = max_steps * total_train_batch_size
        else:
            num_train_epochs = math.ceil(args.num_train_epochs)
            num_train_samples = self.num_examples(dataloader) * args.num_train_epochs
        return (num_train_epochs, num_update_steps_per_epoch, num_examples, num_train_samples,
                total_train_batch_size, len_dataloader, max_steps)

    def _inner_training_loop(self, batch_size=None, args=None, resume_from_checkpoint=None, trial=None,
                             ignore_keys_for_eval=None):
        self._train_batch_size = batch_size
        train_dataloader = self.get_train_dataloader()
        (num_train_epochs, num_update_steps_per_epoch, num_examples, num_train_samples, total_train_batch_size,
         steps_in_epoch, max_steps) = self.set_initial_training_values(args, train_dataloader)
        epochs_trained, steps_trained_in_current_epoch = self._init_training_state(
            max_steps, num_update_steps_per_epoch, num_train_epochs, resume_from_checkpoint, trial)
        model, train_dataloader = self._prepare_for_training(max_steps, train_dataloader, resume_from_checkpoint)

        start_time = time.time()
        self._initial_num_input_tokens_seen = self.state.num_input_tokens_seen
        self._tr_loss = torch.tensor(0.0, device=args.device)
        self._total_loss_scalar = 0.0
        self._globalstep_last_logged = self.state.global_step
        model.zero_grad()
        self.control = self.callback_handler.on_train_begin(args, self.state, self.control)
        if args.eval_on_start:
            self._evaluate(trial, ignore_keys_for_eval, skip_scheduler=True)
        for epoch in range(epochs_trained, num_train_epochs):
            self.control = self.callback_handler.on_epoch_begin(self.args, self.state, self.control)
            self._run_epoch(model, epoch, train_dataloader, steps_in_epoch, num_update_steps_per_epoch, trial,
                            ignore_keys_for_eval, start_time, resume_from_checkpoint, epochs_trained,
                            steps_trained_in_current_epoch)
            if self.control.should_training_stop:
                break
        return self._finalize_training(trial, num_train_samples, start_time)

    def _init_training_state(self, max_steps, num_update_steps_per_epoch, num_train_epochs, resume_from_checkpoint,
                             trial):
        self.state = TrainerState(stateful_callbacks=[c for c in self.callback_handler.callbacks + [self.control]
                                                      if isinstance(c, ExportableState)])
        self.state.is_hyper_param_search = trial is not None
        self.state.train_batch_size = self._train_batch_size
        self.state.compute_steps(self.args, max_steps)
        epochs_trained, steps_trained_in_current_epoch = 0, 0
        if resume_from_checkpoint is not None and os.path.isfile(
                os.path.join(resume_from_checkpoint, TRAINER_STATE_NAME)):
            self.state = TrainerState.load_from_json(os.path.join(resume_from_checkpoint, TRAINER_STATE_NAME))
            compare_trainer_and_checkpoint_args(self.args, self.state)
            self._load_callback_state()
            epochs_trained = int(self.state.global_step // num_update_steps_per_epoch)
            if not self.args.ignore_data_skip:
                steps_trained_in_current_epoch = self.state.global_step % num_update_steps_per_epoch
                steps_trained_in_current_epoch *= self.args.gradient_accumulation_steps
        self.state.init_training_references(self, max_steps, num_train_epochs, trial)
        return epochs_trained, steps_trained_in_current_epoch

    def _find_unused_parameters(self):
        # _build_accelerator_args: args value, else not gradient checkpointing for PreTrainedModel, else True.
        if self.args.ddp_find_unused_parameters is not None:
            return self.args.ddp_find_unused_parameters
        return True

    def _prepare_for_training(self, max_steps, train_dataloader, resume_from_checkpoint):
        if self._created_lr_scheduler:
            self.lr_scheduler = None
            self._created_lr_scheduler = False
        self.create_optimizer()
        model = self.model_wrapped
        if self.accelerator.unwrap_model(model) is model:  # not wrapped yet: accelerator.prepare(model, optimizer)
            model = self.accelerator.prepare_model(self.model, find_unused_parameters=self._find_unused_parameters())
        self.create_scheduler(num_training_steps=max_steps)
        self.model_wrapped = model
        if resume_from_checkpoint is not None:
            self._load_optimizer_and_scheduler(resume_from_checkpoint)
        for attr in ("model", "optimizer", "lr_scheduler"):
            setattr(self.callback_handler, attr, getattr(self, attr))
        self.callback_handler.train_dataloader = train_dataloader
        return model, train_dataloader

    def _run_epoch(self, model, epoch, train_dataloader, steps_in_epoch, num_update_steps_per_epoch, trial,
                   ignore_keys_for_eval, start_time, resume_from_checkpoint, epochs_trained,
                   steps_trained_in_current_epoch):
        args = self.args
        step, grad_norm, learning_rate, rng_to_sync = -1, None, None, False
        num_update_steps_trained = 0
        if epoch == epochs_trained and resume_from_checkpoint is not None:
            if steps_trained_in_current_epoch > 0 and not args.ignore_data_skip:
                train_dataloader = train_dataloader.skip_first_batches(steps_trained_in_current_epoch)
                step = steps_trained_in_current_epoch - 1
                num_update_steps_trained = steps_trained_in_current_epoch // args.gradient_accumulation_steps
                rng_to_sync = True
            elif steps_trained_in_current_epoch == 0:
                self._load_rng_state(resume_from_checkpoint)
        if hasattr(train_dataloader, "set_epoch"):
            train_dataloader.set_epoch(epoch)
        epoch_iterator = iter(train_dataloader)

        remainder = steps_in_epoch % args.gradient_accumulation_steps
        if remainder == 0:
            remainder = args.gradient_accumulation_steps
        for update_step in range(num_update_steps_trained, num_update_steps_per_epoch):
            num_batches = args.gradient_accumulation_steps if update_step != num_update_steps_per_epoch - 1 else remainder
            batch_samples, num_items_in_batch = self.get_batch_samples(epoch_iterator, num_batches, args.device)
            self.current_gradient_accumulation_steps = len(batch_samples)
            if rng_to_sync:
                self._load_rng_state(resume_from_checkpoint)
                rng_to_sync = False
            for i, inputs in enumerate(batch_samples):
                step += 1
                do_sync_step = (step + 1) % args.gradient_accumulation_steps == 0 or (step + 1) == steps_in_epoch
                if step % args.gradient_accumulation_steps == 0:
                    self.control = self.callback_handler.on_step_begin(args, self.state, self.control)
                sync_context = contextlib.nullcontext if i == len(batch_samples) - 1 else functools.partial(
                    self.accelerator.no_sync, model)
                with sync_context():
                    tr_loss_step = self.training_step(model, inputs, num_items_in_batch)
                if args.logging_nan_inf_filter and (torch.isnan(tr_loss_step) or torch.isinf(tr_loss_step)):
                    self._tr_loss += self._tr_loss / (1 + self.state.global_step - self._globalstep_last_logged)
                else:
                    self._tr_loss += tr_loss_step
                self.current_flos += float(self.floating_point_ops(inputs))
                if do_sync_step:
                    grad_norm = None
                    if args.max_grad_norm > 0:
                        grad_norm = self.accelerator.clip_grad_norm_(model.parameters(), args.max_grad_norm)
                    if grad_norm is None:
                        grad_norm = self.accelerator.clip_grad_norm_(model.parameters(), float("inf"))
                    self.control = self.callback_handler.on_pre_optimizer_step(args, self.state, self.control)
                    self.optimizer.step()
                    self.control = self.callback_handler.on_optimizer_step(args, self.state, self.control)
                    learning_rate = self._get_learning_rate()
                    if not isinstance(self.lr_scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                        self.lr_scheduler.step()
                    model.zero_grad()
                    self.state.global_step += 1
                    self.state.epoch = epoch + (step + 1) / steps_in_epoch
                    self.control = self.callback_handler.on_step_end(args, self.state, self.control)
                    self._maybe_log_save_evaluate(self._tr_loss, grad_norm, model, trial, epoch, ignore_keys_for_eval,
                                                  start_time, learning_rate=learning_rate)
                else:
                    self.control = self.callback_handler.on_substep_end(args, self.state, self.control)
                if self.control.should_epoch_stop or self.control.should_training_stop:
                    break
            if self.control.should_epoch_stop or self.control.should_training_stop:
                break
        if step < 0:
            logger.warning(f"No sample in the epoch iterator; stopping training at step {self.state.global_step}.")
            self.control.should_training_stop = True
        self.control = self.callback_handler.on_epoch_end(args, self.state, self.control)
        self._maybe_log_save_evaluate(self._tr_loss, grad_norm, model, trial, epoch, ignore_keys_for_eval, start_time,
                                      learning_rate=learning_rate)

    def _finalize_training(self, trial, num_train_samples, start_time):
        self._total_loss_scalar += self._tr_loss.item()
        train_loss = self._total_loss_scalar / max(self.state.global_step, 0.001)
        metrics = speed_metrics("train", start_time, num_samples=num_train_samples, num_steps=self.state.max_steps)
        self.store_flos()
        metrics["total_flos"] = self.state.total_flos
        metrics["train_loss"] = train_loss
        self.log(metrics)
        checkpoints = sort_checkpoints(output_dir=self._get_output_dir(trial),
                                       best_model_checkpoint=self.state.best_model_checkpoint)
        if self.args.should_save and self.state.best_model_checkpoint is not None and self.args.save_total_limit == 1:
            import shutil

            for ckpt in checkpoints:
                if not os.path.samefile(ckpt, self.state.best_model_checkpoint):
                    shutil.rmtree(ckpt, ignore_errors=True)
        self.control = self.callback_handler.on_train_end(self.args, self.state, self.control)
        self.is_in_train = False
        return TrainOutput(self.state.global_step, train_loss, metrics)

    def training_step(self, model, inputs, num_items_in_batch=None):
        model.train()
        if hasattr(self.optimizer, "train") and callable(self.optimizer.train):
            self.optimizer.train()
        inputs = self._prepare_inputs(inputs)
        loss = self.compute_loss(model, inputs, num_items_in_batch=num_items_in_batch)
        del inputs
        # trainer.py 1952-1954: only divide by the accumulation count when the loss was not already normalised by
        # num_items_in_batch inside the model / compute_loss_func.
        if (not self.model_accepts_loss_kwargs or num_items_in_batch is None) and self.compute_loss_func is None:
            loss = loss / self.current_gradient_accumulation_steps
        self.accelerator.backward(loss)
        return loss.detach()

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if self.compute_loss_func is not None and "labels" in inputs:
            labels = inputs.pop("labels")
        else:
            labels = None
        if self.model_accepts_loss_kwargs:
            extra = {}
            if num_items_in_batch is not None:
                extra["num_items_in_batch"] = num_items_in_batch
            inputs = {**inputs, **extra}
        outputs = model(**inputs)
        if self.compute_loss_func is not None:
            if labels is None:
                logger.warning("Trainer: `compute_loss_func` is defined but `labels=None`.")
            loss = self.compute_loss_func(outputs, labels, num_items_in_batch=num_items_in_batch)
        else:
            if isinstance(outputs, dict) and "loss" not in outputs:
                raise ValueError(
                    "The model did not return a loss from the inputs, only the following keys: "
                    f"{','.join(outputs.keys())}. For reference, the inputs it received are {','.join(inputs.keys())}."
                )
            loss = outputs["loss"] if isinstance(outputs, dict) else outputs[0]
        if (self.args.average_tokens_across_devices and (self.model_accepts_loss_kwargs or self.compute_loss_func)
                and num_items_in_batch is not None):
            loss *= self.accelerator.num_processes if self.args.n_gpu <= 1 else self.args.n_gpu
        return (loss, outputs) if return_outputs else loss

    def compute_loss_context_manager(self):
        return contextlib.ExitStack()

    def _maybe_log_save_evaluate(self, tr_loss, grad_norm, model, trial, epoch, ignore_keys_for_eval, start_time,
                                 learning_rate=None):
        if self.control.should_log and self.state.global_step > self._globalstep_last_logged:
            logs = {}
            gathered = _all_gather_cat(tr_loss) if self.args.parallel_mode == ParallelMode.DISTRIBUTED else tr_loss
            tr_loss_scalar = gathered.mean().item()
            tr_loss -= tr_loss
            logs["loss"] = tr_loss_scalar / (self.state.global_step - self._globalstep_last_logged)
            if grad_norm is not None:
                logs["grad_norm"] = grad_norm.item() if isinstance(grad_norm, torch.Tensor) else grad_norm
            logs["learning_rate"] = learning_rate if learning_rate is not None else self._get_learning_rate()
            self._total_loss_scalar += tr_loss_scalar
            self._globalstep_last_logged = self.state.global_step
            self.store_flos()
            self.log(logs, start_time)
        metrics = None
        if self.control.should_evaluate:
            metrics = self._evaluate(trial, ignore_keys_for_eval)
            is_new_best = self._determine_best_metric(metrics=metrics, trial=trial)
            if self.args.save_strategy == SaveStrategy.BEST:
                self.control.should_save = is_new_best
        if self.control.should_save:
            self._save_checkpoint(model, trial)
            self.control = self.callback_handler.on_save(self.args, self.state, self.control)

    def get_batch_samples(self, epoch_iterator, num_batches, device):
        batch_samples = []
        for _ in range(num_batches):
            try:
                batch_samples.append(next(epoch_iterator))
            except StopIteration:
                break
        return batch_samples, self._get_num_items_in_batch(batch_samples, device)

    def _get_num_items_in_batch(self, batch_samples, device):
        num_items_in_batch = None
        if (len(batch_samples) > 0 and "labels" in batch_samples[0]
                and (self.model_accepts_loss_kwargs or self.compute_loss_func is not None)):
            try:
                counted = [
                    b["shift_labels"] if "shift_labels" in b
                    else b["labels"][..., 1:] if self._loss_shifts_labels else b["labels"]
                    for b in batch_samples
                ]
                num_items_in_batch = sum(lbl.ne(-100).sum() for lbl in counted)
            except (TypeError, AttributeError):
                pass
        if num_items_in_batch is not None:
            if self.args.average_tokens_across_devices and self.args.world_size > 1:
                num_items_in_batch = self.accelerator.gather(num_items_in_batch.to(device)).sum()
            if torch.is_tensor(num_items_in_batch):
                num_items_in_batch = num_items_in_batch.to(device)
        return num_items_in_batch

    def _prepare_input(self, data):
        if isinstance(data, Mapping):
            return type(data)({k: self._prepare_input(v) for k, v in data.items()})
        if isinstance(data, (tuple, list)):
            return type(data)(self._prepare_input(v) for v in data)
        if isinstance(data, torch.Tensor):
            return data.to(device=self.args.device)
        return data

    def _prepare_inputs(self, inputs):
        inputs = self._prepare_input(inputs)
        if len(inputs) == 0:
            raise ValueError(
                "The batch received was empty, your model won't be able to train on it. Double-check that your "
                f"training dataset contains keys expected by the model: {','.join(self._signature_columns or [])}."
            )
        return inputs

    def floating_point_ops(self, inputs):
        main = getattr(self.model, "main_input_name", "input_ids")
        if main in inputs and hasattr(self.model, "num_parameters"):
            return 6 * inputs[main].numel() * self.model.num_parameters(exclude_embeddings=True)
        return 0

    # ---------------------------------------------------------------- evaluation
    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix="eval"):
        override = eval_dataset is not None
        eval_dataset = eval_dataset if override else self.eval_dataset
        if isinstance(eval_dataset, dict):
            metrics = {}
            for name, dataset in eval_dataset.items():
                metrics.update(self.evaluate(eval_dataset=dataset if override else name, ignore_keys=ignore_keys,
                                             metric_key_prefix=f"{metric_key_prefix}_{name}"))
            return metrics
        eval_dataloader = self.get_eval_dataloader(eval_dataset)
        start_time = time.time()
        output = self.evaluation_loop(eval_dataloader, description="Evaluation",
                                      prediction_loss_only=True if self.compute_metrics is None else None,
                                      ignore_keys=ignore_keys, metric_key_prefix=metric_key_prefix)
        total_batch_size = self.args.eval_batch_size * self.args.world_size
        if f"{metric_key_prefix}_model_preparation_time" in output.metrics:
            start_time += output.metrics[f"{metric_key_prefix}_model_preparation_time"]
        output.metrics.update(speed_metrics(metric_key_prefix, start_time, num_samples=output.num_samples,
                                            num_steps=math.ceil(output.num_samples / total_batch_size)))
        self.log(output.metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, output.metrics)
        return output.metrics

    def evaluation_loop(self, dataloader, description, prediction_loss_only=None, ignore_keys=None,
                        metric_key_prefix="eval"):
        args = self.args
        prediction_loss_only = prediction_loss_only if prediction_loss_only is not None else args.prediction_loss_only
        model = self.model  # _wrap_model(training=False) leaves it unwrapped
        if len(self.accelerator._models) == 0 and model is self.model:
            start = time.time()
            model = self.accelerator.prepare_model(model, evaluation_mode=True)
            self.model_preparation_time = round(time.time() - start, 4)
        batch_size = args.eval_batch_size
        model.eval()
        if hasattr(self.optimizer, "eval") and callable(self.optimizer.eval):
            self.optimizer.eval()
        self.callback_handler.eval_dataloader = dataloader
        eval_dataset = getattr(dataloader, "dataset", None)
        losses_all, preds_all, labels_all = [], [], []
        observed = 0
        for inputs in dataloader:
            n = _batch_size_of(inputs)
            if n is not None:
                observed += n
                if batch_size is None:
                    batch_size = n
            losses, logits, labels = self.prediction_step(model, inputs, prediction_loss_only, ignore_keys=ignore_keys)
            if losses is not None:
                losses_all.append(self.gather_function(losses.repeat(batch_size), dataloader))
            # Simplified: no pad_across_processes, so logits/labels must have equal shapes on every process.
            if logits is not None:
                if self.preprocess_logits_for_metrics is not None:
                    logits = self.preprocess_logits_for_metrics(logits, labels)
                preds_all.append(self.gather_function(logits, dataloader))
            if labels is not None:
                labels_all.append(self.gather_function(labels, dataloader))
            self.control = self.callback_handler.on_prediction_step(args, self.state, self.control)
        num_samples = len(eval_dataset) if has_length(eval_dataset) else observed
        if num_samples == 0 and observed > 0:
            num_samples = observed
        preds = _cat_numpy(preds_all)
        label_ids = _cat_numpy(labels_all)
        if self.compute_metrics is not None and preds is not None and label_ids is not None:
            metrics = self.compute_metrics(EvalPrediction(predictions=preds, label_ids=label_ids))
        else:
            metrics = {}
        metrics = denumpify_detensorize(metrics)
        if losses_all:
            all_losses = torch.cat([l.detach().cpu() for l in losses_all])
            # upstream: numpy float32 array .mean().item()
            metrics[f"{metric_key_prefix}_loss"] = (
                np.asarray(all_losses.numpy()).mean().item() if np is not None else all_losses.mean().item())
        if hasattr(self, "model_preparation_time"):
            metrics[f"{metric_key_prefix}_model_preparation_time"] = self.model_preparation_time
        for key in list(metrics.keys()):
            if not key.startswith(f"{metric_key_prefix}_"):
                metrics[f"{metric_key_prefix}_{key}"] = metrics.pop(key)
        return EvalLoopOutput(predictions=preds, label_ids=label_ids, metrics=metrics, num_samples=num_samples)

    def predict(self, test_dataset, ignore_keys=None, metric_key_prefix="test"):
        test_dataloader = self.get_test_dataloader(test_dataset)
        start_time = time.time()
        output = self.evaluation_loop(test_dataloader, description="Prediction", ignore_keys=ignore_keys,
                                      metric_key_prefix=metric_key_prefix)
        total_batch_size = self.args.eval_batch_size * self.args.world_size
        if f"{metric_key_prefix}_model_preparation_time" in output.metrics:
            start_time += output.metrics[f"{metric_key_prefix}_model_preparation_time"]
        output.metrics.update(speed_metrics(metric_key_prefix, start_time, num_samples=output.num_samples,
                                            num_steps=math.ceil(output.num_samples / total_batch_size)))
        self.control = self.callback_handler.on_predict(self.args, self.state, self.control, output.metrics)
        return PredictionOutput(predictions=output.predictions, label_ids=output.label_ids, metrics=output.metrics)

    def prediction_step(self, model, inputs, prediction_loss_only, ignore_keys=None):
        has_labels = False if len(self.label_names) == 0 else all(inputs.get(k) is not None for k in self.label_names)
        return_loss = inputs.get("return_loss")
        if return_loss is None:
            return_loss = self.can_return_loss
        loss_without_labels = len(self.label_names) == 0 and return_loss
        inputs = self._prepare_inputs(inputs)
        if ignore_keys is None:
            ignore_keys = (getattr(self.model.config, "keys_to_ignore_at_inference", ["past_key_values"])
                           if hasattr(self.model, "config") else [])
        if has_labels or loss_without_labels:
            labels = tuple(inputs.get(name).detach() if torch.is_tensor(inputs.get(name)) else inputs.get(name)
                           for name in self.label_names)
            if len(labels) == 1:
                labels = labels[0]
        else:
            labels = None
        with torch.no_grad():
            if has_labels or loss_without_labels:
                num_items_in_batch = self._get_num_items_in_batch([inputs], self.args.device)
                loss, outputs = self.compute_loss(model, inputs, return_outputs=True,
                                                  num_items_in_batch=num_items_in_batch)
                loss = loss.detach().mean()
                logits = (tuple(v for k, v in outputs.items() if k not in ignore_keys + ["loss"])
                          if isinstance(outputs, dict) else outputs[1:])
            else:
                loss = None
                outputs = model(**inputs)
                logits = (tuple(v for k, v in outputs.items() if k not in ignore_keys)
                          if isinstance(outputs, dict) else outputs)
        if prediction_loss_only:
            return (loss, None, None)
        logits = tuple(t.detach() for t in logits)
        if len(logits) == 1:
            logits = logits[0]
        return (loss, logits, labels)

    def _evaluate(self, trial, ignore_keys_for_eval, skip_scheduler=False):
        return self.evaluate(ignore_keys=ignore_keys_for_eval)

    def _determine_best_metric(self, metrics, trial):
        is_new_best = False
        if self.args.metric_for_best_model is not None:
            key = self.args.metric_for_best_model
            if not key.startswith("eval_"):
                key = f"eval_{key}"
            value = metrics[key]
            better = (lambda a, b: a > b) if self.args.greater_is_better else (lambda a, b: a < b)
            if self.state.best_metric is None:
                self.state.best_metric = float("-inf") if self.args.greater_is_better else float("inf")
            if better(value, self.state.best_metric):
                self.state.best_metric = value
                if self.args.save_strategy in (SaveStrategy.STEPS, SaveStrategy.EPOCH, SaveStrategy.BEST):
                    self.state.best_global_step = self.state.global_step
                is_new_best = True
        return is_new_best

    # ---------------------------------------------------------------- checkpoints
    def _get_output_dir(self, trial):
        return self.args.output_dir  # simplified: no run-<trial> sub-directory (no hyper-parameter search)

    def _save_checkpoint(self, model, trial):
        folder = f"{PREFIX_CHECKPOINT_DIR}-{self.state.global_step}"
        if self.hp_search_backend is None and trial is None:
            self.store_flos()
        run_dir = self._get_output_dir(trial=trial)
        output_dir = os.path.join(run_dir, folder)
        self.save_model(output_dir, _internal_call=True)
        if (self.args.save_strategy in (SaveStrategy.STEPS, SaveStrategy.EPOCH, SaveStrategy.BEST)
                and self.state.best_global_step):
            if self.args.parallel_mode == ParallelMode.DISTRIBUTED:
                dist.barrier()
            best_dir = os.path.join(run_dir, f"{PREFIX_CHECKPOINT_DIR}-{self.state.best_global_step}")
            if os.path.exists(best_dir):
                self.state.best_model_checkpoint = best_dir
        if not self.args.save_only_model:
            self._save_optimizer_and_scheduler(output_dir)
            self._save_rng_state(output_dir)
        if self.args.should_save:
            for cb in [c for c in self.callback_handler.callbacks + [self.control] if isinstance(c, ExportableState)]:
                name = type(cb).__name__
                if isinstance(self.state.stateful_callbacks[name], list):
                    self.state.stateful_callbacks[name].append(cb.state())
                else:
                    self.state.stateful_callbacks[name] = cb.state()
            self.state.save_to_json(os.path.join(output_dir, TRAINER_STATE_NAME))
        if self.args.should_save:
            rotate_checkpoints(output_dir=run_dir, save_total_limit=self.args.save_total_limit,
                               best_model_checkpoint=self.state.best_model_checkpoint, use_mtime=True)

    def _save_rng_state(self, output_dir):
        states = {"python": random.getstate(), "cpu": torch.random.get_rng_state()}
        if np is not None:
            states["numpy"] = np.random.get_state()
        os.makedirs(output_dir, exist_ok=True)
        name = "rng_state.pth" if self.args.world_size <= 1 else f"rng_state_{self.args.process_index}.pth"
        torch.save(states, os.path.join(output_dir, name))

    def _save_optimizer_and_scheduler(self, output_dir):
        if self.args.should_save:
            torch.save(self.optimizer.state_dict(), os.path.join(output_dir, OPTIMIZER_NAME))
            torch.save(self.lr_scheduler.state_dict(), os.path.join(output_dir, SCHEDULER_NAME))

    def save_model(self, output_dir=None, _internal_call=False):
        if output_dir is None:
            output_dir = self.args.output_dir
        if self.args.should_save:
            self._save(output_dir)

    def _save(self, output_dir=None, state_dict=None):
        output_dir = output_dir if output_dir is not None else self.args.output_dir
        os.makedirs(output_dir, exist_ok=True)
        if hasattr(self.model, "save_pretrained"):
            self.model.save_pretrained(output_dir, state_dict=state_dict)
        else:
            # upstream: safetensors.torch.save_file(state_dict, "model.safetensors"); safetensors is not available
            torch.save(self.model.state_dict() if state_dict is None else state_dict,
                       os.path.join(output_dir, WEIGHTS_NAME))
        if self.processing_class is not None:
            self.processing_class.save_pretrained(output_dir)
        torch.save(self.args, os.path.join(output_dir, TRAINING_ARGS_NAME))

    def _load_from_checkpoint(self, resume_from_checkpoint, model=None):
        model = self.model if model is None else model
        weights = os.path.join(resume_from_checkpoint, WEIGHTS_NAME)
        safe = os.path.join(resume_from_checkpoint, SAFE_WEIGHTS_NAME)
        if os.path.isfile(weights):
            state_dict = torch.load(weights, map_location="cpu")
            result = model.load_state_dict(state_dict, False)
            if result.missing_keys:
                logger.warning(f"There were missing keys in the checkpoint model loaded: {result.missing_keys}.")
            if result.unexpected_keys:
                logger.warning(f"There were unexpected keys in the checkpoint model loaded: {result.unexpected_keys}.")
        elif os.path.isfile(safe):
            raise NotImplementedError("stand-in: model.safetensors cannot be read without the safetensors package")
        else:
            raise ValueError(f"Can't find a valid checkpoint at {resume_from_checkpoint}")

    def _load_rng_state(self, checkpoint):
        if checkpoint is None:
            return
        if self.args.world_size > 1:
            path = os.path.join(checkpoint, f"rng_state_{self.args.process_index}.pth")
        else:
            path = os.path.join(checkpoint, "rng_state.pth")
        if not os.path.isfile(path):
            logger.info("Didn't find an RNG file, reproducibility is not guaranteed.")
            return
        states = torch.load(path)
        random.setstate(states["python"])
        if np is not None and "numpy" in states:
            np.random.set_state(states["numpy"])
        torch.random.set_rng_state(states["cpu"])

    def _load_optimizer_and_scheduler(self, checkpoint):
        if checkpoint is None:
            return
        if os.path.isfile(os.path.join(checkpoint, OPTIMIZER_NAME)) and os.path.isfile(
                os.path.join(checkpoint, SCHEDULER_NAME)):
            self.optimizer.load_state_dict(torch.load(os.path.join(checkpoint, OPTIMIZER_NAME), map_location="cpu"))
            self.lr_scheduler.load_state_dict(torch.load(os.path.join(checkpoint, SCHEDULER_NAME)))

    def _load_callback_state(self):
        if not self.args.restore_callback_states_from_checkpoint:
            return
        not_found, fresh = [], []
        existing = self.callback_handler.callbacks + [self.control]
        for stored, data in self.state.stateful_callbacks.items():
            data = data if isinstance(data, list) else [data]
            same = [c for c in existing if type(c).__name__ == stored]
            if not same:
                not_found.append(stored)
                continue
            for cb, cb_data in zip(same, data):
                new = type(cb)(**cb_data.get("args", {}))
                for key, value in cb_data.get("attributes", {}).items():
                    setattr(new, key, value)
                if isinstance(cb, TrainerControl):
                    self.control = new
                else:
                    fresh.append(new)
                self.callback_handler.remove_callback(type(new))
        if not_found:
            logger.warning(f"Checkpoint included callbacks not in the current configuration: {', '.join(not_found)}")
        for cb in fresh:
            self.callback_handler.add_callback(cb)

    # ---------------------------------------------------------------- logging and helpers
    def log(self, logs, start_time=None):
        if self.state.epoch is not None:
            logs["epoch"] = self.state.epoch
        output = {**logs, "step": self.state.global_step}
        self.state.log_history.append(output)
        self.control = self.callback_handler.on_log(self.args, self.state, self.control, logs)

    def store_flos(self):
        if self.args.parallel_mode == ParallelMode.DISTRIBUTED:
            flos = torch.tensor([self.current_flos], dtype=torch.float64)
            self.state.total_flos += _all_gather_cat(flos).sum().item()
        else:
            self.state.total_flos += self.current_flos
        self.current_flos = 0

    def add_callback(self, callback):
        self.callback_handler.add_callback(callback)

    def pop_callback(self, callback):
        return self.callback_handler.pop_callback(callback)

    def remove_callback(self, callback):
        self.callback_handler.remove_callback(callback)

    def is_local_process_zero(self):
        return self.args.local_process_index == 0

    def is_world_process_zero(self):
        return self.args.process_index == 0


def _batch_size_of(tensors):
    """trainer_pt_utils.find_batch_size: first dimension of the first tensor found."""
    if isinstance(tensors, (list, tuple)):
        for t in tensors:
            n = _batch_size_of(t)
            if n is not None:
                return n
    elif isinstance(tensors, Mapping):
        for t in tensors.values():
            n = _batch_size_of(t)
            if n is not None:
                return n
    elif isinstance(tensors, torch.Tensor):
        return tensors.shape[0] if tensors.ndim >= 1 else None
    return None


def _cat_numpy(chunks):
    if not chunks:
        return None
    if isinstance(chunks[0], tuple):
        return tuple(_cat_numpy([c[i] for c in chunks]) for i in range(len(chunks[0])))
    out = torch.cat([c.detach().cpu() for c in chunks], dim=0)
    return out.numpy() if np is not None else out


__all__ = ["Trainer", "TrainerCallback", "get_scheduler"]
