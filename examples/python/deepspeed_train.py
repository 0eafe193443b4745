"""DeepSpeed with CoBa (not run here: DeepSpeed is not installable on this project's machines).

    deepspeed examples/python/deepspeed_train.py --steps 200

The model, data and evaluation are those of ddp_train.py; what differs is the engine's loop.
DeepSpeed accumulates gradients itself: `engine.step()` is called after every micro-batch
and only steps the optimizer on an accumulation boundary. Whether this micro-batch is one
must be asked BEFORE `engine.step()`, which advances the micro-step counter (asked after, the
answer is one micro-batch early whenever gradient_accumulation_steps > 1).
"""

import argparse
import os

import deepspeed
import torch
import torch.distributed as dist

from coba import CobaClient
from coba.torch import Balancing, causal_lm_example_losses, per_task_losses
from ddp_train import TASKS, TinyLM, example  # the same model and data


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--run-id", default="deepspeed-example")
    p.add_argument("--steps", type=int, default=200, help="optimizer steps")
    p.add_argument("--eval-every", type=int, default=10)
    p.add_argument("--local_rank", type=int, default=-1)   # set by the deepspeed launcher
    args = p.parse_args()

    ds_config = {"train_micro_batch_size_per_gpu": 12, "gradient_accumulation_steps": 4,
                 "optimizer": {"type": "Adam", "params": {"lr": 3e-3}}}
    deepspeed.init_distributed()
    model = TinyLM()
    engine, _, _, _ = deepspeed.initialize(model=model, config=ds_config, model_parameters=model.parameters())
    rank, ranks = dist.get_rank(), dist.get_world_size()

    coba = CobaClient()
    if rank == 0:
        coba.create_run(TASKS, run_id=args.run_id, world_size=ranks)
    balancing = Balancing(coba, TASKS)
    balancing.start(0)

    micro = 0
    while engine.global_steps < args.steps:
        ids = torch.tensor([example(t, (micro * ranks + rank) * 4 + j) for t in TASKS for j in range(4)],
                           device=engine.device)
        task_ids = torch.tensor([i for i in range(len(TASKS)) for _ in range(4)], device=engine.device)
        sums, counts = causal_lm_example_losses(engine(ids), ids)
        engine.backward(balancing.mix(per_task_losses(sums, counts, task_ids, TASKS)))
        boundary = engine.is_gradient_accumulation_boundary()   # before step(), see above
        engine.step()
        micro += 1
        if boundary and engine.global_steps % args.eval_every == 0:
            val, examples = {}, {}
            with torch.no_grad():
                for task in TASKS:
                    v = torch.tensor([example(task, 10 ** 6 + i) for i in range(rank, 32, ranks)],
                                     device=engine.device)
                    s, n = causal_lm_example_losses(engine(v), v)
                    val[task], examples[task] = float(s.sum() / n.sum()), float(len(v))
            balancing.report(engine.global_steps, val, counts=examples)   # every rank
    coba.close()


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
