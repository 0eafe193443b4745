"""The runnable examples, run for real: ddp_train.py in one process and with 2 ranks under
`python3 -m torch.distributed.run` (gloo) against a real sidecar, a crash and a resume from its
checkpoint; hf_train.py and deepspeed_train.py need libraries this machine does not have
(transformers, deepspeed) and are only compiled here."""

import os
import py_compile
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "client-sdk", "python", "tests"))
from sidecar import SidecarTestCase, child_env, torchrun  # noqa: E402

from coba import CobaClient  # noqa: E402

SCRIPT = os.path.join(HERE, "ddp_train.py")


class ExamplesTest(SidecarTestCase):
    def run_example(self, *args, ranks=0):
        out = self.scratch()
        command = (torchrun(SCRIPT, "--out", out, *args, ranks=ranks, log_dir=os.path.join(out, "logs")) if ranks
                   else [sys.executable, SCRIPT, "--out", out, *map(str, args)])
        env = child_env(HERE, COBA_URL=self.sidecar.url)
        env.pop("COBA_TOKEN", None)
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=300)
        return done, out

    def history(self, run_id):
        client = CobaClient(self.sidecar.url, exit_flush=0)
        client.attach(run_id)
        return client.history()

    def test_ddp_example_in_one_process(self):
        done, _ = self.run_example("--run-id", "example-1", "--steps", 200)
        self.assertEqual(done.returncode, 0, done.stdout[-3000:])
        self.assertIn("done: 20 reports, 0 without the sidecar", done.stdout)
        history = self.history("example-1")
        self.assertEqual([h["step"] for h in history], list(range(10, 201, 10)))
        # `noise` can only be learnt by heart: its validation loss rises from the start, slowly
        # (CoBa's divergence factor stays near 1 and the relative score favours it), then fast
        # once it overfits, and then CoBa cuts it (deterministic: one process, seeded, CPU)
        last = history[-1]["weights"]
        self.assertEqual(min(last, key=last.get), "noise", last)
        self.assertLess(last["noise"], 0.05)

    def test_ddp_example_with_two_ranks(self):
        done, _ = self.run_example("--run-id", "example-2", "--steps", 40, ranks=2)
        self.assertEqual(done.returncode, 0, done.stdout[-3000:])
        self.assertEqual([h["step"] for h in self.history("example-2")], [10, 20, 30, 40])

    def test_the_other_examples_compile(self):
        with tempfile.TemporaryDirectory() as scratch:
            for name in ("hf_train.py", "deepspeed_train.py"):
                py_compile.compile(os.path.join(HERE, name), cfile=os.path.join(scratch, name + "c"), doraise=True)


if __name__ == "__main__":
    unittest.main()


class HfScriptTest(SidecarTestCase):
    """hf_train.py's own logic (two trainings, the resume, the checks) run against the
    transformers stand-in of the package's tests, with a small stand-in for GPT-2: the script is
    the check for the real Trainer, so it must itself work before it meets one."""

    def test_hf_train_passes_its_checks_on_the_stand_in(self):
        out = self.scratch()
        script = f"""
import sys
sys.path.insert(0, {os.path.join(HERE, "..", "..", "client-sdk", "python", "tests")!r})
import hf_setup, torch, transformers

class GPT2Stand(hf_setup.TinyCausalLM):
    def __init__(self, config):
        super().__init__()
        self.embed = torch.nn.Embedding(config["vocab_size"], 8)
        self.head = torch.nn.Linear(8, config["vocab_size"])
        hf_setup.VOCAB = config["vocab_size"]

transformers.GPT2Config = lambda **config: config
transformers.GPT2LMHeadModel = GPT2Stand
sys.argv = ["hf_train.py", "--out", {out!r}, "--steps", "40", "--eval-every", "5", "--save-every", "10"]
sys.path.insert(0, {HERE!r})
import hf_train
sys.exit(hf_train.main())
"""
        done = subprocess.run([sys.executable, "-c", script], env=child_env(HERE, COBA_URL=self.sidecar.url),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
        self.assertEqual(done.returncode, 0, done.stdout[-4000:])
        self.assertIn('"ok": true', done.stdout)
