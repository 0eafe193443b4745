"""Plain PyTorch with CoBa, one process or many under torchrun (DDP).

    python3 -m torch.distributed.run --nproc_per_node 2 examples/python/ddp_train.py --steps 200
    python3 examples/python/ddp_train.py --steps 200            # one process

A tiny causal LM learns three made-up tasks of different difficulty; every --eval-every steps
each rank measures its shard of every task's validation set and the ranks report together
(coba.torch.Balancing: one answer, the same weights on every rank). Checkpoints every
--save-every steps hold the model, the optimizer and the CoBa state; --resume N continues from
OUT/checkpoint-N exactly. The sidecar comes from $COBA_URL / $COBA_TOKEN.
"""

import argparse
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from coba import CobaClient
from coba.torch import Balancing, causal_lm_example_losses, per_task_losses

TASKS = ["repeat", "count", "noise"]   # easy, learnable, unlearnable (it overfits)
VOCAB, LENGTH = 16, 12


def example(task, index):
    g = torch.Generator().manual_seed(7919 * TASKS.index(task) + index)
    start = int(torch.randint(0, VOCAB, (1,), generator=g))
    if task == "repeat":
        return [start] * LENGTH
    if task == "count":
        return [(start + i) % VOCAB for i in range(LENGTH)]
    # 40 random strings to train on, unseen ones to validate with: it can only be learnt by
    # heart, so its validation loss turns up once it starts overfitting
    seed = index % 40 if index < 10 ** 6 else index
    return torch.randint(0, VOCAB, (LENGTH,), generator=torch.Generator().manual_seed(seed)).tolist()


class TinyLM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, 32)
        self.position = torch.nn.Embedding(LENGTH, 32)
        self.hidden = torch.nn.Linear(64, 64)
        self.head = torch.nn.Linear(64, VOCAB)

    def forward(self, ids):
        x = self.embed(ids) + self.position(torch.arange(ids.shape[1], device=ids.device))
        previous = torch.cat([torch.zeros_like(x[:, :1]), x[:, :-1]], dim=1)   # sees two tokens
        return self.head(torch.relu(self.hidden(torch.cat([x, previous], dim=-1))))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run-id", default="ddp-example")
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--eval-every", type=int, default=10)
    p.add_argument("--save-every", type=int, default=50)
    p.add_argument("--resume", type=int, default=0, help="resume from OUT/checkpoint-N")
    p.add_argument("--out", default="coba-ddp-example")
    args = p.parse_args()

    distributed = "WORLD_SIZE" in os.environ
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    rank = dist.get_rank() if distributed else 0
    ranks = dist.get_world_size() if distributed else 1
    device = torch.device(f"cuda:{torch.cuda.current_device()}" if torch.cuda.is_available() else "cpu")

    torch.manual_seed(0)
    model = TinyLM().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    if args.resume:
        saved = torch.load(os.path.join(args.out, f"checkpoint-{args.resume}", "model.pt"), map_location=device)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
    trained = DistributedDataParallel(model) if distributed else model

    coba = CobaClient()
    if rank == 0:   # only rank 0 talks to the sidecar; Balancing shares its answers
        coba.create_run(TASKS, run_id=args.run_id, world_size=ranks,
                        params={"warmupSteps": 3, "historyLength": 6})
    balancing = Balancing(coba, TASKS)
    balancing.start(args.resume, os.path.join(args.out, f"checkpoint-{args.resume}") if args.resume else None)

    for step in range(args.resume + 1, args.steps + 1):
        ids = torch.tensor([example(t, (step * ranks + rank) * 4 + j) for t in TASKS for j in range(4)],
                           device=device)
        task_ids = torch.tensor([i for i in range(len(TASKS)) for _ in range(4)], device=device)
        sums, counts = causal_lm_example_losses(trained(ids), ids)
        loss = balancing.mix(per_task_losses(sums, counts, task_ids, TASKS))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        if step % args.eval_every == 0:
            val, examples = {}, {}
            with torch.no_grad():
                for task in TASKS:
                    v = torch.tensor([example(task, 10 ** 6 + i) for i in range(rank, 32, ranks)], device=device)
                    s, n = causal_lm_example_losses(model(v), v)
                    val[task], examples[task] = float(s.sum() / n.sum()), float(len(v))
            weights = balancing.report(step, val, counts=examples)   # every rank, same step
            if rank == 0:
                print(f"step {step}: " + ", ".join(f"{t} {val[t]:.3f} w={weights[t]:.3f}" for t in TASKS),
                      flush=True)
        if args.save_every and step % args.save_every == 0 and rank == 0:
            folder = os.path.join(args.out, f"checkpoint-{step}")
            os.makedirs(folder, exist_ok=True)
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()},
                       os.path.join(folder, "model.pt"))
            balancing.save(folder)

    if rank == 0:
        print(f"done: {balancing.reports} reports, {balancing.fallbacks} without the sidecar, "
              f"final weights {balancing.weights}", flush=True)
    coba.close()
    if distributed:
        # torch 1.13 can deadlock at interpreter exit when the DDP reducer is destroyed there
        # (its gloo thread waits for the GIL): finish every collective and drop it first
        dist.barrier()
        del trained
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
