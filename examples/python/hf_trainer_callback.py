"""CoBa for Hugging Face ``transformers``: a ``TrainerCallback`` and a ``Trainer`` subclass.

    from coba_client import CobaClient
    from hf_trainer_callback import CobaTrainer

    coba = CobaClient()
    coba.create_run(TASKS, run_id="ft-1", world_size=int(os.environ.get("WORLD_SIZE", 1)))
    trainer = CobaTrainer(model=model, args=args, train_dataset=train, eval_dataset=evals,
                          coba_client=coba, coba_tasks=TASKS)
    trainer.train()

* The callback reports, after each evaluation, the per-task validation losses found in the
  metrics as ``eval_<task>_loss`` (what ``Trainer.evaluate`` writes for a dict of eval
  datasets keyed by task name) or computed by ``val_loss_fn(args, state, metrics)``; with
  ``report_every=k`` and a ``val_loss_fn`` it also reports every k steps. Each rank reports
  its own losses (rank from ``torch.distributed``); the sidecar answers once all
  ``worldSize`` ranks have, and every rank gets the same weights.
* ``CobaTrainer.compute_loss`` takes ``task_ids`` (a tensor of task indexes, one per
  example) out of the batch, computes the per-task mean token loss and mixes them with the
  current weights: ``sum_i w_i * l_i``, or ``sum_i w_i * log(l_i)`` for the objective
  ``log``.

``transformers`` and ``torch`` are imported only when ``CobaCallback`` / ``CobaTrainer`` are
first used (module ``__getattr__``); the logic lives in plain functions below.
"""

import functools
import json
import os

__all__ = ["CobaReporter", "CobaWeights",  # CobaCallback, CobaTrainer: lazy, see __getattr__
           "losses_from_metrics", "per_task_losses", "mix_losses", "current_rank"]


# ------------------------------------------------------------------------ pure logic
class CobaWeights:
    """The weights the trainer mixes with, shared by the callback and the trainer."""

    def __init__(self, tasks, weights=None, objective="linear"):
        self.tasks = list(tasks)
        self.weights = dict(weights) if weights else {t: 1.0 / len(self.tasks) for t in self.tasks}
        self.objective = objective


def losses_from_metrics(metrics, tasks, prefix="eval_"):
    """Per-task losses from evaluation metrics: ``eval_<task>_loss`` (missing tasks left out)."""
    found = {}
    for task in tasks:
        value = (metrics or {}).get(f"{prefix}{task}_loss")
        if value is not None:
            found[task] = float(value)
    return found


def current_rank():
    """This process's rank: torch.distributed when initialised, else $RANK, else 0."""
    try:
        import torch.distributed as dist
        if dist.is_available() and dist.is_initialized():
            return dist.get_rank()
    except ImportError:
        pass
    return int(os.environ.get("RANK", "0"))


def per_task_losses(loss_sums, counts, task_ids, tasks):
    """Per-task mean loss of a batch.

    ``loss_sums[j]`` is example j's summed token loss (or its loss), ``counts[j]`` the tokens
    it counted (or 1), ``task_ids[j]`` the index of its task in ``tasks``. Tensor-like
    arguments (torch, or anything with the same ``==``, ``any``, mask indexing and ``sum``)
    keep the autograd graph. Tasks absent from the batch are left out. Returns
    ``{task: (mean_loss, count)}``."""
    out = {}
    for index, task in enumerate(tasks):
        mask = task_ids == index
        if not mask.any():
            continue
        count = counts[mask].sum()
        out[task] = (loss_sums[mask].sum() / count, count)
    return out


def mix_losses(losses, weights, objective="linear"):
    """``sum_i w_i * l_i`` (linear) or ``sum_i w_i * log(l_i)`` (log) over the tasks present."""
    total = None
    for task, loss in losses.items():
        term = loss.log() if objective == "log" else loss
        term = term * float(weights.get(task, 0.0))
        total = term if total is None else total + term
    if total is None:
        raise ValueError("no task of the batch has a loss")
    return total


class CobaReporter:
    """What the callback does, without ``transformers``: choose the losses, report, keep the
    weights."""

    def __init__(self, client, tasks=None, report_every=None, val_loss_fn=None,
                 metric_prefix="eval_", rank_fn=current_rank):
        self.client = client
        self.tasks = list(tasks or client.tasks)
        self.report_every = report_every
        self.val_loss_fn = val_loss_fn
        self.metric_prefix = metric_prefix
        self.rank_fn = rank_fn
        self.shared = CobaWeights(self.tasks, client.last_weights, client.objective)
        self.last_reported_step = None

    def losses(self, args, state, metrics):
        if self.val_loss_fn is not None:
            return dict(self.val_loss_fn(args, state, metrics))
        return losses_from_metrics(metrics, self.tasks, self.metric_prefix)

    def report(self, step, losses):
        if not losses or step == self.last_reported_step:
            return None
        weights = self.client.report(step, losses, rank=self.rank_fn())
        self.last_reported_step = step
        self.shared.weights = weights
        self.shared.objective = self.client.objective
        return weights

    def on_evaluate(self, args, state, metrics):
        return self.report(state.global_step, self.losses(args, state, metrics))

    def on_step_end(self, args, state):
        step = state.global_step
        if self.report_every and self.val_loss_fn is not None and step % self.report_every == 0:
            return self.report(step, self.losses(args, state, None))
        return None

    def on_save(self, args, state):
        """Save the run state next to the model checkpoint (rank 0 only)."""
        if self.rank_fn() != 0:
            return None
        folder = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "coba_state.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.client.state(), f)
        return path


# ------------------------------------------------------- classes built on transformers
@functools.lru_cache(maxsize=None)
def _callback_class():
    from transformers import TrainerCallback

    class CobaCallback(TrainerCallback):
        """Reports per-task validation losses to the sidecar; ``self.shared.weights`` holds the
        weights for the next steps."""

        def __init__(self, client, tasks=None, report_every=None, val_loss_fn=None,
                     metric_prefix="eval_", rank_fn=current_rank, save_state=True):
            self.reporter = CobaReporter(client, tasks, report_every, val_loss_fn,
                                         metric_prefix, rank_fn)
            self.shared = self.reporter.shared
            self.save_state = save_state

        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            self.reporter.on_evaluate(args, state, metrics)

        def on_step_end(self, args, state, control, **kwargs):
            self.reporter.on_step_end(args, state)

        def on_save(self, args, state, control, **kwargs):
            if self.save_state:
                self.reporter.on_save(args, state)

    return CobaCallback


@functools.lru_cache(maxsize=None)
def _trainer_class():
    from transformers import Trainer

    class CobaTrainer(Trainer):
        """A ``Trainer`` whose loss is the CoBa-weighted mix of per-task losses.

        Each training batch carries ``task_ids`` (one task index per example, into
        ``coba_tasks``); evaluation batches get the ``Trainer``'s plain loss."""

        def __init__(self, *args, coba_client=None, coba_tasks=None, coba_report_every=None,
                     coba_val_loss_fn=None, coba_callback=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.coba_callback = coba_callback or _callback_class()(
                coba_client, coba_tasks, coba_report_every, coba_val_loss_fn)
            self.coba = self.coba_callback.shared
            if coba_callback is None:
                self.add_callback(self.coba_callback)

        def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
            inputs = dict(inputs)
            task_ids = inputs.pop("task_ids", None)
            if task_ids is None or not getattr(model, "training", True):
                # evaluation: the plain loss, so that eval_<task>_loss stays the task's own loss
                return super().compute_loss(model, inputs, return_outputs=return_outputs, **kwargs)
            outputs = model(**inputs)
            loss_sums, counts = self.coba_example_losses(outputs, inputs)
            losses = {t: mean for t, (mean, _) in
                      per_task_losses(loss_sums, counts, task_ids, self.coba.tasks).items()}
            loss = mix_losses(losses, self.coba.weights, self.coba.objective)
            return (loss, outputs) if return_outputs else loss

        def coba_example_losses(self, outputs, inputs):
            """Per example: the summed next-token loss and the number of tokens it counts.
            Override for another model head."""
            import torch.nn.functional as F
            logits = outputs["logits"][:, :-1, :]
            labels = inputs["labels"][:, 1:]
            token_losses = F.cross_entropy(logits.transpose(1, 2).float(), labels,
                                           ignore_index=-100, reduction="none")
            valid = (labels != -100)
            return (token_losses * valid).sum(dim=1), valid.sum(dim=1).clamp_min(1)

    return CobaTrainer


def __getattr__(name):
    if name == "CobaCallback":
        return _callback_class()
    if name == "CobaTrainer":
        return _trainer_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
