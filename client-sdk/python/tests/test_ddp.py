"""Real PyTorch DDP (2 ranks, gloo, CPU, `python3 -m torch.distributed.run`) against a real
sidecar: every rank trains every step with the same weights, the history records them, and
nothing is lost across a delayed rank, a killed sidecar, lost answers, a rerun or a resume."""

import json
import os
import shutil
import subprocess
import time
import unittest

import coba
from sidecar import Proxy, SidecarTestCase, child_env, torchrun

try:
    import torch  # noqa: F401
    HAVE_TORCH = True
except ImportError:   # the CI installs Debian's python3-torch; see README
    HAVE_TORCH = False

HERE = os.path.dirname(os.path.abspath(__file__))


def read_jsonl(path):
    """The complete lines of a file another process may be writing."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.endswith("\n")]


@unittest.skipUnless(HAVE_TORCH, "needs torch (Debian: apt-get install python3-torch)")
class DdpTest(SidecarTestCase):
    def setUp(self):
        self.out = self.scratch()

    def launch(self, run_id, *args, url=None, ranks=2, background=False):
        command = torchrun(os.path.join(HERE, "ddp_worker.py"), "--url", url or self.sidecar.url,
                           "--run-id", run_id, "--out", self.out, *args, ranks=ranks,
                           log_dir=os.path.join(self.out, "logs-%d" % time.monotonic_ns()))
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env=child_env())
        if background:
            return process
        return self.finish(process)

    def finish(self, process, expect=0):
        output, _ = process.communicate(timeout=300)
        self.assertEqual(process.returncode, expect, output[-4000:])
        return output

    def used(self, rank):
        """step -> the weights `rank` trained with (the last line wins after a resume)."""
        return {line["step"]: line["weights"] for line in read_jsonl(os.path.join(self.out, f"rank{rank}.jsonl"))}

    def assertRanksAgree(self, steps):
        zero, one = self.used(0), self.used(1)
        self.assertEqual(sorted(zero), list(range(1, steps + 1)))
        self.assertEqual(zero, one, "every rank trains every step with the same weights")
        return zero

    def assertHistoryRecordsUse(self, run_id, used, report_every, steps):
        client = coba.CobaClient(self.sidecar.url, time_limit=10)
        client.attach(run_id)
        history = client.history()
        self.assertEqual([h["step"] for h in history], list(range(report_every, steps + 1, report_every)),
                         "no report lost")
        for h in history:
            self.assertEqual(h["weightsUsed"], used[h["step"]],
                             f"step {h['step']}: the history records the weights really used")
            self.assertFalse(h.get("weightsUsedDiffer", False))
        return history

    def test_a_rank_late_past_the_time_limit_changes_nothing(self):
        # rank 1 reaches every report 2.5 s after rank 0; the client's time limit is 1 s
        self.launch("late-rank", "--steps", 12, "--report-every", 3, "--delay-rank", 1, "--delay", 2.5,
                    "--time-limit", 1)
        used = self.assertRanksAgree(12)
        history = self.assertHistoryRecordsUse("late-rank", used, 3, 12)
        self.assertNotEqual(history[-1]["weights"], {t: 1 / 3 for t in ["copy", "shift", "const"]},
                            "CoBa moved the weights")
        summary = self.summary()
        self.assertEqual(summary["fallbacks"], 0)

    def test_a_run_of_world_size_one_combines_the_ranks(self):
        self.launch("combined", "--steps", 6, "--report-every", 3, "--run-world-size", 1)
        used = self.assertRanksAgree(6)
        self.assertHistoryRecordsUse("combined", used, 3, 6)

    def test_the_sidecar_killed_and_restarted_mid_run(self):
        process = self.launch("killed", "--steps", 24, "--report-every", 3, "--gate", self.out,
                              "--time-limit", 0.5, background=True)
        self.release_until(6)                  # reports 3 and 6 go through
        self.sidecar.kill()                    # SIGKILL mid-run: reports queue up, training goes on
        self.release_until(15)
        self.sidecar.start()                   # same port, same data directory
        self.release_until(24, wait=False)
        self.finish(process)
        used = self.assertRanksAgree(24)
        history = self.assertHistoryRecordsUse("killed", used, 3, 24)
        summary = self.summary()
        self.assertGreater(summary["fallbacks"], 0, "the outage was seen")
        fell_back = [h for h, before in zip(history[1:], history) if h["weightsUsed"] != before["weights"]]
        self.assertTrue(fell_back, "the history shows where training used older weights")

    def test_lost_answers_fall_back_on_every_rank_alike(self):
        proxy = Proxy(self.sidecar.port)
        self.addCleanup(proxy.close)
        process = self.launch("lost", "--steps", 18, "--report-every", 3, "--gate", self.out,
                              "--time-limit", 0.5, url=proxy.url, background=True)
        self.release_until(3)
        proxy.lose_answers = True              # the sidecar commits, the client never hears back
        self.release_until(9)
        proxy.lose_answers = False
        self.release_until(18, wait=False)
        self.finish(process)
        self.assertGreater(proxy.lost, 0)
        used = self.assertRanksAgree(18)
        self.assertHistoryRecordsUse("lost", used, 3, 18)

    def test_a_rerun_starts_the_run_over(self):
        self.launch("rerun", "--steps", 9, "--report-every", 3)
        first = self.assertRanksAgree(9)
        os.remove(os.path.join(self.out, "rank0.jsonl"))
        os.remove(os.path.join(self.out, "rank1.jsonl"))
        self.launch("rerun", "--steps", 9, "--report-every", 3)   # no 409
        self.assertEqual(self.assertRanksAgree(9), first, "the same command gives the same weights")
        self.assertHistoryRecordsUse("rerun", first, 3, 9)

    def test_a_resume_from_a_checkpoint_continues_exactly(self):
        self.launch("whole", "--steps", 15, "--report-every", 3, "--save-every", 6)
        whole = self.assertRanksAgree(15)
        shutil.rmtree(os.path.join(self.out, "checkpoint-6"))
        os.remove(os.path.join(self.out, "rank0.jsonl"))
        os.remove(os.path.join(self.out, "rank1.jsonl"))
        # another run: crash after step 10, resume from the checkpoint of step 6
        process = self.launch("crashy", "--steps", 15, "--report-every", 3, "--save-every", 6,
                              "--stop-after", 10, background=True)
        output, _ = process.communicate(timeout=300)
        self.assertNotEqual(process.returncode, 0, "the first attempt crashes after step 10")
        self.launch("crashy", "--steps", 15, "--report-every", 3, "--save-every", 6, "--resume", 6)
        resumed = self.assertRanksAgree(15)
        self.assertEqual(resumed, whole, "a resumed run trains with the weights of an uninterrupted one")
        self.assertHistoryRecordsUse("crashy", resumed, 3, 15)

    def summary(self):
        with open(os.path.join(self.out, "summary.json"), encoding="utf-8") as f:
            return json.load(f)

    def release_until(self, step, wait=True, timeout=120):
        """Lets the workers report up to `step` (gates go-S) and waits until both trained the
        step after it, i.e. the report of `step` is behind them."""
        for s in range(1, step + 1):
            open(os.path.join(self.out, f"go-{s}"), "w").close()
        if not wait:
            return
        deadline = time.monotonic() + timeout
        for rank in (0, 1):
            path = os.path.join(self.out, f"rank{rank}.jsonl")
            while not (os.path.exists(path) and any(line["step"] > step for line in read_jsonl(path))):
                if time.monotonic() > deadline:
                    self.fail(f"rank {rank} did not get past step {step}")
                time.sleep(0.02)


if __name__ == "__main__":
    unittest.main()
