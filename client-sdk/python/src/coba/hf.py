"""CoBa for the Hugging Face ``Trainer``: ``CobaTrainer`` (a ``Trainer`` whose loss is the
weighted mix of per-task losses) and ``CobaCallback`` (the reporting alone).

    from coba import CobaClient
    from coba.hf import CobaTrainer

    coba = CobaClient()
    coba.create_run(TASKS, run_id="ft-1")
    trainer = CobaTrainer(model=model, args=args, train_dataset=train,
                          eval_dataset={t: eval_sets[t] for t in TASKS},   # eval_<task>_loss
                          coba_client=coba, coba_tasks=TASKS)
    trainer.train()                       # or train(resume_from_checkpoint=True)

What it does about the real ``Trainer`` (written against transformers 5.15's trainer.py, see the
package README for the versions it was run with):

- ``evaluate`` with a dict of eval datasets calls ``on_evaluate`` once per dataset, each time
  with only ``eval_<name>_loss``, all at one ``global_step``: the callback gathers them and
  reports once every task is in (or, if one never comes, before the next step or save).
- ``remove_unused_columns=True`` (the default) would drop ``task_ids``: ``CobaTrainer`` adds it
  to the signature columns; a training batch without it is an error, never a silent
  unweighted loss.
- Gradient accumulation: ``CobaTrainer`` sets ``model_accepts_loss_kwargs = False``, so the
  ``Trainer`` divides each micro-batch's loss by the accumulation steps itself (it skips that
  for models whose ``forward`` takes ``**kwargs``, expecting a loss summed over
  ``num_items_in_batch``, which a mix of per-task means is not).
- Checkpoints: the run state and the weights in use go into the ``Trainer``'s own checkpoint
  folder, only where ``args.should_save``; ``train(resume_from_checkpoint=...)`` restores
  them, and a fresh ``train()`` starts the run over, so a rerun or a resume never meets a 409.
- Under DDP the ``Trainer`` gathers evaluation losses over the ranks, so every rank holds the
  global loss; rank 0 reports for all, and every rank trains with the same weights
  (:class:`coba.torch.Balancing`).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Dict, Mapping, Optional, Sequence

from transformers import Trainer, TrainerCallback
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR, get_last_checkpoint

from .client import CobaClient
from .torch import Balancing, causal_lm_example_losses, mix_losses, per_task_losses

log = logging.getLogger("coba")

__all__ = ["CobaCallback", "CobaTrainer", "losses_from_metrics", "TASK_IDS"]

TASK_IDS = "task_ids"   # the batch column with each example's task index
ValLossFn = Callable[[Any, Any, Optional[Mapping[str, float]]], Mapping[str, float]]


def losses_from_metrics(metrics: Optional[Mapping[str, Any]], tasks: Sequence[str],
                        prefix: str = "eval_") -> Dict[str, float]:
    """Per-task losses in evaluation metrics: ``eval_<task>_loss`` (tasks not there left out)."""
    found = {}
    for task in tasks:
        value = (metrics or {}).get(f"{prefix}{task}_loss")
        if value is not None:
            found[task] = float(value)
    return found


class CobaCallback(TrainerCallback):
    """Reports per-task validation losses after each evaluation and keeps the weights every rank
    trains with (``self.shared.weights``, ``self.shared.objective``).

    :param client: the client of a created run (rank 0's; other ranks' need no run)
    :param tasks: the run's tasks (default: the client's)
    :param report_every: with ``val_loss_fn``, also report every k optimizer steps
    :param val_loss_fn: ``fn(args, state, metrics) -> {task: loss}`` instead of reading
        ``eval_<task>_loss`` from the metrics; each rank returns its own losses (they are
        combined), unlike the metrics, which the Trainer already gathered
    :param save_state: write the run state into checkpoints (see ``CobaTrainer``)
    """

    def __init__(self, client: CobaClient, tasks: Optional[Sequence[str]] = None,
                 report_every: Optional[int] = None, val_loss_fn: Optional[ValLossFn] = None,
                 metric_prefix: str = "eval_", save_state: bool = True):
        if client is None:
            raise ValueError("CobaCallback needs a CobaClient (coba_client=...)")
        self.client = client
        self.tasks = list(tasks) if tasks is not None else list(client.tasks or [])
        if not self.tasks:
            raise ValueError("no tasks: pass tasks=[...] or create the run with the client first")
        if report_every is not None and val_loss_fn is None:
            raise ValueError("report_every needs val_loss_fn: metrics exist only after an evaluation")
        self.report_every = report_every
        self.val_loss_fn = val_loss_fn
        self.metric_prefix = metric_prefix
        self.save_state = save_state
        self.resume_from: Optional[str] = None   # the checkpoint train() resumes from (CobaTrainer)
        self._balancing: Optional[Balancing] = None
        self._gathered: Dict[str, float] = {}     # eval_<task>_loss seen at _gathered_step
        self._gathered_step: Optional[int] = None
        self._warned_missing = False

    @property
    def shared(self) -> Balancing:
        """The weights and objective in use, the same on every rank (created at train begin,
        once torch.distributed is up)."""
        if self._balancing is None:
            self._balancing = Balancing(self.client, self.tasks)
        return self._balancing

    # ------------------------------------------------------------------------ events
    def on_train_begin(self, args, state, control, **kwargs):
        """A fresh train() starts the run over; a resume restores the checkpoint's state."""
        step = int(state.global_step or 0)
        folder = self.resume_from
        if step > 0 and folder is None:
            folder = os.path.join(args.output_dir, f"{PREFIX_CHECKPOINT_DIR}-{step}")
        self._gathered, self._gathered_step = {}, None
        self.shared.start(step, folder if step > 0 else None)

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        step = int(state.global_step)
        if self._gathered_step != step:
            self._report_gathered()   # an evaluation of an earlier step that never completed
            self._gathered, self._gathered_step = {}, step
        if self.val_loss_fn is not None:
            self._report(step, self.val_loss_fn(args, state, metrics), already_global=False)
            return
        self._gathered.update(losses_from_metrics(metrics, self.tasks, self.metric_prefix))
        if len(self._gathered) == len(self.tasks):
            self._report_gathered()

    def on_step_begin(self, args, state, control, **kwargs):
        self._report_gathered()

    def on_step_end(self, args, state, control, **kwargs):
        step = int(state.global_step)
        if self.report_every and step % self.report_every == 0:
            self._report(step, self.val_loss_fn(args, state, None), already_global=False)

    def on_save(self, args, state, control, **kwargs):
        """Used alone (without CobaTrainer), writes into ``output_dir/checkpoint-<step>`` where
        ``args.should_save``; CobaTrainer writes from its ``_save_checkpoint`` instead."""
        self._report_gathered()
        if self.save_state and not getattr(self, "_saved_by_trainer", False) and args.should_save:
            self.save_into(os.path.join(args.output_dir, f"{PREFIX_CHECKPOINT_DIR}-{state.global_step}"))

    def on_train_end(self, args, state, control, **kwargs):
        self._report_gathered()
        b = self.shared
        if not b.flush():
            log.error("CoBa: %d operation(s) for run %s are still queued at the end of training; "
                      "they are retried until the process exits", self.client.pending, self.client.run_id)
        if b.fallbacks and b.rank == 0:
            log.warning("CoBa: %d of %d report(s) were answered without the sidecar (training kept "
                        "the weights it had; the run's history shows them as weightsUsed)",
                        b.fallbacks, b.reports)

    # --------------------------------------------------------------------- helpers
    def save_into(self, folder: str) -> None:
        """Writes the run state and the weights in use into a checkpoint folder (not a
        collective: call it where the checkpoint is written)."""
        self.shared.save(folder)

    def _report_gathered(self) -> None:
        if not self._gathered or self._gathered_step is None:
            return
        missing = [t for t in self.tasks if t not in self._gathered]
        if missing and not self._warned_missing:
            self._warned_missing = True
            log.warning("CoBa: the evaluation of step %s has no %s; reporting the tasks it has. "
                        "Pass eval_dataset={task: dataset} for every task (metrics eval_<task>_loss).",
                        self._gathered_step, ", ".join(f"{self.metric_prefix}{t}_loss" for t in missing))
        gathered, self._gathered = self._gathered, {}
        self._report(self._gathered_step, gathered, already_global=True)

    def _report(self, step: int, losses: Mapping[str, float], already_global: bool) -> None:
        b = self.shared
        if b.step is not None and step <= b.step:
            return   # this step is reported already (an evaluate() called again at the same step)
        if not losses:
            return
        b.report(step, losses, already_global=already_global)


class CobaTrainer(Trainer):
    """A ``Trainer`` whose training loss is the CoBa-weighted mix of per-task losses.

    Each training example carries ``task_ids`` (its task's index in ``coba_tasks``); evaluation
    batches get the model's own loss, so ``eval_<task>_loss`` stays each task's loss. For
    another head than a causal LM, override :meth:`coba_example_losses`."""

    def __init__(self, *args: Any, coba_client: Optional[CobaClient] = None,
                 coba_tasks: Optional[Sequence[str]] = None, coba_report_every: Optional[int] = None,
                 coba_val_loss_fn: Optional[ValLossFn] = None,
                 coba_callback: Optional[CobaCallback] = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if coba_callback is None:
            coba_callback = CobaCallback(coba_client, coba_tasks, coba_report_every, coba_val_loss_fn)
            self.add_callback(coba_callback)
        self.coba_callback = coba_callback
        self.coba_callback._saved_by_trainer = True
        if self.compute_loss_func is not None:
            raise ValueError("CobaTrainer computes the training loss itself (the weighted mix of the "
                             "tasks' losses); it cannot use compute_loss_func")
        # The Trainer divides a micro-batch's loss by the accumulation steps only when the model
        # does not take loss kwargs; ours is a mix of per-task means, not a sum over
        # num_items_in_batch, so it must be divided (as TRL's trainers do).
        self.model_accepts_loss_kwargs = False
        self._coba_check_evaluation()

    @property
    def coba(self) -> Balancing:
        """The weights every rank trains with (``weights``, ``objective``, ``fallbacks``)."""
        return self.coba_callback.shared

    def _coba_check_evaluation(self) -> None:
        """Refuses a setup in which balancing would silently never happen."""
        cb = self.coba_callback
        if cb.val_loss_fn is not None:
            return
        strategy = str(getattr(self.args.eval_strategy, "value", self.args.eval_strategy))
        if strategy == "no":
            raise ValueError("CoBa balances from per-task validation losses, but eval_strategy is 'no': "
                             "set eval_strategy='steps' and eval_steps, or pass coba_val_loss_fn")
        if not isinstance(self.eval_dataset, dict):
            raise ValueError("CoBa needs one validation loss per task: pass eval_dataset={task: dataset} "
                             f"with the tasks {cb.tasks} (metrics eval_<task>_loss), or coba_val_loss_fn")
        missing = [t for t in cb.tasks if t not in self.eval_dataset]
        if missing:
            raise ValueError(f"eval_dataset has no dataset for the task(s) {missing}; its keys are "
                             f"{sorted(self.eval_dataset)} and the run's tasks {cb.tasks}")

    def _set_signature_columns_if_needed(self):
        super()._set_signature_columns_if_needed()
        if TASK_IDS not in self._signature_columns:   # else remove_unused_columns drops it
            self._signature_columns.append(TASK_IDS)

    def train(self, resume_from_checkpoint: Any = None, *args: Any, **kwargs: Any):
        folder = resume_from_checkpoint
        if isinstance(folder, bool):
            folder = get_last_checkpoint(self.args.output_dir) if folder else None
        self.coba_callback.resume_from = folder
        return super().train(resume_from_checkpoint, *args, **kwargs)

    def _save_checkpoint(self, model, trial, *args: Any, **kwargs: Any):
        """The Trainer's checkpoint, then the CoBa state into the very same folder."""
        result = super()._save_checkpoint(model, trial, *args, **kwargs)
        if self.coba_callback.save_state:
            folder = os.path.join(self._get_output_dir(trial=trial), f"{PREFIX_CHECKPOINT_DIR}-{self.state.global_step}")
            self.coba_callback._report_gathered()   # collective: every rank, before the files
            if self.args.should_save:
                self.coba_callback.save_into(folder)
        return result

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        inputs = dict(inputs)
        task_ids = inputs.pop(TASK_IDS, None)
        if not model.training:
            # evaluation: the model's own loss, so that eval_<task>_loss stays the task's loss
            return super().compute_loss(model, inputs, return_outputs=return_outputs)
        if task_ids is None:
            raise ValueError(f"a training batch has no '{TASK_IDS}' (keys: {sorted(inputs)}): CoBa needs "
                             "each example's task index; keep the column in the dataset and the collator")
        outputs = model(**inputs)
        loss_sums, counts = self.coba_example_losses(outputs, inputs)
        losses = per_task_losses(loss_sums, counts, task_ids, self.coba.tasks)
        loss = mix_losses(losses, self.coba.weights, self.coba.objective)
        return (loss, outputs) if return_outputs else loss

    def coba_example_losses(self, outputs: Any, inputs: Mapping[str, Any]):
        """Per example: the summed next-token loss and the number of tokens it counts. Override
        for another head."""
        logits = outputs.logits if hasattr(outputs, "logits") else outputs["logits"]
        return causal_lm_example_losses(logits, inputs["labels"])
