"""coba.hf against the transformers stand-in (standin/, written from transformers 5.15.0's
trainer.py, trainer_callback.py and training_args.py; see standin/README.md) on real PyTorch,
with a real sidecar. What each test pins down is a behaviour of the real Trainer that broke the
earlier callback: one on_evaluate per eval dataset at one global_step, remove_unused_columns,
the loss division under gradient accumulation (model_accepts_loss_kwargs, num_items_in_batch),
should_save and the checkpoint folder, resume_from_checkpoint, and DDP's gathered eval loss.
The real Trainer runs in examples/python/hf_train.py wherever transformers is installed."""

import json
import os
import shutil
import subprocess
import unittest
import weakref

from hf_setup import (TASKS, TinyCausalLM, WeightsRecorder, arguments, eval_sets, rows, train_set)

import torch
import transformers
from coba import CobaClient
from coba.hf import CobaCallback, CobaTrainer
from sidecar import SidecarTestCase, child_env, torchrun
from transformers import Trainer

HERE = os.path.dirname(os.path.abspath(__file__))
PARAMS = {"warmupSteps": 2, "historyLength": 4}


class HfBase(SidecarTestCase):
    @classmethod
    def setUpClass(cls):
        assert getattr(transformers, "IS_STANDIN", False), "these tests pin the stand-in's behaviour"
        super().setUpClass()

    def setUp(self):
        self.out = self.scratch()

    def client(self, run_id, world_size=1):
        client = CobaClient(self.sidecar.url, time_limit=5, exit_flush=0)
        client.create_run(TASKS, run_id=run_id, params=PARAMS, world_size=world_size)
        return client

    def trainer(self, run_id, out=None, model=None, **overrides):
        coba_client = self.client(run_id)
        trainer = CobaTrainer(model=model or TinyCausalLM(), args=arguments(out or self.out, **overrides),
                              train_dataset=train_set(), eval_dataset=eval_sets(),
                              coba_client=coba_client, coba_tasks=TASKS)
        trainer.recorder = WeightsRecorder(weakref.ref(trainer))
        trainer.add_callback(trainer.recorder)
        return trainer

    def history(self, run_id):
        client = CobaClient(self.sidecar.url, exit_flush=0)
        client.attach(run_id)
        return client.history()


class HfTest(HfBase):
    def test_a_dict_of_eval_datasets_reports_every_task_once_per_evaluation(self):
        trainer = self.trainer("dict-eval")
        trainer.train()
        history = self.history("dict-eval")
        self.assertEqual([h["step"] for h in history], [3, 6, 9, 12])
        for h in history:
            self.assertEqual(sorted(h["valLosses"]), sorted(TASKS), "every task's eval loss, not the first's")
        self.assertNotEqual(history[-1]["weights"], {t: 1 / 3 for t in TASKS}, "CoBa left uniform")
        for h in history:
            self.assertEqual(h["weightsUsed"], trainer.recorder.used[h["step"]])

    def test_task_ids_survive_remove_unused_columns(self):
        trainer = self.trainer("columns")
        self.assertTrue(trainer.args.remove_unused_columns, "the Trainer's default")
        trainer.train()   # a batch without task_ids would raise in compute_loss
        self.assertIn("task_ids", trainer._signature_columns)

    def test_a_training_set_without_task_ids_is_an_error_not_a_plain_loss(self):
        trainer = CobaTrainer(model=TinyCausalLM(), args=arguments(self.out), train_dataset=train_set(with_task=False),
                              eval_dataset=eval_sets(), coba_client=self.client("no-ids"), coba_tasks=TASKS)
        with self.assertRaisesRegex(ValueError, "task_ids"):
            trainer.train()

    def test_setups_that_would_never_balance_are_refused(self):
        client = self.client("refused")
        cases = {"eval_strategy": dict(args=arguments(self.out, eval_strategy="no"), eval_dataset=eval_sets()),
                 "one eval set": dict(args=arguments(self.out), eval_dataset=train_set()),
                 "missing task": dict(args=arguments(self.out),
                                      eval_dataset={t: v for t, v in eval_sets().items() if t != "noise"})}
        for name, kwargs in cases.items():
            with self.subTest(name), self.assertRaises(ValueError):
                CobaTrainer(model=TinyCausalLM(), train_dataset=train_set(), coba_client=client,
                            coba_tasks=TASKS, **kwargs)

    def test_gradient_accumulation_gives_the_update_of_the_whole_batch(self):
        """4 micro-batches of 3 must step exactly like one batch of 12: the Trainer has to
        divide each micro-batch's loss by 4, which it skips for a model taking **kwargs unless
        model_accepts_loss_kwargs is False. One task's examples only (the Trainer shuffles, and
        a mix of per-task means depends on how a batch splits into tasks)."""
        def one_step(run_id, batch, accumulation):
            model = TinyCausalLM()
            trainer = CobaTrainer(model=model, args=arguments(self.out, per_device_train_batch_size=batch,
                                                              gradient_accumulation_steps=accumulation,
                                                              max_steps=1, save_strategy="no",
                                                              max_grad_norm=0.0, eval_strategy="steps"),
                                  train_dataset=rows("copy", 24), eval_dataset=eval_sets(),
                                  optimizers=(torch.optim.SGD(model.parameters(), lr=0.5), None),
                                  coba_client=self.client(run_id), coba_tasks=TASKS)
            self.assertTrue(trainer.model_accepts_loss_kwargs is False)
            trainer.train()
            self.assertTrue(all(n is None for n in model.loss_calls), "no num_items_in_batch: a mean loss")
            return [p.detach().clone() for p in model.parameters()]

        accumulated = one_step("accumulate-4", 3, 4)
        whole = one_step("accumulate-1", 12, 1)
        for a, w in zip(accumulated, whole):
            torch.testing.assert_close(a, w, rtol=1e-5, atol=1e-6)

    def test_checkpoints_hold_the_state_and_a_resume_continues_exactly(self):
        whole = self.trainer("uninterrupted", out=os.path.join(self.out, "whole"))
        whole.train()
        folder = os.path.join(self.out, "whole", "checkpoint-6")
        self.assertTrue(os.path.isfile(os.path.join(folder, "coba_state.json")), os.listdir(folder))
        with open(os.path.join(folder, "coba_weights.json"), encoding="utf-8") as f:
            saved = json.load(f)
        self.assertEqual(saved["weights"], whole.recorder.used[7], "the weights step 7 trained with")

        # another run: a first attempt that dies after step 10, then train(resume_from_checkpoint=True)
        out = os.path.join(self.out, "crash")
        crashing = self.trainer("resumed", out=out, max_steps=12)
        crashing.add_callback(StopAfter(10))   # the sidecar then has step 9
        crashing.train()
        shutil.rmtree(os.path.join(out, "checkpoint-12"), ignore_errors=True)
        resumed = self.trainer("resumed", out=out)
        resumed.train(resume_from_checkpoint=True)   # checkpoint-6
        for step in range(7, 13):
            self.assertEqual(resumed.recorder.used[step], whole.recorder.used[step], f"step {step}")
        self.assertEqual([h["weights"] for h in self.history("resumed")],
                         [h["weights"] for h in self.history("uninterrupted")])

    def test_a_rerun_of_the_same_script_starts_the_run_over(self):
        first = self.trainer("rerun", out=os.path.join(self.out, "a"))
        first.train()
        again = self.trainer("rerun", out=os.path.join(self.out, "b"))
        again.train()   # no 409
        self.assertEqual(again.recorder.used, first.recorder.used)
        self.assertEqual([h["step"] for h in self.history("rerun")], [3, 6, 9, 12])

    def test_only_where_should_save_and_in_the_trainers_folder(self):
        trainer = self.trainer("should-save", save_steps=4, eval_steps=4)
        trainer.train()
        for step in (4, 8, 12):
            self.assertTrue(os.path.isfile(os.path.join(self.out, f"checkpoint-{step}", "coba_state.json")))
        self.assertFalse(os.path.exists(os.path.join(self.out, "checkpoint-4", "checkpoint-4")))

    def test_the_callback_alone_with_a_plain_trainer(self):
        client = self.client("callback-alone")
        callback = CobaCallback(client, TASKS)
        trainer = Trainer(model=TinyCausalLM(), args=arguments(self.out, remove_unused_columns=False),
                          train_dataset=train_set(with_task=False), eval_dataset=eval_sets(),
                          callbacks=[callback])
        trainer.train()
        self.assertEqual([h["step"] for h in self.history("callback-alone")], [3, 6, 9, 12])
        self.assertTrue(os.path.isfile(os.path.join(self.out, "checkpoint-6", "coba_state.json")))
        self.assertNotEqual(callback.shared.weights, {t: 1 / 3 for t in TASKS})


class StopAfter(transformers.TrainerCallback):
    """A crash after a step: training stops, nothing more is saved."""

    def __init__(self, step):
        self.step = step

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step >= self.step:
            control.should_training_stop = True
            control.should_save = False
            control.should_evaluate = False


class HfDdpTest(HfBase):
    """Two ranks under `python3 -m torch.distributed.run` (gloo): the Trainer gathers the eval
    losses, each rank holds the global ones; rank 1 reaches each evaluation 2.5 s late (the
    client's time limit is 1 s)."""

    def test_every_rank_trains_with_the_same_weights(self):
        command = torchrun(os.path.join(HERE, "hf_setup.py"), "--url", self.sidecar.url, "--run-id", "hf-ddp",
                           "--out", self.out, "--delay", 2.5, "--time-limit", 1, log_dir=os.path.join(self.out, "logs"))
        done = subprocess.run(command, env=child_env(HERE), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=300)
        self.assertEqual(done.returncode, 0, done.stdout[-4000:])
        used = []
        for r in (0, 1):
            with open(os.path.join(self.out, f"used-{r}.json"), encoding="utf-8") as f:
                used.append(json.load(f))
        self.assertEqual(sorted(map(int, used[0])), list(range(1, 13)))
        self.assertEqual(used[0], used[1], "every rank trains every step with the same weights")
        history = self.history("hf-ddp")
        self.assertEqual([h["step"] for h in history], [3, 6, 9, 12])
        for h in history:
            self.assertEqual(h["weightsUsed"], used[0][str(h["step"])])
            self.assertFalse(h.get("weightsUsedDiffer", False))


if __name__ == "__main__":
    unittest.main()
