"""CoBa in a PyTorch training loop: per-task losses, the weighted mix, and weights that every
rank shares.

    from coba import CobaClient
    from coba.torch import Balancing, per_task_losses, causal_lm_example_losses

    coba = CobaClient()
    coba.create_run(TASKS, run_id="ft-1")
    balancing = Balancing(coba)               # every rank, after dist.init_process_group
    balancing.start(step=0)                   # or start(step, checkpoint_dir) on resume
    for step, batch in enumerate(loader, start=1):
        out = model(batch["input_ids"])
        sums, counts = causal_lm_example_losses(out.logits, batch["labels"])
        loss = balancing.mix(per_task_losses(sums, counts, batch["task_ids"], TASKS))
        ...
        if step % eval_every == 0:
            balancing.report(step, evaluate_per_task(model))   # collective: every rank calls it
        if step % save_every == 0 and rank == 0:
            balancing.save(folder)                             # never fails on an outage

The guarantee: :meth:`Balancing.report` and :meth:`Balancing.start` are collectives. Rank 0
alone talks to the sidecar, on behalf of every rank, and broadcasts one outcome; so every rank
trains every step with the same weights, whatever the timing of the ranks, an outage or a
lost answer. Each report tells the sidecar the weights training really used (``weightsUsed``).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import torch
import torch.distributed as dist

from .client import CobaClient, CobaError, CobaUnavailableError

log = logging.getLogger("coba")

STATE_FILE = "coba_state.json"      # the run state (RunState), restorable with PUT .../state
WEIGHTS_FILE = "coba_weights.json"  # the weights in use at the checkpoint, fallback included

__all__ = ["Balancing", "per_task_losses", "mix_losses", "causal_lm_example_losses",
           "current_rank", "world_size", "combine_ranks", "STATE_FILE", "WEIGHTS_FILE"]


def _distributed() -> bool:
    return dist.is_available() and dist.is_initialized()


def current_rank() -> int:
    """This process's rank: torch.distributed when initialised, else $RANK, else 0."""
    return dist.get_rank() if _distributed() else int(os.environ.get("RANK", "0"))


def world_size() -> int:
    """The number of ranks: torch.distributed when initialised, else $WORLD_SIZE, else 1."""
    return dist.get_world_size() if _distributed() else int(os.environ.get("WORLD_SIZE", "1"))


def per_task_losses(loss_sums: torch.Tensor, counts: torch.Tensor, task_ids: torch.Tensor,
                    tasks: Sequence[str]) -> Dict[str, torch.Tensor]:
    """Per-task mean loss of a batch, keeping the autograd graph.

    ``loss_sums[j]`` is example j's summed token loss, ``counts[j]`` how many tokens it
    counted, ``task_ids[j]`` the index of its task in ``tasks``. Tasks absent from the batch
    are left out; an id outside ``tasks`` is an error."""
    task_ids = torch.as_tensor(task_ids, device=loss_sums.device)
    if task_ids.shape[0] != loss_sums.shape[0]:
        raise ValueError(f"task_ids has {task_ids.shape[0]} entries for a batch of {loss_sums.shape[0]}")
    if task_ids.numel() and (int(task_ids.min()) < 0 or int(task_ids.max()) >= len(tasks)):
        raise ValueError(f"task_ids must be in [0, {len(tasks)}) (indexes into {list(tasks)}), "
                         f"got {sorted(set(task_ids.tolist()))}")
    out: Dict[str, torch.Tensor] = {}
    for index, task in enumerate(tasks):
        mask = task_ids == index
        if bool(mask.any()):
            out[task] = loss_sums[mask].sum() / counts[mask].sum().clamp_min(1)
    return out


def mix_losses(losses: Mapping[str, torch.Tensor], weights: Mapping[str, float],
               objective: str = "linear") -> torch.Tensor:
    """``sum_i w_i * l_i`` (objective ``linear``) or ``sum_i w_i * log(l_i)`` (``log``), over
    the tasks present."""
    if objective not in ("linear", "log"):
        raise ValueError(f"objective must be 'linear' or 'log', got {objective!r}")
    total: Optional[torch.Tensor] = None
    for task, loss in losses.items():
        if task not in weights:
            raise ValueError(f"no weight for task {task!r} (weights are for {sorted(weights)})")
        term = (loss.log() if objective == "log" else loss) * float(weights[task])
        total = term if total is None else total + term
    if total is None:
        raise ValueError("no task of the batch has a loss")
    return total


def causal_lm_example_losses(logits: torch.Tensor, labels: torch.Tensor,
                             ignore_index: int = -100) -> Tuple[torch.Tensor, torch.Tensor]:
    """Per example of a causal LM batch: the summed next-token loss and the number of tokens
    it counts (labels shifted by one, ``ignore_index`` left out, as Hugging Face's causal LMs
    compute their loss)."""
    shifted_logits = logits[:, :-1, :]
    shifted_labels = labels[:, 1:]
    token_losses = torch.nn.functional.cross_entropy(
        shifted_logits.transpose(1, 2).float(), shifted_labels, ignore_index=ignore_index,
        reduction="none")
    valid = shifted_labels != ignore_index
    return (token_losses * valid).sum(dim=1), valid.sum(dim=1)


def combine_ranks(reports: Sequence[Mapping[str, Any]], key: str) -> Dict[str, float]:
    """Per task, the mean over the ranks that gave it, weighted by their ``counts`` (1 when not
    given), summed in rank order: what the sidecar does with a multi-rank step."""
    sums: Dict[str, List[float]] = {}
    for report in reports:
        counts = report.get("counts") or {}
        for task, value in (report.get(key) or {}).items():
            weight = float(counts.get(task, 1.0))
            acc = sums.setdefault(task, [0.0, 0.0])
            acc[0] += weight * float(value)
            acc[1] += weight
    return {task: acc[0] / acc[1] for task, acc in sums.items()}


class Balancing:
    """The task weights of a training loop, the same on every rank.

    Create it on every rank once ``torch.distributed`` is initialised (or without it, for one
    process). Rank 0's client talks to the sidecar; the others never do (their clients need
    no run). ``group`` is the process group to agree over (default: the world)."""

    def __init__(self, client: CobaClient, tasks: Optional[Sequence[str]] = None, group: Any = None):
        self.client = client
        self.group = group
        self.rank = dist.get_rank(group) if _distributed() else 0
        self.ranks = dist.get_world_size(group) if _distributed() else 1
        shared = self._broadcast({"tasks": client.tasks, "objective": client.objective,
                                  "weights": client.handed_out} if self.rank == 0 else None)
        if shared["tasks"] is None:
            raise ValueError("the client on rank 0 has no run: call create_run() or attach() first")
        self.tasks: List[str] = list(tasks) if tasks is not None else list(shared["tasks"])
        if self.tasks != list(shared["tasks"]):
            raise ValueError(f"tasks {self.tasks} differ from the run's {shared['tasks']} "
                             "(task ids index into this list, in the run's order)")
        self.objective: str = shared["objective"]
        self.weights: Dict[str, float] = dict(shared["weights"] or
                                              {t: 1.0 / len(self.tasks) for t in self.tasks})
        self.step: Optional[int] = None   # the last step reported
        self.reports = 0                  # reports made
        self.fallbacks = 0                # reports answered without the sidecar (weights kept)

    # ------------------------------------------------------------------ collectives
    def start(self, step: int = 0, checkpoint_dir: Optional[str] = None) -> Dict[str, float]:
        """Where training starts (collective). ``step`` 0: from scratch, earlier steps of the
        run are dropped (a rerun). Otherwise a resume from the checkpoint of ``step``: the run
        state and the weights saved there by :meth:`save` are restored, so training continues
        exactly as an uninterrupted run would have; without them the run is rewound to
        ``step``. Never fails on an outage (the restore waits in the client's queue)."""
        outcome = None
        if self.rank == 0:
            outcome = self._start_on_rank0(int(step), checkpoint_dir)
        return self._adopt(self._broadcast(outcome))

    def report(self, step: int, val_losses: Mapping[str, float],
               train_losses: Optional[Mapping[str, float]] = None,
               counts: Optional[Mapping[str, float]] = None,
               grad_norms: Optional[Mapping[str, float]] = None,
               already_global: bool = False) -> Dict[str, float]:
        """Reports the per-task losses after optimizer step ``step`` (collective: every rank
        calls it with the same step) and returns the weights for the next steps, identical on
        every rank. Each rank gives its own losses (with ``counts``, the examples behind
        them, to weight the mean), or, with ``already_global``, losses that every rank
        already holds for the whole validation set (the Hugging Face Trainer gathers them):
        then rank 0's are used."""
        if self.step is not None and int(step) <= self.step:   # self.step is the same on every rank
            raise ValueError(f"step {step} is not after the last step reported, {self.step}: report the "
                             "global optimizer step, which increases over the whole run (not one that "
                             "restarts each epoch); to train again from scratch, call start(0)")
        mine = {"valLosses": _plain(val_losses), "trainLosses": _plain(train_losses),
                "counts": _plain(counts), "gradNorms": _plain(grad_norms)}
        if self.ranks > 1 and not already_global:
            gathered: List[Any] = [None] * self.ranks
            dist.all_gather_object(gathered, mine, group=self.group)
        else:
            gathered = [mine] * self.ranks
        outcome = self._report_on_rank0(int(step), gathered) if self.rank == 0 else None
        return self._adopt(self._broadcast(outcome))

    # --------------------------------------------------------------- local operations
    def mix(self, losses: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """The training loss: the per-task losses mixed with the current weights."""
        return mix_losses(losses, self.weights, self.objective)

    def save(self, folder: str) -> None:
        """Writes the run state and the weights in use into a checkpoint folder (call it where
        the model is saved, usually rank 0 only). Never fails because the sidecar is down:
        the client then builds the state from what it sent; where it cannot, only the weights
        are written and the error is logged."""
        os.makedirs(folder, exist_ok=True)
        _write_json(os.path.join(folder, WEIGHTS_FILE),
                    {"step": self.step, "weights": self.weights, "objective": self.objective,
                     "runId": self.client.run_id})
        if self.rank != 0:
            return   # the run state is rank 0's: only its client talks to the sidecar
        try:
            _write_json(os.path.join(folder, STATE_FILE), self.client.state())
        except CobaUnavailableError as e:
            log.error("CoBa: the run state could not be saved with the checkpoint in %s (%s); "
                      "a resume from it will rewind the run instead of restoring it", folder, e)

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Delivers queued reports (rank 0; other ranks have none); True when none are left."""
        return self.client.flush(timeout) if self.rank == 0 else True

    # ------------------------------------------------------------------------ rank 0
    def _start_on_rank0(self, step: int, checkpoint_dir: Optional[str]) -> Dict[str, Any]:
        state = saved = None
        if checkpoint_dir:
            state = _read_json(os.path.join(checkpoint_dir, STATE_FILE))
            saved = _read_json(os.path.join(checkpoint_dir, WEIGHTS_FILE))
            if state is None and step > 0:
                log.warning("CoBa: no %s in %s; rewinding run %s to step %d instead",
                            STATE_FILE, checkpoint_dir, self.client.run_id, step)
        try:
            weights = self.client.start(step, state)
        except CobaError as e:
            return _error(e)
        if saved is not None and saved.get("weights"):
            weights = saved["weights"]   # what training used at the checkpoint, fallback included
        elif step == 0:
            weights = {t: 1.0 / len(self.tasks) for t in self.tasks}
        self.client.handed_out = dict(weights)
        return {"weights": weights, "objective": self.client.objective, "step": step if step else None}

    def _report_on_rank0(self, step: int, gathered: List[Dict[str, Any]]) -> Dict[str, Any]:
        run_ranks = self.client.world_size
        if run_ranks == len(gathered):
            per_rank = gathered
        elif run_ranks == 1:
            per_rank = [{key: combine_ranks(gathered, key) or None
                         for key in ("valLosses", "trainLosses", "gradNorms")}]
        else:
            return {"error": f"run {self.client.run_id} was created with worldSize {run_ranks}, "
                             f"but {len(gathered)} ranks report: create it with world_size="
                             f"{len(gathered)} (or 1)", "status": 400, "field": "worldSize"}
        bodies = [self.client._body(step, rank, r.get("valLosses") or {}, r.get("trainLosses"),
                                    r.get("gradNorms"), r.get("counts"), self.weights)
                  for rank, r in enumerate(per_rank)]
        try:
            answer = self.client.submit(bodies)
        except CobaError as e:
            return _error(e)
        fallback = answer is None
        weights = dict(self.weights) if fallback else {t: float(w) for t, w in answer["weights"].items()}
        self.client.handed_out = dict(weights)
        return {"weights": weights, "objective": self.client.objective, "step": step,
                "fallback": fallback}

    # ---------------------------------------------------------------------- helpers
    def _broadcast(self, value: Any) -> Any:
        if self.ranks == 1:
            return value
        box = [value]
        dist.broadcast_object_list(box, src=_global_rank(0, self.group), group=self.group)
        return box[0]

    def _adopt(self, outcome: Dict[str, Any]) -> Dict[str, float]:
        if outcome.get("error"):   # the same error on every rank
            raise CobaError(outcome.get("status", 400), outcome["error"], outcome.get("field"),
                            url=outcome.get("url"))
        self.weights = dict(outcome["weights"])
        self.objective = outcome["objective"]
        if "fallback" in outcome:
            self.step = outcome["step"]
            self.reports += 1
            self.fallbacks += 1 if outcome["fallback"] else 0
        else:
            self.step = outcome["step"]
        return dict(self.weights)


def _error(e: CobaError) -> Dict[str, Any]:
    return {"error": e.message, "status": e.status, "field": e.field, "url": e.url}


def _global_rank(group_rank: int, group: Any) -> int:
    if group is None:
        return group_rank
    return dist.distributed_c10d._get_global_rank(group, group_rank)


def _plain(values: Optional[Mapping[str, Any]]) -> Optional[Dict[str, float]]:
    """Floats, whatever the caller holds (tensors included)."""
    if values is None:
        return None
    return {str(k): float(v.item() if hasattr(v, "item") else v) for k, v in values.items()}


def _write_json(path: str, value: Any) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f)
    os.replace(tmp, path)


def _read_json(path: str) -> Optional[Any]:
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)
