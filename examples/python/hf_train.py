"""A real Hugging Face Trainer with CobaTrainer: a small GPT-2 built from a config (nothing is
downloaded), byte-level tokens, three made-up tasks, the GPU when there is one. It trains, then
checks the sidecar's history and prints a JSON verdict; exit code 0 when every check holds.

    COBA_URL=http://127.0.0.1:8470 python3 examples/python/hf_train.py --out hf-check
    torchrun --nproc_per_node 2 examples/python/hf_train.py --out hf-check     # DDP

Checks: every evaluation step is in the history with every task's loss (the Trainer calls
on_evaluate once per eval dataset); CoBa moved the weights; the weights each step trained with
are the history's weightsUsed; with --accumulation > 1 the logged training loss stays on the
scale of the evaluation loss (no factor of the accumulation steps); a second train() resumed
from a checkpoint continues with the same weights as the uninterrupted run.
"""

import argparse
import json
import os
import shutil
import sys

import torch
import transformers
from transformers import GPT2Config, GPT2LMHeadModel, TrainerCallback, TrainingArguments

from coba import CobaClient
from coba.hf import CobaTrainer

TASKS = ["repeat", "count", "noise"]
LENGTH = 24


def text(task, i):
    g = torch.Generator().manual_seed(7919 * TASKS.index(task) + i)
    if task == "repeat":
        return chr(97 + int(torch.randint(0, 26, (1,), generator=g))) * LENGTH
    if task == "count":
        start = int(torch.randint(0, 10, (1,), generator=g))
        return "".join(str((start + k) % 10) for k in range(LENGTH))
    noise = torch.Generator().manual_seed(i % 30)   # 30 random strings: learnable only by heart
    return "".join(chr(97 + int(c)) for c in torch.randint(0, 26, (LENGTH,), generator=noise))


def example(task, i, with_task=True):
    ids = list(text(task, i).encode("ascii"))
    row = {"input_ids": ids, "attention_mask": [1] * len(ids), "labels": list(ids)}
    if with_task:
        row["task_ids"] = TASKS.index(task)
    return row


class UsedWeights(TrainerCallback):
    def __init__(self):
        self.trainer = None
        self.used = {}
        self.train_losses, self.eval_losses = [], []

    def on_step_end(self, args, state, control, **kwargs):
        self.used[state.global_step] = dict(self.trainer.coba.weights)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs:
            self.train_losses.append(logs["loss"])
        for k, v in (logs or {}).items():
            if k.startswith("eval_") and k.endswith("_loss"):
                self.eval_losses.append(v)


def build(args, out, run_id, max_steps):
    model = GPT2LMHeadModel(GPT2Config(vocab_size=128, n_positions=LENGTH, n_embd=64, n_layer=2, n_head=4))
    train = [example(t, i) for i in range(400) for t in TASKS]
    evals = {t: [example(t, 10 ** 6 + i, with_task=False) for i in range(24)] for t in TASKS}
    training_args = TrainingArguments(
        output_dir=out, per_device_train_batch_size=12, per_device_eval_batch_size=24,
        gradient_accumulation_steps=args.accumulation, learning_rate=3e-3, max_steps=max_steps,
        eval_strategy="steps", eval_steps=args.eval_every, save_strategy="steps", save_steps=args.save_every,
        logging_steps=args.eval_every, report_to="none", seed=0, lr_scheduler_type="constant",
        dataloader_drop_last=True)
    coba = CobaClient(time_limit=10)
    coba.create_run(TASKS, run_id=run_id, world_size=training_args.world_size,
                    params={"warmupSteps": 2, "historyLength": 6})
    recorder = UsedWeights()
    trainer = CobaTrainer(model=model, args=training_args, train_dataset=train, eval_dataset=evals,
                          coba_client=coba, coba_tasks=TASKS, callbacks=[recorder])
    recorder.trainer = trainer
    return trainer, recorder, coba


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="coba-hf-check")
    p.add_argument("--steps", type=int, default=120)
    p.add_argument("--eval-every", type=int, default=10)
    p.add_argument("--save-every", type=int, default=40)
    p.add_argument("--accumulation", type=int, default=4)
    p.add_argument("--run-id", default="hf-check")
    args = p.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)

    whole, whole_used, coba = build(args, os.path.join(args.out, "whole"), args.run_id, args.steps)
    whole.train()
    rank = whole.args.process_index
    history = coba.history() if rank == 0 else []

    # the same run id again, resumed from the checkpoint in the middle (a crash after it)
    middle = (args.steps // 2 // args.save_every) * args.save_every
    resumed_out = os.path.join(args.out, "resumed")
    if rank == 0:
        shutil.copytree(os.path.join(args.out, "whole", f"checkpoint-{middle}"),
                        os.path.join(resumed_out, f"checkpoint-{middle}"))
    if torch.distributed.is_initialized():
        torch.distributed.barrier()
    resumed, resumed_used, _ = build(args, resumed_out, args.run_id, args.steps)
    resumed.train(resume_from_checkpoint=True)

    if rank != 0:
        return 0
    steps = [h["step"] for h in history]
    expected = list(range(args.eval_every, args.steps + 1, args.eval_every))
    checks = {
        "every evaluation reported": steps == expected,
        "every task in every report": all(sorted(h["valLosses"]) == sorted(TASKS) for h in history),
        "CoBa moved the weights": any(abs(w - 1 / 3) > 1e-3 for w in history[-1]["weights"].values()),
        "history records the weights used": all(h.get("weightsUsed") == whole_used.used[h["step"]] for h in history),
        "training loss on the eval loss's scale":
            max(whole_used.train_losses) < 2 * max(whole_used.eval_losses),
        "resume continues with the same weights":
            all(resumed_used.used[s] == whole_used.used[s] for s in range(middle + 1, args.steps + 1)),
    }
    verdict = {"ok": all(checks.values()), "checks": checks, "transformers": transformers.__version__,
               "torch": torch.__version__, "device": str(whole.args.device),
               "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
               "ranks": whole.args.world_size, "fallbacks": whole.coba.fallbacks,
               "final weights": history[-1]["weights"] if history else None}
    print(json.dumps(verdict, indent=2))
    with open(os.path.join(args.out, "verdict.json"), "w", encoding="utf-8") as f:
        json.dump(verdict, f, indent=2)
    return 0 if verdict["ok"] else 1


if __name__ == "__main__":
    try:
        code = main()
    finally:
        # the process group is this script's (the Trainer's arguments started it under torchrun):
        # left to the interpreter's shutdown, gloo's threads can abort the process
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()
    sys.exit(code)
