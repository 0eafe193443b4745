"""Self-check of the ``transformers`` stand-in (tests/standin/transformers) against transformers 5.15.0 behaviour.

Run: /usr/bin/python3 -m unittest discover -s client-sdk/python/tests -p 'test_standin*'
Expected values are written from the real source (tag v5.15.0, commit 5eddc12edfaf8cafde8c9bae4ccb12f8a139b4f9);
line numbers refer to src/transformers/trainer.py at that tag. The distributed case re-runs this file under
``python3 -m torch.distributed.run`` (gloo, 2 CPU processes) with ``--ddp-worker``.
"""

import inspect
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "standin"))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import transformers  # noqa: E402
from transformers import (  # noqa: E402
    PREFIX_CHECKPOINT_DIR,
    Trainer,
    TrainerCallback,
    TrainingArguments,
    get_last_checkpoint,
    set_seed,
)

VOCAB = 11


class TinyLM(nn.Module):
    """Embedding + linear over a few token ids. Token loss with ignore_index -100: mean, or sum / num_items_in_batch
    when given (the fixed_cross_entropy rule of src/transformers/loss/loss_utils.py). Labels are position-aligned."""

    def __init__(self, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.emb = nn.Embedding(VOCAB, 6)
        self.lin = nn.Linear(6, VOCAB)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)
        self.seen = []  # (training, sorted kwargs keys, input_ids)

    def forward(self, input_ids, labels=None, **kwargs):
        self.seen.append((self.training, sorted(kwargs), input_ids.detach().clone()))
        logits = self.lin(self.emb(input_ids))
        out = {"logits": logits}
        if labels is not None:
            n = kwargs.get("num_items_in_batch")
            flat_logits, flat_labels = logits.view(-1, VOCAB), labels.view(-1)
            if n is None:
                out["loss"] = F.cross_entropy(flat_logits, flat_labels, ignore_index=-100)
            else:
                out["loss"] = F.cross_entropy(flat_logits, flat_labels, ignore_index=-100, reduction="sum") / n
        return out


class NoKwargsLM(TinyLM):
    def forward(self, input_ids, labels=None):
        return super().forward(input_ids, labels=labels)


def make_data(n, offset=0, with_task=True):
    rows = []
    for i in range(offset, offset + n):
        ids = [(i + k) % VOCAB for k in range(4)]
        row = {"input_ids": ids, "labels": [ids[1], ids[2], ids[3], -100]}  # 3 label tokens per row
        if with_task:
            row["task_ids"] = i % 3
        rows.append(row)
    return rows


class Recorder(TrainerCallback):
    """Records every event name (with the step it saw) and the keyword arguments of a few."""

    def __init__(self):
        self.events, self.kwargs, self.evaluations, self.save_checks = [], {}, [], []


def _recording(name):
    def handler(self, args, state, control, **kwargs):
        self.events.append((name, state.global_step))
        self.kwargs.setdefault(name, sorted(kwargs))
        if name == "on_evaluate":
            self.evaluations.append((state.global_step, dict(kwargs["metrics"])))
        if name == "on_save":
            folder = os.path.join(args.output_dir, f"{PREFIX_CHECKPOINT_DIR}-{state.global_step}")
            self.save_checks.append((os.path.isdir(folder), os.path.isfile(os.path.join(folder, "trainer_state.json"))))

    return handler


for _name in [n for n in dir(TrainerCallback) if n.startswith("on_")]:
    setattr(Recorder, _name, _recording(_name))


class Tmp(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="standin-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def args(self, **kw):
        base = dict(output_dir=self.dir, per_device_train_batch_size=2, per_device_eval_batch_size=2,
                    learning_rate=1e-2, save_strategy="no")
        base.update(kw)
        return TrainingArguments(**base)


class DefaultsTest(Tmp):
    def test_training_arguments_defaults_are_the_real_ones(self):
        a = TrainingArguments()  # training_args.py field list, v5.15.0
        expected = dict(output_dir="trainer_output", per_device_train_batch_size=8, per_device_eval_batch_size=8,
                        gradient_accumulation_steps=1, learning_rate=5e-5, max_steps=-1, num_train_epochs=3.0,
                        eval_strategy="no", eval_steps=None, save_strategy="steps", save_steps=500,
                        save_total_limit=None, logging_steps=500, logging_strategy="steps", remove_unused_columns=True,
                        label_names=None, seed=42, save_on_each_node=False,
                        restore_callback_states_from_checkpoint=False, report_to=[], weight_decay=0.0,
                        max_grad_norm=1.0, lr_scheduler_type="linear", warmup_steps=0,
                        average_tokens_across_devices=True, eval_delay=0, logging_first_step=False,
                        ignore_data_skip=False, data_seed=None, dataloader_drop_last=False, save_only_model=False,
                        eval_on_start=False, prediction_loss_only=False, use_cache=False)
        for key, value in expected.items():
            self.assertEqual(getattr(a, key), value, key)
        self.assertEqual((a.world_size, a.process_index, a.local_process_index), (1, 0, 0))
        self.assertTrue(a.should_save and a.should_log)
        # __post_init__: eval_steps falls back to logging_steps for the "steps" eval strategy.
        self.assertEqual(TrainingArguments(eval_strategy="steps", logging_steps=7).eval_steps, 7)

    def test_callback_events_and_signatures(self):
        events = {n for n in dir(TrainerCallback) if n.startswith("on_")}
        self.assertEqual(events, {"on_init_end", "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
                                  "on_step_begin", "on_pre_optimizer_step", "on_optimizer_step", "on_substep_end",
                                  "on_step_end", "on_evaluate", "on_predict", "on_save", "on_log",
                                  "on_prediction_step", "on_push_begin"})
        self.assertIn("metrics", inspect.signature(TrainerCallback.on_predict).parameters)
        self.assertTrue(transformers.IS_STANDIN)

    def test_model_accepts_loss_kwargs(self):
        args = self.args()
        self.assertTrue(Trainer(model=TinyLM(), args=args).model_accepts_loss_kwargs)
        self.assertFalse(Trainer(model=NoKwargsLM(), args=args).model_accepts_loss_kwargs)
        m = TinyLM()
        m.accepts_loss_kwargs = False  # the model's own word wins (trainer.py 499-500)
        self.assertFalse(Trainer(model=m, args=args).model_accepts_loss_kwargs)

    def test_checkpoint_helpers(self):
        self.assertEqual(PREFIX_CHECKPOINT_DIR, "checkpoint")
        self.assertIsNone(get_last_checkpoint(self.dir))
        for name in ("checkpoint-9", "checkpoint-10", "checkpoint-x"):
            os.makedirs(os.path.join(self.dir, name))
        open(os.path.join(self.dir, "checkpoint-99"), "w").close()  # a file, not a directory: ignored
        self.assertEqual(get_last_checkpoint(self.dir), os.path.join(self.dir, "checkpoint-10"))
        set_seed(3)
        a = torch.rand(2)
        set_seed(3)
        self.assertTrue(torch.equal(a, torch.rand(2)))


class FlowTest(Tmp):
    def test_event_order_of_a_tiny_run(self):
        # 8 rows, batch 2, accumulation 2 -> 4 batches, 2 optimizer steps; log every step, evaluate and save at 2.
        rec = Recorder()
        args = self.args(gradient_accumulation_steps=2, num_train_epochs=1, logging_steps=1, eval_strategy="steps",
                         eval_steps=2, save_strategy="steps", save_steps=2)
        trainer = Trainer(model=TinyLM(), args=args, train_dataset=make_data(8), eval_dataset=make_data(4),
                          callbacks=[rec])
        trainer.train()
        expected = [
            ("on_init_end", 0),  # __init__ 613
            ("on_train_begin", 0),  # _inner_training_loop 1524
            ("on_epoch_begin", 0),  # 1530
            ("on_step_begin", 0),  # _run_epoch 1747: first micro-batch of the window
            ("on_substep_end", 0),  # 1811: micro-batch without optimizer step
            ("on_pre_optimizer_step", 0),  # 1784
            ("on_optimizer_step", 0),  # 1786
            ("on_step_end", 1),  # 1799 after global_step += 1
            ("on_log", 1),  # _maybe_log_save_evaluate 2109 -> log 3915
            ("on_step_begin", 1),
            ("on_substep_end", 1),
            ("on_pre_optimizer_step", 1),
            ("on_optimizer_step", 1),
            ("on_step_end", 2),
            ("on_log", 2),  # training loss first (2073-2109) ...
            ("on_prediction_step", 2),  # ... then evaluation: evaluation_loop 2778, one per eval batch
            ("on_prediction_step", 2),
            ("on_log", 2),  # evaluate 2642
            ("on_evaluate", 2),  # evaluate 2647
            ("on_save", 2),  # ... then the checkpoint: 2120-2121
            ("on_epoch_end", 2),  # 1831
            ("on_log", 2),  # _finalize_training 1863
            ("on_train_end", 2),  # 1879
        ]
        self.assertEqual(rec.events, expected)
        self.assertEqual(rec.kwargs["on_step_end"], ["eval_dataloader", "lr_scheduler", "model", "optimizer",
                                                     "processing_class", "train_dataloader"])
        self.assertIn("metrics", rec.kwargs["on_evaluate"])
        self.assertIn("logs", rec.kwargs["on_log"])
        self.assertEqual([type(c).__name__ for c in trainer.callback_handler.callbacks],
                         ["DefaultFlowCallback", "Recorder", "ProgressCallback"])

    def test_dict_eval_dataset_fires_on_evaluate_per_dataset(self):
        rec = Recorder()
        args = self.args(max_steps=2, eval_strategy="steps", eval_steps=2)
        evals = {"alpha": make_data(4), "beta": make_data(6, offset=3)}
        trainer = Trainer(model=TinyLM(), args=args, train_dataset=make_data(8), eval_dataset=evals, callbacks=[rec])
        trainer.train()
        self.assertEqual([step for step, _ in rec.evaluations], [2, 2])
        for (_, metrics), name in zip(rec.evaluations, ("alpha", "beta")):
            own = {k for k in metrics if k != "epoch"}
            self.assertTrue(own and all(k.startswith(f"eval_{name}_") for k in own), metrics)
            self.assertIn(f"eval_{name}_loss", metrics)
        merged = trainer.evaluate()  # evaluate 2600-2609: the dict case returns all datasets' metrics merged
        self.assertIn("eval_alpha_loss", merged)
        self.assertIn("eval_beta_loss", merged)
        self.assertEqual(merged["eval_alpha_loss"], rec.evaluations[0][1]["eval_alpha_loss"])

    def test_eval_loss_is_the_mean_over_examples(self):
        # 5 rows, batch 2: each batch's loss is repeated 2 times, the last round cut at 5 % 2 = 1 (2756, accelerate
        # gather_for_metrics), then averaged (2847-2849).
        model = TinyLM()
        data = make_data(5)
        trainer = Trainer(model=model, args=self.args(), eval_dataset=data)
        metrics = trainer.evaluate()
        collate = transformers.default_data_collator
        with torch.no_grad():
            batch_losses = [model(**{k: v for k, v in collate(data[i:i + 2]).items() if k != "task_ids"})["loss"]
                            for i in (0, 2, 4)]
        expected = (2 * batch_losses[0] + 2 * batch_losses[1] + batch_losses[2]) / 5
        self.assertAlmostEqual(metrics["eval_loss"], expected.item(), places=5)
        self.assertEqual({"eval_loss", "eval_runtime", "eval_samples_per_second", "eval_steps_per_second",
                          "eval_model_preparation_time", "epoch"} - set(metrics), set())

    def test_remove_unused_columns(self):
        model = TinyLM()
        trainer = Trainer(model=model, args=self.args(max_steps=1), train_dataset=make_data(4))
        trainer.train()
        self.assertEqual(sorted(trainer._signature_columns), sorted(["input_ids", "labels", "kwargs", "label",
                                                                     "label_ids", "labels"]))
        self.assertTrue(all("task_ids" not in keys for training, keys, _ in model.seen if training))

        class KeepTasks(Trainer):
            def _set_signature_columns_if_needed(self):
                super()._set_signature_columns_if_needed()
                if "task_ids" not in self._signature_columns:
                    self._signature_columns.append("task_ids")

        model = TinyLM()
        KeepTasks(model=model, args=self.args(max_steps=1), train_dataset=make_data(4)).train()
        self.assertTrue(all("task_ids" in keys for training, keys, _ in model.seen if training))
        model = TinyLM()
        Trainer(model=model, args=self.args(max_steps=1, remove_unused_columns=False),
                train_dataset=make_data(4)).train()
        self.assertTrue(all("task_ids" in keys for training, keys, _ in model.seen if training))


class AccumulationTest(Tmp):
    class Probe(Trainer):
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            out = super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            if model.training:
                self.calls.append((num_items_in_batch, out.detach().clone()))
            return out

        def training_step(self, model, inputs, num_items_in_batch=None):
            loss = super().training_step(model, inputs, num_items_in_batch)
            self.step_losses.append(loss)
            return loss

    def run_probe(self, model):
        data = make_data(8)
        data[0]["labels"] = [-100, -100, 5, -100]  # uneven token counts: 1 + 7 * 3 = 22 label tokens
        trainer = self.Probe(model=model, args=self.args(gradient_accumulation_steps=4, max_steps=1),
                             train_dataset=data)
        trainer.calls, trainer.step_losses = [], []
        trainer.train()
        self.assertEqual(len(trainer.calls), 4)
        return trainer

    def test_kwargs_model_gets_num_items_and_no_division(self):
        trainer = self.run_probe(TinyLM())
        for (n, cl), step_loss in zip(trainer.calls, trainer.step_losses):
            self.assertEqual(int(n), 22)  # _get_num_items_in_batch 2141: labels != -100 over the 4 batches
            self.assertTrue(torch.allclose(step_loss, cl))  # not divided by 4 (1952-1954)
        for training, keys, _ in trainer.model.seen:
            self.assertIn("num_items_in_batch", keys)  # compute_loss 2000-2003 passes it to the model

    def test_without_loss_kwargs_the_loss_is_divided(self):
        for model in (NoKwargsLM(), TinyLM()):
            if isinstance(model, TinyLM) and not isinstance(model, NoKwargsLM):
                model.accepts_loss_kwargs = False
            trainer = self.run_probe(model)
            for (n, cl), step_loss in zip(trainer.calls, trainer.step_losses):
                self.assertIsNone(n)
                self.assertTrue(torch.allclose(step_loss, cl / 4))

    def test_causal_lm_loss_type_counts_shifted_labels(self):
        batch = transformers.default_data_collator(make_data(2, with_task=False))
        batch["labels"][:, 0] = 7  # rows: [7, a, b, -100]
        plain = Trainer(model=TinyLM(), args=self.args())
        self.assertEqual(int(plain._get_num_items_in_batch([batch], torch.device("cpu"))), 6)
        model = TinyLM()
        # __init__ 525-527 (_loss_shifts_labels) + _get_num_items_in_batch 2141: causal LMs count labels[..., 1:]
        model.loss_type = "ForCausalLM"
        causal = Trainer(model=model, args=self.args())
        self.assertEqual(int(causal._get_num_items_in_batch([batch], torch.device("cpu"))), 4)


class CheckpointTest(Tmp):
    def test_checkpoint_folder_and_on_save(self):
        rec = Recorder()
        args = self.args(max_steps=4, save_strategy="steps", save_steps=1, save_total_limit=2)
        Trainer(model=TinyLM(), args=args, train_dataset=make_data(8), callbacks=[rec]).train()
        self.assertEqual([s for n, s in rec.events if n == "on_save"], [1, 2, 3, 4])
        self.assertEqual(rec.save_checks, [(True, True)] * 4)  # on_save fires after the folder is complete
        self.assertEqual(sorted(os.listdir(self.dir)), ["checkpoint-3", "checkpoint-4"])  # rotation (3141)
        files = set(os.listdir(os.path.join(self.dir, "checkpoint-4")))
        self.assertEqual(files, {"pytorch_model.bin", "optimizer.pt", "scheduler.pt", "rng_state.pth",
                                 "trainer_state.json", "training_args.bin"})
        with open(os.path.join(self.dir, "checkpoint-4", "trainer_state.json")) as f:
            state = json.load(f)
        self.assertEqual(state["global_step"], 4)
        self.assertIn("TrainerControl", state["stateful_callbacks"])

    def test_resume_from_checkpoint_true(self):
        def args():
            return self.args(max_steps=6, gradient_accumulation_steps=2, save_strategy="steps", save_steps=2)

        reference = TinyLM()
        Trainer(model=reference, args=args(), train_dataset=make_data(16)).train()
        ref_batches = [ids for training, _, ids in reference.seen if training]
        for step in (4, 6):
            shutil.rmtree(os.path.join(self.dir, f"checkpoint-{step}"))

        rec = Recorder()
        resumed = TinyLM(seed=123)  # different start: the weights must come from checkpoint-2
        out = Trainer(model=resumed, args=args(), train_dataset=make_data(16), callbacks=[rec]).train(
            resume_from_checkpoint=True)
        self.assertIn(("on_train_begin", 2), rec.events)  # state loaded before on_train_begin (1549-1580)
        self.assertEqual(out.global_step, 6)
        seen = [ids for training, _, ids in resumed.seen if training]
        self.assertEqual(len(seen), 8)  # 4 batches already used by steps 1-2 were skipped (1700-1708)
        for a, b in zip(seen, ref_batches[4:]):
            self.assertTrue(torch.equal(a, b))
        for p, q in zip(resumed.parameters(), reference.parameters()):
            self.assertTrue(torch.allclose(p, q, atol=1e-6))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ddp_worker(out_dir):
    """Body run by each of the 2 processes: train, evaluate, report."""
    rec = Recorder()
    args = TrainingArguments(output_dir=os.path.join(out_dir, "run"), per_device_train_batch_size=2,
                             gradient_accumulation_steps=2, max_steps=3, learning_rate=1e-2, save_strategy="steps",
                             save_steps=3, per_device_eval_batch_size=2, eval_strategy="steps", eval_steps=3)
    model = TinyLM()
    trainer = Trainer(model=model, args=args, train_dataset=make_data(24), eval_dataset=make_data(10, offset=5),
                      callbacks=[rec])
    trainer.train()
    metrics = trainer.evaluate()
    rank = args.process_index
    torch.save({k: v.detach().clone() for k, v in model.state_dict().items()},
               os.path.join(out_dir, f"weights_{rank}.pt"))
    with open(os.path.join(out_dir, f"report_{rank}.json"), "w") as f:
        json.dump({"world_size": args.world_size, "wrapped": type(trainer.model_wrapped).__name__,
                   "metrics": metrics, "evaluations": rec.evaluations, "global_step": trainer.state.global_step,
                   "on_save": [s for n, s in rec.events if n == "on_save"]}, f)


@unittest.skipUnless(torch.distributed.is_available() and torch.distributed.is_gloo_available(), "needs gloo")
class DistributedTest(Tmp):
    def test_two_process_run_matches_one_process_run(self):
        env = dict(os.environ, OMP_NUM_THREADS="1")
        cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
               "--master_port", str(_free_port()),
               # torch 1.13's launcher on Python 3.11 only starts with these three
               "--redirects", "1", "--tee", "1", "--log_dir", os.path.join(self.dir, "logs"),
               os.path.abspath(__file__), "--ddp-worker", self.dir]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        self.assertEqual(done.returncode, 0, done.stdout[-3000:] + done.stderr[-3000:])
        reports = []
        for rank in (0, 1):
            with open(os.path.join(self.dir, f"report_{rank}.json")) as f:
                reports.append(json.load(f))
        self.assertEqual([r["world_size"] for r in reports], [2, 2])
        self.assertEqual(reports[0]["wrapped"], "DistributedDataParallel")
        self.assertEqual([r["on_save"] for r in reports], [[3], [3]])
        ckpt = os.path.join(self.dir, "run", "checkpoint-3")
        self.assertTrue({"rng_state_0.pth", "rng_state_1.pth", "trainer_state.json", "pytorch_model.bin"}
                        <= set(os.listdir(ckpt)))
        # every rank sees the same, global eval loss
        self.assertEqual(reports[0]["metrics"]["eval_loss"], reports[1]["metrics"]["eval_loss"])

        # One process with the 2x2 global batch: same sample order (seed + epoch permutation, batches dealt
        # round-robin), same token count (gathered), so the same weights and eval loss.
        model = TinyLM()
        args = TrainingArguments(output_dir=os.path.join(self.dir, "single"), per_device_train_batch_size=4,
                                 gradient_accumulation_steps=2, max_steps=3, learning_rate=1e-2, save_strategy="no",
                                 per_device_eval_batch_size=2)
        trainer = Trainer(model=model, args=args, train_dataset=make_data(24), eval_dataset=make_data(10, offset=5))
        trainer.train()
        single = trainer.evaluate()
        self.assertAlmostEqual(reports[0]["metrics"]["eval_loss"], single["eval_loss"], places=5)
        for rank in (0, 1):
            weights = torch.load(os.path.join(self.dir, f"weights_{rank}.pt"))
            for name, value in model.state_dict().items():
                self.assertTrue(torch.allclose(weights[name], value, atol=1e-5), name)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--ddp-worker":
        _ddp_worker(sys.argv[2])
    else:
        unittest.main()
