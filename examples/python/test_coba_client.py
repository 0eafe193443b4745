"""coba_client.CobaClient against a real sidecar (sidecar/target/coba-sidecar.jar)."""

import math
import shutil
import socket
import tempfile
import threading
import time
import unittest

from coba_client import CobaClient, CobaError, CobaUnavailableError
from sidecar_process import Sidecar

TOKEN = "examples-test-token"
TASKS = ["python", "java", "cpp"]
PARAMS = {"warmupSteps": 2, "historyLength": 8}


def losses(step):
    """Made-up validation losses: python and java keep falling, cpp turns up after step 4."""
    return {"python": 2.0 / (1 + 0.3 * step), "java": 2.4 / (1 + 0.1 * step),
            "cpp": 1.5 + 0.05 * (step - 4) ** 2}


class SidecarTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix="coba-py-")
        cls.sidecar = Sidecar(cls.data_dir, token=TOKEN).start()

    @classmethod
    def tearDownClass(cls):
        cls.sidecar.stop()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    def client(self, **kwargs):
        kwargs.setdefault("time_limit", 10.0)
        return CobaClient(self.sidecar.url, TOKEN, **kwargs)

    def assertWeights(self, weights, tasks=TASKS):
        self.assertEqual(sorted(weights), sorted(tasks))
        self.assertTrue(all(w > 0 for w in weights.values()), weights)
        self.assertAlmostEqual(sum(weights.values()), 1.0, places=9)


class ClientTest(SidecarTest):
    def test_create_run_is_idempotent(self):
        coba = self.client()
        first = coba.create_run(TASKS, run_id="create", params=PARAMS)
        again = coba.create_run(TASKS, run_id="create", params=PARAMS)
        self.assertEqual(first, again)
        self.assertEqual(coba.run_id, "create")
        self.assertEqual(first["weights"], {t: 1 / 3 for t in TASKS})
        with self.assertRaises(CobaError) as refused:
            coba.create_run(["python"], run_id="create")
        self.assertEqual(refused.exception.status, 409)

    def test_report_returns_the_next_weights(self):
        coba = self.client()
        coba.create_run(TASKS, run_id="report", params=PARAMS)
        for step in range(1, 9):
            weights = coba.report(step, losses(step))
            self.assertWeights(weights)
        self.assertNotEqual(weights, {t: 1 / 3 for t in TASKS}, "CoBa moved the weights")
        self.assertLess(weights["cpp"], weights["python"], "the overfitting task loses weight")
        self.assertEqual(coba.weights(), weights)
        self.assertEqual(coba.report(8, losses(8)), weights, "a retried report gets the same answer")
        history = coba.history()
        self.assertEqual([h["step"] for h in history], list(range(1, 9)))
        self.assertEqual([h["step"] for h in coba.history(3, 4)], [3, 4])
        self.assertEqual(coba.fallbacks, 0)

    def test_two_ranks_wait_for_each_other_and_get_the_same_weights(self):
        ranks = [self.client(), self.client()]
        ranks[0].create_run(TASKS, run_id="ranks", params=PARAMS, world_size=2)
        ranks[1].attach("ranks")
        for step in range(1, 5):
            answers = {}
            first = threading.Thread(
                target=lambda: answers.__setitem__(0, ranks[0].report(step, losses(step), rank=0)))
            first.start()
            time.sleep(0.3)   # rank 0 got 202 and long-polls
            self.assertEqual(ranks[0].weights(step=step), ranks[0].last_weights,
                             "a pending step falls back to the last weights")
            answers[1] = ranks[1].report(step, losses(step + 1), rank=1,
                                         counts={t: 2 for t in TASKS})
            first.join(10)
            self.assertEqual(answers[0], answers[1])
            self.assertWeights(answers[0])
        self.assertEqual(ranks[0].fallbacks, 4)   # the weights() calls above, not the reports
        self.assertEqual(ranks[1].fallbacks, 0)
        self.assertEqual(len(ranks[0].history()), 4)

    def test_refused_requests_raise_with_status_and_field(self):
        coba = self.client()
        coba.create_run(TASKS, run_id="errors")
        with self.assertRaises(CobaError) as bad:
            coba.report(1, {"python": -1.0, "java": 2.0, "cpp": 2.0})
        self.assertEqual((bad.exception.status, bad.exception.field), (400, "valLosses.python"))
        self.assertIn("valLosses.python", str(bad.exception))
        with self.assertRaises(CobaError) as bad:
            coba.create_run(TASKS, run_id="bad id!")
        self.assertEqual((bad.exception.status, bad.exception.field), (400, "runId"))
        with self.assertRaises(CobaError) as missing:
            self.client(run_id="no-such-run").history()
        self.assertEqual((missing.exception.status, missing.exception.field), (404, "runId"))
        with self.assertRaises(CobaError) as unauthorized:
            CobaClient(self.sidecar.url, "wrong-token", run_id="errors").state()
        self.assertEqual(unauthorized.exception.status, 401)
        coba.report(1, losses(1))
        with self.assertRaises(CobaError) as conflict:
            coba.report(1, losses(2))
        self.assertEqual(conflict.exception.status, 409)
        self.assertEqual(coba.buffer, [], "a refused report is not buffered")

    def test_rewind_drops_the_later_steps(self):
        coba = self.client()
        coba.create_run(TASKS, run_id="rewind", params=PARAMS)
        after = {step: coba.report(step, losses(step)) for step in range(1, 7)}
        run = coba.rewind(3)
        self.assertEqual(run["step"], 3)
        self.assertEqual(coba.weights(), after[3])
        self.assertEqual([h["step"] for h in coba.history()], [1, 2, 3])
        self.assertEqual(coba.report(4, losses(4)), after[4], "same steps, same weights")
        self.assertWeights(coba.report(5, {t: 1.0 for t in TASKS}))

    def test_state_restores_the_run(self):
        coba = self.client()
        coba.create_run(TASKS, run_id="state", params=PARAMS)
        for step in range(1, 6):
            coba.report(step, losses(step))
        saved = coba.state()
        self.assertEqual(saved["version"], 1)
        expected = coba.report(6, losses(6))
        coba.delete_run()
        with self.assertRaises(CobaError):
            coba.history()
        coba.restore_state(saved)
        self.assertEqual(coba.last_step, 5)
        self.assertEqual(coba.report(6, losses(6)), expected)


class UnreachableTest(unittest.TestCase):
    def test_uniform_weights_before_the_first_and_the_report_buffered(self):
        with socket.socket() as s:          # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        coba = CobaClient(f"http://127.0.0.1:{port}", time_limit=1.0, run_id="away")
        with self.assertRaises(CobaUnavailableError):
            coba.create_run(TASKS)
        coba.tasks = TASKS
        started = time.monotonic()
        self.assertEqual(coba.report(1, losses(1)), {t: 1 / 3 for t in TASKS})
        self.assertLess(time.monotonic() - started, 1.5)
        self.assertEqual([b["step"] for b in coba.buffer], [1])
        self.assertEqual(coba.fallbacks, 1)


class RestartTest(SidecarTest):
    def test_reports_are_buffered_while_the_sidecar_is_down_and_replayed_after(self):
        coba = self.client(time_limit=2.0, backoff=0.1)
        coba.create_run(TASKS, run_id="restart", params=PARAMS)
        for step in (1, 2, 3):
            before = coba.report(step, losses(step))
        self.sidecar.stop()
        for step in (4, 5, 6):
            started = time.monotonic()
            self.assertEqual(coba.report(step, losses(step)), before, "the last weights")
            self.assertLess(time.monotonic() - started, 2.5, "never blocks past the time limit")
        self.assertEqual([b["step"] for b in coba.buffer], [4, 5, 6])
        self.assertEqual(coba.fallbacks, 3)

        type(self).sidecar = Sidecar(self.data_dir, port=self.sidecar.port, token=TOKEN).start()
        after = coba.report(7, losses(7))
        self.assertEqual(coba.buffer, [])
        self.assertEqual([h["step"] for h in coba.history()], list(range(1, 8)), "nothing lost")

        # the same reports, never interrupted, give the same weights
        direct = self.client()
        direct.create_run(TASKS, run_id="restart-direct", params=PARAMS)
        for step in range(1, 8):
            expected = direct.report(step, losses(step))
        self.assertEqual(after, expected)
        self.assertFalse(math.isclose(after["cpp"], 1 / 3))


if __name__ == "__main__":
    unittest.main()
