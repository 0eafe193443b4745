"""coba.torch in one process: the helpers by hand, and Balancing's refusals (the multi-rank
guarantees are in test_ddp.py)."""

import math
import unittest

import torch

from coba import CobaClient
from coba.torch import Balancing, causal_lm_example_losses, combine_ranks, mix_losses, per_task_losses
from sidecar import SidecarTestCase

TASKS = ["a", "b"]


class HelpersTest(unittest.TestCase):
    def test_per_task_losses_by_hand(self):
        sums = torch.tensor([2.0, 4.0, 9.0], requires_grad=True)
        counts = torch.tensor([1, 3, 3])
        losses = per_task_losses(sums, counts, torch.tensor([0, 0, 1]), TASKS)
        self.assertAlmostEqual(losses["a"].item(), 6.0 / 4)
        self.assertAlmostEqual(losses["b"].item(), 3.0)
        mix_losses(losses, {"a": 0.25, "b": 0.75}).backward()
        self.assertEqual(sums.grad.tolist(), [0.25 / 4, 0.25 / 4, 0.75 / 3], "the graph is kept")

    def test_absent_tasks_are_left_out_and_bad_ids_refused(self):
        losses = per_task_losses(torch.tensor([1.0]), torch.tensor([1]), torch.tensor([1]), TASKS)
        self.assertEqual(list(losses), ["b"])
        with self.assertRaisesRegex(ValueError, "task_ids"):
            per_task_losses(torch.tensor([1.0]), torch.tensor([1]), torch.tensor([2]), TASKS)

    def test_log_objective(self):
        value = mix_losses({"a": torch.tensor(math.e), "b": torch.tensor(1.0)}, {"a": 0.5, "b": 0.5}, "log")
        self.assertAlmostEqual(value.item(), 0.5)
        with self.assertRaises(ValueError):
            mix_losses({"a": torch.tensor(1.0)}, {"a": 1.0}, "square")

    def test_causal_lm_example_losses_shift_and_ignore(self):
        logits = torch.zeros(1, 3, 4)          # uniform: every token costs log 4
        labels = torch.tensor([[1, 2, -100]])
        sums, counts = causal_lm_example_losses(logits, labels)
        self.assertEqual(counts.tolist(), [1], "labels shifted by one, -100 left out")
        self.assertAlmostEqual(sums.item(), math.log(4), places=6)

    def test_combine_ranks_like_the_sidecar(self):
        ranks = [{"valLosses": {"a": 1.0, "b": 2.0}, "counts": {"a": 3}}, {"valLosses": {"a": 2.0}}]
        self.assertEqual(combine_ranks(ranks, "valLosses"), {"a": (3 * 1.0 + 2.0) / 4, "b": 2.0})


class BalancingTest(SidecarTestCase):
    def test_steps_must_increase(self):
        client = CobaClient(self.sidecar.url, exit_flush=0)
        client.create_run(TASKS, run_id="increase")
        balancing = Balancing(client)
        balancing.start(0)
        balancing.report(5, {"a": 1.0, "b": 2.0})
        with self.assertRaisesRegex(ValueError, "global optimizer step"):
            balancing.report(5, {"a": 1.0, "b": 2.0})

    def test_a_client_without_a_run_or_other_tasks_is_refused(self):
        with self.assertRaisesRegex(ValueError, "create_run"):
            Balancing(CobaClient(self.sidecar.url, exit_flush=0))
        client = CobaClient(self.sidecar.url, exit_flush=0)
        client.create_run(TASKS, run_id="tasks")
        with self.assertRaisesRegex(ValueError, "differ"):
            Balancing(client, ["b", "a"])


if __name__ == "__main__":
    unittest.main()
