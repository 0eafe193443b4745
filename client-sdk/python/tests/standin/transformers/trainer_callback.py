"""Stand-in for transformers' callback machinery (test use only).

Modelled on transformers 5.15.0 (tag v5.15.0, commit 5eddc12edfaf8cafde8c9bae4ccb12f8a139b4f9),
src/transformers/trainer_callback.py. Written anew from reading the source. Reproduced:

- ``TrainerState``: same dataclass fields and defaults; ``__post_init__`` turns a list of ``ExportableState``
  callbacks into a ``{class name: state()}`` dict (several of one class -> a list); ``save_to_json`` (indent 2,
  sorted keys, trailing newline), ``load_from_json``, ``compute_steps`` (ratios < 1 -> ceil(max_steps * ratio)),
  ``init_training_references``.
- ``ExportableState`` and ``TrainerControl`` (an ExportableState) with ``_new_training/_new_epoch/_new_step``.
- ``TrainerCallback``: every event of 5.15.0 with the same signature: on_init_end, on_train_begin, on_train_end,
  on_epoch_begin, on_epoch_end, on_step_begin, on_pre_optimizer_step, on_optimizer_step, on_substep_end,
  on_step_end, on_evaluate, on_predict(metrics), on_save, on_log, on_prediction_step, on_push_begin.
- ``CallbackHandler``: the flag resets done before dispatch (on_train_begin: should_training_stop; on_epoch_begin:
  should_epoch_stop; on_step_begin: should_log/evaluate/save; on_evaluate: should_evaluate; on_save: should_save;
  on_log: should_log) and ``call_event`` passing args, state, control positionally and the keyword arguments
  model, processing_class, optimizer, lr_scheduler, train_dataloader, eval_dataloader (+ metrics / logs).
  A callback returning None keeps the current control.
- ``DefaultFlowCallback.on_step_end`` / ``on_epoch_end``: the log / evaluate / save / stop decisions, including the
  extra evaluation and save at ``max_steps``.
- ``PrinterCallback`` as upstream. ``ProgressCallback`` is a silent placeholder (upstream draws tqdm bars and
  changes nothing else), kept so the callback list has the real shape.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from dataclasses import dataclass

from .trainer_utils import IntervalStrategy, SaveStrategy

logger = logging.getLogger("transformers.trainer_callback")


@dataclass
class TrainerState:
    epoch: float = 0
    global_step: int = 0
    max_steps: int = 0
    logging_steps: int = 500
    eval_steps: int = 500
    save_steps: int = 500
    train_batch_size: int | None = None
    num_train_epochs: int = 0
    num_input_tokens_seen: int = 0
    total_flos: float = 0
    log_history: list = None
    best_metric: float | None = None
    best_global_step: int | None = None
    best_model_checkpoint: str | None = None
    is_local_process_zero: bool = True
    is_world_process_zero: bool = True
    is_hyper_param_search: bool = False
    trial_name: str | None = None
    trial_params: dict | None = None
    stateful_callbacks: list | None = None

    def __post_init__(self):
        if self.log_history is None:
            self.log_history = []
        if self.stateful_callbacks is None:
            self.stateful_callbacks = {}
        elif isinstance(self.stateful_callbacks, dict):
            pass  # already the serialised form (read back from trainer_state.json)
        else:
            collected = {}
            for cb in self.stateful_callbacks:
                if not isinstance(cb, ExportableState):
                    raise TypeError(f"All callbacks passed to be saved must inherit `ExportableState`, got {type(cb)}")
                name = type(cb).__name__
                if name in collected:
                    if not isinstance(collected[name], list):
                        collected[name] = [collected[name]]
                    collected[name].append(cb.state())
                else:
                    collected[name] = cb.state()
            self.stateful_callbacks = collected

    def save_to_json(self, json_path: str):
        text = json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True) + "\n"
        with open(json_path, "w", encoding="utf-8") as f:
            f.write(text)

    @classmethod
    def load_from_json(cls, json_path: str):
        with open(json_path, encoding="utf-8") as f:
            return cls(**json.loads(f.read()))

    def compute_steps(self, args, max_steps):
        for kind in ("logging", "eval", "save"):
            value = getattr(args, f"{kind}_steps")
            if value is not None:
                if value < 1:
                    value = math.ceil(max_steps * value)
                setattr(self, f"{kind}_steps", value)

    def init_training_references(self, trainer, max_steps, num_train_epochs, trial):
        self.trial_params = None  # hyper-parameter search is not modelled
        self.max_steps = max_steps
        self.num_train_epochs = num_train_epochs
        self.is_local_process_zero = trainer.is_local_process_zero()
        self.is_world_process_zero = trainer.is_world_process_zero()


class ExportableState:
    """Objects whose ``state()`` is stored in trainer_state.json's ``stateful_callbacks`` at each checkpoint."""

    def state(self) -> dict:
        raise NotImplementedError("You must implement a `state` function to utilize this class.")

    @classmethod
    def from_state(cls, state):
        obj = cls(**state["args"])
        for key, value in state["attributes"].items():
            setattr(obj, key, value)
        return obj


@dataclass
class TrainerControl(ExportableState):
    should_training_stop: bool = False
    should_epoch_stop: bool = False
    should_save: bool = False
    should_evaluate: bool = False
    should_log: bool = False

    def _new_training(self):
        self.should_training_stop = False

    def _new_epoch(self):
        self.should_epoch_stop = False

    def _new_step(self):
        self.should_save = False
        self.should_evaluate = False
        self.should_log = False

    def state(self) -> dict:
        return {
            "args": {
                "should_training_stop": self.should_training_stop,
                "should_epoch_stop": self.should_epoch_stop,
                "should_save": self.should_save,
                "should_evaluate": self.should_evaluate,
                "should_log": self.should_log,
            },
            "attributes": {},
        }


class TrainerCallback:
    """Base class: every event receives (args, state, control, **kwargs) and may return a new control."""

    def on_init_end(self, args, state, control, **kwargs):
        pass

    def on_train_begin(self, args, state, control, **kwargs):
        pass

    def on_train_end(self, args, state, control, **kwargs):
        pass

    def on_epoch_begin(self, args, state, control, **kwargs):
        pass

    def on_epoch_end(self, args, state, control, **kwargs):
        pass

    def on_step_begin(self, args, state, control, **kwargs):
        pass

    def on_pre_optimizer_step(self, args, state, control, **kwargs):
        pass

    def on_optimizer_step(self, args, state, control, **kwargs):
        pass

    def on_substep_end(self, args, state, control, **kwargs):
        pass

    def on_step_end(self, args, state, control, **kwargs):
        pass

    def on_evaluate(self, args, state, control, **kwargs):
        pass

    def on_predict(self, args, state, control, metrics, **kwargs):
        pass

    def on_save(self, args, state, control, **kwargs):
        pass

    def on_log(self, args, state, control, **kwargs):
        pass

    def on_prediction_step(self, args, state, control, **kwargs):
        pass

    def on_push_begin(self, args, state, control, **kwargs):
        pass


class CallbackHandler(TrainerCallback):
    """Calls each registered callback in order for every event."""

    def __init__(self, callbacks, model, processing_class, optimizer, lr_scheduler):
        self.callbacks = []
        for cb in callbacks:
            self.add_callback(cb)
        self.model = model
        self.processing_class = processing_class
        self.optimizer = optimizer
        self.lr_scheduler = lr_scheduler
        self.train_dataloader = None
        self.eval_dataloader = None
        if not any(isinstance(cb, DefaultFlowCallback) for cb in self.callbacks):
            logger.warning("The Trainer will not work properly without a DefaultFlowCallback:\n" + self.callback_list)

    def add_callback(self, callback):
        cb = callback() if isinstance(callback, type) else callback
        cls = callback if isinstance(callback, type) else type(callback)
        if cls in [type(c) for c in self.callbacks]:
            logger.warning(f"Adding a second {cls} to the callbacks:\n" + self.callback_list)
        self.callbacks.append(cb)

    def pop_callback(self, callback):
        for cb in self.callbacks:
            if (isinstance(callback, type) and isinstance(cb, callback)) or (
                not isinstance(callback, type) and cb == callback
            ):
                self.callbacks.remove(cb)
                return cb
        return None

    def remove_callback(self, callback):
        if isinstance(callback, type):
            for cb in self.callbacks:
                if isinstance(cb, callback):
                    self.callbacks.remove(cb)
                    return
        else:
            self.callbacks.remove(callback)

    @property
    def callback_list(self):
        return "\n".join(type(cb).__name__ for cb in self.callbacks)

    def on_init_end(self, args, state, control, **kwargs):
        return self.call_event("on_init_end", args, state, control, **kwargs)

    def on_train_begin(self, args, state, control, **kwargs):
        control.should_training_stop = False
        return self.call_event("on_train_begin", args, state, control, **kwargs)

    def on_train_end(self, args, state, control, **kwargs):
        return self.call_event("on_train_end", args, state, control, **kwargs)

    def on_epoch_begin(self, args, state, control, **kwargs):
        control.should_epoch_stop = False
        return self.call_event("on_epoch_begin", args, state, control, **kwargs)

    def on_epoch_end(self, args, state, control, **kwargs):
        return self.call_event("on_epoch_end", args, state, control, **kwargs)

    def on_step_begin(self, args, state, control, **kwargs):
        control.should_log = False
        control.should_evaluate = False
        control.should_save = False
        return self.call_event("on_step_begin", args, state, control, **kwargs)

    def on_pre_optimizer_step(self, args, state, control, **kwargs):
        return self.call_event("on_pre_optimizer_step", args, state, control, **kwargs)

    def on_optimizer_step(self, args, state, control, **kwargs):
        return self.call_event("on_optimizer_step", args, state, control, **kwargs)

    def on_substep_end(self, args, state, control, **kwargs):
        return self.call_event("on_substep_end", args, state, control, **kwargs)

    def on_step_end(self, args, state, control, **kwargs):
        return self.call_event("on_step_end", args, state, control, **kwargs)

    def on_evaluate(self, args, state, control, metrics, **kwargs):
        control.should_evaluate = False
        return self.call_event("on_evaluate", args, state, control, metrics=metrics, **kwargs)

    def on_predict(self, args, state, control, metrics, **kwargs):
        return self.call_event("on_predict", args, state, control, metrics=metrics, **kwargs)

    def on_save(self, args, state, control, **kwargs):
        control.should_save = False
        return self.call_event("on_save", args, state, control, **kwargs)

    def on_log(self, args, state, control, logs, **kwargs):
        control.should_log = False
        return self.call_event("on_log", args, state, control, logs=logs, **kwargs)

    def on_prediction_step(self, args, state, control, **kwargs):
        return self.call_event("on_prediction_step", args, state, control, **kwargs)

    def on_push_begin(self, args, state, control, **kwargs):
        return self.call_event("on_push_begin", args, state, control, **kwargs)

    def call_event(self, event, args, state, control, **kwargs):
        for cb in self.callbacks:
            result = getattr(cb, event)(
                args,
                state,
                control,
                model=self.model,
                processing_class=self.processing_class,
                optimizer=self.optimizer,
                lr_scheduler=self.lr_scheduler,
                train_dataloader=self.train_dataloader,
                eval_dataloader=self.eval_dataloader,
                **kwargs,
            )
            if result is not None:
                control = result
        return control


class DefaultFlowCallback(TrainerCallback):
    """Decides from the step / epoch counters when to log, evaluate, save and stop."""

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == 1 and args.logging_first_step:
            control.should_log = True
        if args.logging_strategy == IntervalStrategy.STEPS and state.global_step % state.logging_steps == 0:
            control.should_log = True
        if (
            args.eval_strategy == IntervalStrategy.STEPS
            and state.global_step % state.eval_steps == 0
            and args.eval_delay <= state.global_step
        ):
            control.should_evaluate = True
        if args.save_strategy == SaveStrategy.STEPS and state.save_steps > 0 and state.global_step % state.save_steps == 0:
            control.should_save = True
        if state.global_step >= state.max_steps:
            control.should_training_stop = True
            # last step: evaluate if a step-based eval would not already run now, and always save (steps strategy)
            if (
                args.eval_strategy == IntervalStrategy.STEPS
                and state.global_step % state.eval_steps != 0
                and args.eval_delay <= state.global_step
            ):
                control.should_evaluate = True
            if args.save_strategy == SaveStrategy.STEPS:
                control.should_save = True
        return control

    def on_epoch_end(self, args, state, control, **kwargs):
        if args.logging_strategy == IntervalStrategy.EPOCH:
            control.should_log = True
        if args.eval_strategy == IntervalStrategy.EPOCH and args.eval_delay <= state.epoch:
            control.should_evaluate = True
        if args.save_strategy == SaveStrategy.EPOCH:
            control.should_save = True
        return control


class ProgressCallback(TrainerCallback):
    """Placeholder for upstream's tqdm progress bars: same place in the callback list, no output."""

    def __init__(self, max_str_len: int = 100):
        self.max_str_len = max_str_len
        self.training_bar = None
        self.prediction_bar = None


class PrinterCallback(TrainerCallback):
    """Prints the logs (used instead of ProgressCallback when ``disable_tqdm`` is True)."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        _ = logs.pop("total_flos", None)
        if state.is_local_process_zero:
            print({k: (f"{v:.4g}" if isinstance(v, float) else v) for k, v in logs.items()})
