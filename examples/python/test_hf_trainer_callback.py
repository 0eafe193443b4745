"""The callback's and the trainer's logic, with stand-ins for transformers, torch and the client."""

import math
import os
import subprocess
import sys
import tempfile
import types
import unittest
from unittest import mock

import hf_trainer_callback as hf

TASKS = ["python", "java", "cpp"]


class FakeTensor:
    """Just enough of a torch tensor: ==, any, mask indexing, sum, /, *, +, log, item."""

    def __init__(self, values):
        self.values = [values] if isinstance(values, (int, float, bool)) else list(values)

    def __eq__(self, other):
        return FakeTensor([v == other for v in self.values])

    def any(self):
        return any(self.values)

    def __getitem__(self, mask):
        return FakeTensor([v for v, keep in zip(self.values, mask.values) if keep])

    def sum(self):
        return FakeTensor(sum(self.values))

    def log(self):
        return FakeTensor([math.log(v) for v in self.values])

    def _zip(self, other, op):
        other = other.values if isinstance(other, FakeTensor) else [other] * len(self.values)
        return FakeTensor([op(a, b) for a, b in zip(self.values, other)])

    def __truediv__(self, other):
        return self._zip(other, lambda a, b: a / b)

    def __mul__(self, other):
        return self._zip(other, lambda a, b: a * b)

    __rmul__ = __mul__

    def __add__(self, other):
        return self._zip(other, lambda a, b: a + b)

    def item(self):
        (value,) = self.values
        return value


class FakeClient:
    def __init__(self, objective="linear"):
        self.tasks = TASKS
        self.objective = objective
        self.last_weights = {t: 1 / 3 for t in TASKS}
        self.reports = []

    def report(self, step, val_losses, rank=0):
        self.reports.append((step, dict(val_losses), rank))
        total = sum(val_losses.values())
        self.last_weights = {t: val_losses.get(t, 0.0) / total for t in TASKS}
        return dict(self.last_weights)

    def state(self):
        return {"version": 1, "run": {"tasks": TASKS}, "reports": self.reports}


def fake_transformers():
    module = types.ModuleType("transformers")

    class TrainerCallback:
        pass

    class Trainer:
        def __init__(self, *args, **kwargs):
            self.callbacks = []
            self.kwargs = kwargs

        def add_callback(self, callback):
            self.callbacks.append(callback)

        def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
            return ("plain loss", inputs)

    module.TrainerCallback, module.Trainer = TrainerCallback, Trainer
    return module


def state(step):
    return types.SimpleNamespace(global_step=step)


class PureLogicTest(unittest.TestCase):
    def test_losses_from_metrics(self):
        metrics = {"eval_python_loss": 1.5, "eval_java_loss": 2, "eval_loss": 9.0, "epoch": 1.0}
        self.assertEqual(hf.losses_from_metrics(metrics, TASKS), {"python": 1.5, "java": 2.0})
        self.assertEqual(hf.losses_from_metrics(None, TASKS), {})
        self.assertEqual(hf.losses_from_metrics({"test_cpp_loss": 3}, TASKS, "test_"), {"cpp": 3.0})

    def test_per_task_losses_average_the_tokens_of_each_task(self):
        sums = FakeTensor([4.0, 6.0, 3.0, 10.0])     # summed token losses per example
        counts = FakeTensor([2, 3, 1, 5])            # tokens per example
        task_ids = FakeTensor([0, 1, 0, 1])          # no cpp in this batch
        per_task = hf.per_task_losses(sums, counts, task_ids, TASKS)
        self.assertEqual(sorted(per_task), ["java", "python"])
        self.assertAlmostEqual(per_task["python"][0].item(), 7.0 / 3)
        self.assertAlmostEqual(per_task["java"][0].item(), 16.0 / 8)
        self.assertEqual(per_task["java"][1].item(), 8)

    def test_mix_losses_linear_and_log(self):
        losses = {"python": FakeTensor(2.0), "java": FakeTensor(4.0)}
        weights = {"python": 0.25, "java": 0.5, "cpp": 0.25}
        self.assertAlmostEqual(hf.mix_losses(losses, weights).item(), 0.25 * 2 + 0.5 * 4)
        self.assertAlmostEqual(hf.mix_losses(losses, weights, "log").item(),
                               0.25 * math.log(2) + 0.5 * math.log(4))
        with self.assertRaises(ValueError):
            hf.mix_losses({}, weights)

    def test_rank_from_torch_distributed_or_the_environment(self):
        dist = types.ModuleType("torch.distributed")
        dist.is_available = lambda: True
        dist.is_initialized = lambda: True
        dist.get_rank = lambda: 5
        torch = types.ModuleType("torch")
        torch.distributed = dist
        with mock.patch.dict(sys.modules, {"torch": torch, "torch.distributed": dist}):
            self.assertEqual(hf.current_rank(), 5)
            dist.is_initialized = lambda: False
            with mock.patch.dict(os.environ, {"RANK": "2"}):
                self.assertEqual(hf.current_rank(), 2)
        with mock.patch.dict(sys.modules, {"torch": None, "torch.distributed": None}), \
                mock.patch.dict(os.environ, {"RANK": "3"}):
            self.assertEqual(hf.current_rank(), 3)


class ReporterTest(unittest.TestCase):
    def test_reports_the_eval_losses_with_the_rank_and_keeps_the_weights(self):
        client = FakeClient()
        reporter = hf.CobaReporter(client, rank_fn=lambda: 1)
        metrics = {"eval_python_loss": 1.0, "eval_java_loss": 2.0, "eval_cpp_loss": 1.0}
        weights = reporter.on_evaluate(None, state(10), metrics)
        self.assertEqual(client.reports, [(10, {"python": 1.0, "java": 2.0, "cpp": 1.0}, 1)])
        self.assertEqual(weights, {"python": 0.25, "java": 0.5, "cpp": 0.25})
        self.assertEqual(reporter.shared.weights, weights)
        self.assertIsNone(reporter.on_evaluate(None, state(10), metrics), "once per step")
        self.assertIsNone(reporter.on_evaluate(None, state(11), {"eval_loss": 1.0}), "no task loss")
        self.assertEqual(len(client.reports), 1)

    def test_every_k_steps_with_a_loss_function(self):
        client = FakeClient()
        seen = []

        def val_losses(args, st, metrics):
            seen.append(st.global_step)
            return {t: 1.0 + st.global_step for t in TASKS}

        reporter = hf.CobaReporter(client, TASKS, report_every=5, val_loss_fn=val_losses,
                                   rank_fn=lambda: 0)
        for step in range(1, 13):
            reporter.on_step_end(None, state(step))
        self.assertEqual([r[0] for r in client.reports], [5, 10])
        self.assertEqual(seen, [5, 10])

    def test_saves_the_run_state_next_to_the_checkpoint_on_rank_0(self):
        with tempfile.TemporaryDirectory() as out:
            args = types.SimpleNamespace(output_dir=out)
            path = hf.CobaReporter(FakeClient(), rank_fn=lambda: 0).on_save(args, state(40))
            self.assertEqual(path, os.path.join(out, "checkpoint-40", "coba_state.json"))
            self.assertTrue(os.path.isfile(path))
            self.assertIsNone(hf.CobaReporter(FakeClient(), rank_fn=lambda: 1).on_save(args, state(40)))


class TransformersClassesTest(unittest.TestCase):
    def setUp(self):
        hf._callback_class.cache_clear()
        hf._trainer_class.cache_clear()
        self.addCleanup(hf._callback_class.cache_clear)
        self.addCleanup(hf._trainer_class.cache_clear)

    def test_the_module_imports_without_transformers_or_torch(self):
        code = ("import sys, hf_trainer_callback as m; from hf_trainer_callback import *;"
                "assert 'transformers' not in sys.modules and 'torch' not in sys.modules")
        subprocess.run([sys.executable, "-c", code], check=True,
                       cwd=os.path.dirname(os.path.abspath(__file__)))
        with mock.patch.dict(sys.modules, {"transformers": None}):
            with self.assertRaises(ImportError):
                hf.CobaCallback

    def test_callback_hooks(self):
        with mock.patch.dict(sys.modules, {"transformers": fake_transformers()}):
            client = FakeClient()
            callback = hf.CobaCallback(client, rank_fn=lambda: 0)
            self.assertIsInstance(callback, sys.modules["transformers"].TrainerCallback)
            callback.on_evaluate(None, state(3), None,
                                 metrics={"eval_python_loss": 3.0, "eval_java_loss": 1.0})
            self.assertEqual(callback.shared.weights, {"python": 0.75, "java": 0.25, "cpp": 0.0})
            self.assertIs(hf.CobaCallback, type(callback), "the class is built once")

    def test_trainer_mixes_per_task_losses_with_the_current_weights(self):
        with mock.patch.dict(sys.modules, {"transformers": fake_transformers()}):
            class Trainer(hf.CobaTrainer):
                def coba_example_losses(self, outputs, inputs):
                    return outputs["sums"], outputs["counts"]

            client = FakeClient()
            trainer = Trainer(model="m", coba_client=client)
            self.assertEqual(trainer.callbacks, [trainer.coba_callback])
            self.assertEqual(trainer.kwargs, {"model": "m"})
            def model(**inputs):
                return {"sums": FakeTensor([2.0, 4.0, 6.0]), "counts": FakeTensor([1, 1, 2]),
                        "inputs": inputs}
            model.training = True
            batch = {"input_ids": "ids", "task_ids": FakeTensor([0, 1, 2])}
            loss, outputs = trainer.compute_loss(model, batch, return_outputs=True)
            self.assertAlmostEqual(loss.item(), (2.0 + 4.0 + 3.0) / 3)
            self.assertEqual(outputs["inputs"], {"input_ids": "ids"}, "task_ids is not a model input")
            self.assertIn("task_ids", batch, "the caller's batch is left alone")

            trainer.coba_callback.on_evaluate(None, state(1), None, metrics={
                "eval_python_loss": 1.0, "eval_java_loss": 1.0, "eval_cpp_loss": 2.0})
            self.assertAlmostEqual(trainer.compute_loss(model, batch).item(),
                                   0.25 * 2.0 + 0.25 * 4.0 + 0.5 * 3.0)
            model.training = False     # evaluation: the Trainer's own loss, task_ids dropped
            self.assertEqual(trainer.compute_loss(model, batch), ("plain loss", {"input_ids": "ids"}))
            model.training = True
            self.assertEqual(trainer.compute_loss(model, {"input_ids": "ids"})[0], "plain loss")
            trainer.coba.objective = "log"
            self.assertAlmostEqual(trainer.compute_loss(model, batch).item(),
                                   0.25 * math.log(2) + 0.25 * math.log(4) + 0.5 * math.log(3))


if __name__ == "__main__":
    unittest.main()
