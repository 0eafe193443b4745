"""What the Hugging Face tests train: a tiny causal LM shaped like transformers' own (forward
takes **kwargs, shifts the labels, sums over num_items_in_batch when given) and three tasks.

`python3 -m torch.distributed.run ... hf_setup.py ARGS` runs one CobaTrainer training under DDP
(the stand-in Trainer, see standin/README.md) and writes each rank's weights per step."""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if os.path.join(HERE, "standin") not in sys.path:
    sys.path.insert(0, os.path.join(HERE, "standin"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from transformers import TrainerCallback, TrainingArguments  # noqa: E402

TASKS = ["copy", "shift", "noise"]
VOCAB, LENGTH = 10, 6


class TinyCausalLM(torch.nn.Module):
    """The loss contract of transformers' causal LMs (ForCausalLMLoss): labels shifted by one,
    -100 ignored, mean over tokens, or sum / num_items_in_batch when the Trainer passes it."""

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.embed = torch.nn.Embedding(VOCAB, 8)
        self.head = torch.nn.Linear(8, VOCAB)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=g) * 0.3)
        self.loss_calls = []   # num_items_in_batch per call while training

    def forward(self, input_ids, labels=None, attention_mask=None, **kwargs):
        logits = self.head(torch.tanh(self.embed(input_ids)))
        out = {"logits": logits}
        if labels is not None:
            n = kwargs.get("num_items_in_batch")
            if self.training:
                self.loss_calls.append(n)
            flat = F.cross_entropy(logits[:, :-1].reshape(-1, VOCAB), labels[:, 1:].reshape(-1),
                                   ignore_index=-100, reduction="sum" if n is not None else "mean")
            out["loss"] = flat / n if n is not None else flat
        return out


def rows(task, count, offset=0, with_task=True):
    out = []
    t = TASKS.index(task)
    for i in range(offset, offset + count):
        g = torch.Generator().manual_seed(100 * t + i)
        start = int(torch.randint(0, VOCAB, (1,), generator=g))
        if task == "copy":
            ids = [start] * LENGTH
        elif task == "shift":
            ids = [(start + k) % VOCAB for k in range(LENGTH)]
        else:
            ids = torch.randint(0, VOCAB, (LENGTH,), generator=torch.Generator().manual_seed(i % 5)).tolist()
        row = {"input_ids": ids, "labels": list(ids)}
        if with_task:
            row["task_ids"] = t
        out.append(row)
    return out


def train_set(per_task=24, with_task=True):
    """Interleaved, so that every batch holds every task."""
    sets = [rows(t, per_task, with_task=with_task) for t in TASKS]
    return [r for group in zip(*sets) for r in group]


def eval_sets(per_task=6):
    return {t: rows(t, per_task, offset=1000) for t in TASKS}


def arguments(out, **overrides):
    base = dict(output_dir=out, per_device_train_batch_size=3, per_device_eval_batch_size=3,
                learning_rate=0.05, max_steps=12, eval_strategy="steps", eval_steps=3,
                save_strategy="steps", save_steps=6, logging_steps=3, seed=0, report_to="none",
                lr_scheduler_type="constant")
    base.update(overrides)
    return TrainingArguments(**base)


class WeightsRecorder(TrainerCallback):
    """step -> the weights the step trained with (read at on_step_end, before the step's report)."""

    def __init__(self, trainer_ref):
        self.trainer_ref = trainer_ref
        self.used = {}

    def on_step_end(self, args, state, control, **kwargs):
        self.used[state.global_step] = dict(self.trainer_ref().coba.weights)


class Delay(TrainerCallback):
    """Holds one rank back before each evaluation's report."""

    def __init__(self, rank, seconds):
        self.rank, self.seconds = rank, seconds

    def on_evaluate(self, args, state, control, **kwargs):
        if args.process_index == self.rank:
            time.sleep(self.seconds)


def main():
    import weakref

    from coba import CobaClient
    from coba.hf import CobaTrainer

    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--run-id", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--time-limit", type=float, default=1.0)
    args = p.parse_args()
    training_args = arguments(args.out)          # initialises torch.distributed under torchrun
    coba = CobaClient(args.url, time_limit=args.time_limit, backoff=0.05)
    coba.create_run(TASKS, run_id=args.run_id, world_size=training_args.world_size,
                    params={"warmupSteps": 2, "historyLength": 4})
    trainer = CobaTrainer(model=TinyCausalLM(), args=training_args, train_dataset=train_set(),
                          eval_dataset=eval_sets(), coba_client=coba, coba_tasks=TASKS,
                          callbacks=[Delay(1, args.delay)] if args.delay else None)
    recorder = WeightsRecorder(weakref.ref(trainer))
    trainer.add_callback(recorder)
    trainer.train()
    rank = training_args.process_index
    with open(os.path.join(args.out, f"used-{rank}.json"), "w", encoding="utf-8") as f:
        json.dump({str(k): v for k, v in recorder.used.items()}, f)
    coba.close()
    end_process_group()


def end_process_group():
    """Ends the process group the arguments started, as a torchrun script should: left to the
    interpreter's shutdown, gloo's threads can abort the process ("terminate called without an
    active exception", seen once in CI on rank 0 of this script after its training)."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    import contract   # this folder: every request and answer checked against openapi.yaml
    contract.install_from_env()
    main()
