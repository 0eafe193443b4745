"""A small real training loop under torch.distributed (gloo, CPU) balancing through
coba.torch.Balancing; the tests launch it with `python3 -m torch.distributed.run`.

Every rank writes, per training step, the weights it trained with to OUT/rank<R>.jsonl, so the
tests can compare ranks step by step and with the sidecar's history.
"""

import argparse
import json
import os
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from coba import CobaClient
from coba.torch import Balancing, causal_lm_example_losses, per_task_losses

TASKS = ["copy", "shift", "const"]
VOCAB, LENGTH = 12, 8


def example(task, index):
    """Deterministic sequences of three kinds; the labels are the inputs (a causal LM)."""
    g = torch.Generator().manual_seed(1000 * TASKS.index(task) + index)
    start = torch.randint(0, VOCAB, (1,), generator=g).item()
    if task == "copy":
        seq = [start] * LENGTH
    elif task == "shift":
        seq = [(start + i) % VOCAB for i in range(LENGTH)]
    else:
        seq = torch.randint(0, VOCAB, (LENGTH,), generator=g).tolist()
    return seq


def batch(step, rank, ranks, per_task=4):
    """The training batch of `step` on `rank`: a function of the step, so that a resumed run
    sees the same data."""
    ids, task_ids = [], []
    for t, task in enumerate(TASKS):
        for j in range(per_task):
            ids.append(example(task, (step * ranks + rank) * per_task + j))
            task_ids.append(t)
    return torch.tensor(ids), torch.tensor(task_ids)


class TinyLM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, 16)
        self.mix = torch.nn.Linear(16, 16)
        self.head = torch.nn.Linear(16, VOCAB)

    def forward(self, ids):
        return self.head(torch.tanh(self.mix(self.embed(ids))))


def validate(model, rank, ranks):
    """This rank's shard of each task's validation set: mean loss and its example count."""
    losses, counts = {}, {}
    with torch.no_grad():
        for task in TASKS:
            ids = torch.tensor([example(task, 100000 + i) for i in range(rank, 8, ranks)])
            sums, tokens = causal_lm_example_losses(model(ids), ids)
            losses[task] = (sums.sum() / tokens.sum()).item()
            counts[task] = float(len(ids))
    return losses, counts


def main():
    if os.environ.get("COBA_TEST_HANG_DUMP"):
        import faulthandler
        faulthandler.dump_traceback_later(float(os.environ["COBA_TEST_HANG_DUMP"]), exit=True)
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--run-id", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--report-every", type=int, default=3)
    p.add_argument("--save-every", type=int, default=0)
    p.add_argument("--resume", type=int, default=0, help="resume from OUT/checkpoint-N")
    p.add_argument("--stop-after", type=int, default=0, help="exit after this step (a crash)")
    p.add_argument("--delay-rank", type=int, default=-1)
    p.add_argument("--delay", type=float, default=0.0, help="seconds the delayed rank sleeps before a report")
    p.add_argument("--gate", default="", help="before the report of step S, wait for the file GATE/go-S")
    p.add_argument("--time-limit", type=float, default=1.0)
    p.add_argument("--run-world-size", type=int, default=0, help="worldSize of the run (default: ranks)")
    args = p.parse_args()

    dist.init_process_group("gloo")
    rank, ranks = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    model = TinyLM()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    first = 1
    if args.resume:
        folder = os.path.join(args.out, f"checkpoint-{args.resume}")
        saved = torch.load(os.path.join(folder, "model.pt"))
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        first = args.resume + 1
    ddp = DistributedDataParallel(model)

    coba = CobaClient(args.url, time_limit=args.time_limit, backoff=0.05)
    if rank == 0:
        coba.create_run(TASKS, run_id=args.run_id, params={"warmupSteps": 2, "historyLength": 4},
                        world_size=args.run_world_size or ranks)
    balancing = Balancing(coba, TASKS)
    balancing.start(args.resume, os.path.join(args.out, f"checkpoint-{args.resume}") if args.resume else None)

    log = open(os.path.join(args.out, f"rank{rank}.jsonl"), "a", encoding="utf-8")
    for step in range(first, args.steps + 1):
        ids, task_ids = batch(step, rank, ranks)
        sums, counts = causal_lm_example_losses(ddp(ids), ids)
        loss = balancing.mix(per_task_losses(sums, counts, task_ids, TASKS))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        log.write(json.dumps({"step": step, "weights": balancing.weights}) + "\n")
        log.flush()
        if step % args.report_every == 0:
            if rank == args.delay_rank:
                time.sleep(args.delay)
            while args.gate and not os.path.exists(os.path.join(args.gate, f"go-{step}")):
                time.sleep(0.02)
            val, val_counts = validate(model, rank, ranks)
            balancing.report(step, val, counts=val_counts)
        if args.save_every and step % args.save_every == 0 and rank == 0:
            folder = os.path.join(args.out, f"checkpoint-{step}")
            os.makedirs(folder, exist_ok=True)
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()},
                       os.path.join(folder, "model.pt"))
            balancing.save(folder)
        if args.stop_after and step == args.stop_after:
            log.close()
            os._exit(3)   # a crash: no flush, no clean shutdown
    log.close()
    if rank == 0:
        with open(os.path.join(args.out, "summary.json"), "w", encoding="utf-8") as f:
            json.dump({"fallbacks": balancing.fallbacks, "reports": balancing.reports,
                       "pending": coba.pending}, f)
    coba.close()
    # torch 1.13 can deadlock at interpreter exit when the DDP reducer is destroyed there (its
    # gloo thread waits for the GIL): finish every collective and drop it first
    dist.barrier()
    del ddp
    dist.destroy_process_group()


if __name__ == "__main__":
    import contract   # this folder: every request and answer checked against openapi.yaml
    contract.install_from_env()
    sys.exit(main())
