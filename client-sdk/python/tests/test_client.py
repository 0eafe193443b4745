"""coba.CobaClient against a real sidecar (sidecar/target/coba-sidecar.jar)."""

import os
import subprocess
import sys
import textwrap
import threading
import time
import unittest

from coba import CobaClient, CobaError, CobaUnavailableError
from sidecar import Proxy, SidecarTestCase, child_env, free_port

TOKEN = "python-test-token"
TASKS = ["python", "java", "cpp"]
PARAMS = {"warmupSteps": 2, "historyLength": 8}
UNIFORM = {t: 1 / 3 for t in TASKS}


def losses(step):
    """Made-up validation losses: python and java keep falling, cpp turns up after step 4."""
    return {"python": 2.0 / (1 + 0.3 * step), "java": 2.4 / (1 + 0.1 * step),
            "cpp": 1.5 + 0.05 * (step - 4) ** 2}


class SidecarTest(SidecarTestCase):
    token = TOKEN

    def client(self, url=None, **kwargs):
        kwargs.setdefault("time_limit", 10.0)
        kwargs.setdefault("exit_flush", 0)
        return CobaClient(url or self.sidecar.url, TOKEN, **kwargs)

    def assertWeights(self, weights, tasks=TASKS):
        self.assertEqual(sorted(weights), sorted(tasks))
        self.assertTrue(all(w > 0 for w in weights.values()), weights)
        self.assertAlmostEqual(sum(weights.values()), 1.0, places=9)

    def uninterrupted(self, run_id, steps):
        """The weights after each step of the same reports, never interrupted."""
        direct = self.client()
        direct.create_run(TASKS, run_id=run_id, params=PARAMS)
        return {step: direct.report(step, losses(step)) for step in steps}


class ClientTest(SidecarTest):
    def test_create_run_is_idempotent(self):
        client = self.client()
        first = client.create_run(TASKS, run_id="create", params=PARAMS)
        self.assertEqual(client.create_run(TASKS, run_id="create", params=PARAMS), first)
        self.assertEqual(first["weights"], UNIFORM)
        with self.assertRaises(CobaError) as refused:
            client.create_run(["python"], run_id="create")
        self.assertEqual(refused.exception.status, 409)

    def test_reports_return_the_next_weights_and_the_history_records_those_used(self):
        client = self.client()
        client.create_run(TASKS, run_id="report", params=PARAMS)
        answers = {}
        for step in range(1, 9):
            answers[step] = client.report(step, losses(step))
            self.assertWeights(answers[step])
        self.assertLess(answers[8]["cpp"], answers[8]["python"], "the overfitting task loses weight")
        self.assertEqual(client.weights(), answers[8])
        self.assertEqual(client.report(8, losses(8)), answers[8], "a retried report gets the same answer")
        history = client.history()
        self.assertEqual([h["step"] for h in history], list(range(1, 9)))
        self.assertEqual(history[0]["weightsUsed"], UNIFORM)
        for h in history[1:]:
            self.assertEqual(h["weightsUsed"], answers[h["step"] - 1])
        self.assertEqual(client.fallbacks, 0)

    def test_refused_requests_raise_with_status_field_and_url(self):
        client = self.client()
        client.create_run(TASKS, run_id="errors")
        with self.assertRaises(CobaError) as bad:
            client.report(1, {"python": -1.0, "java": 2.0, "cpp": 2.0})
        self.assertEqual((bad.exception.status, bad.exception.field), (400, "valLosses.python"))
        self.assertIn(self.sidecar.url + "/v1/runs/errors/steps", str(bad.exception))
        with self.assertRaises(CobaError) as missing:
            self.client(run_id="no-such-run").history()
        self.assertEqual((missing.exception.status, missing.exception.field), (404, "runId"))
        with self.assertRaises(CobaError) as unauthorized:
            CobaClient(self.sidecar.url, "wrong-token", run_id="errors", exit_flush=0).history()
        self.assertEqual(unauthorized.exception.status, 401)
        client.report(1, losses(1))
        with self.assertRaises(CobaError) as conflict:
            client.report(1, losses(2))
        self.assertEqual(conflict.exception.status, 409)
        self.assertEqual(client.pending, 0, "a refused report is not queued")
        self.assertEqual(len(client.local_state()["reports"]), 1, "nor kept for the local state")

    def test_a_step_counter_that_restarts_gets_an_error_that_says_so(self):
        client = self.client()
        client.create_run(TASKS, run_id="epochs", params=PARAMS)
        for step in (1, 2, 3):
            client.report(step, losses(step))
        with self.assertRaises(CobaError) as again:
            client.report(1, losses(7))   # "epoch 2" restarts at 1
        self.assertEqual(again.exception.status, 409)
        self.assertIn("global step", str(again.exception))
        self.assertIn("start(step)", str(again.exception))

    def test_rewind_and_restore(self):
        client = self.client()
        client.create_run(TASKS, run_id="rewind", params=PARAMS)
        after = {step: client.report(step, losses(step)) for step in range(1, 7)}
        saved = client.state()
        self.assertEqual(client.rewind(3)["step"], 3)
        self.assertEqual(client.weights(), after[3])
        self.assertEqual([h["step"] for h in client.history()], [1, 2, 3])
        self.assertEqual(client.report(4, losses(4)), after[4], "same steps, same weights")
        client.delete_run()
        client.restore_state(saved)
        self.assertEqual(client.last_step, 6)
        self.assertEqual(client.weights(), after[6])

    def test_a_rerun_of_the_same_script_starts_over_without_409(self):
        first = self.client()
        first.create_run(TASKS, run_id="rerun", params=PARAMS)
        first.start(0)
        before = [first.report(step, losses(step) if step < 4 else {t: 1.0 for t in TASKS})
                  for step in range(1, 7)]
        again = self.client()
        again.create_run(TASKS, run_id="rerun", params=PARAMS)
        self.assertEqual(again.start(0), UNIFORM)
        rerun = [again.report(step, losses(step)) for step in range(1, 7)]   # other losses: no 409
        self.assertEqual(rerun, list(self.uninterrupted("rerun-expected", range(1, 7)).values()))
        self.assertNotEqual(rerun, before)
        self.assertEqual([h["step"] for h in again.history()], list(range(1, 7)))

    def test_a_resume_restores_the_checkpoints_state(self):
        client = self.client()
        client.create_run(TASKS, run_id="resume", params=PARAMS)
        for step in range(1, 5):
            client.report(step, losses(step))
        saved = client.state()
        for step in range(5, 9):   # steps after the checkpoint, lost with the crash
            client.report(step, {t: 1.0 for t in TASKS})
        resumed = self.client()
        resumed.create_run(TASKS, run_id="resume", params=PARAMS)
        expected = self.uninterrupted("resume-expected", range(1, 9))
        self.assertEqual(resumed.start(4, saved), expected[4])
        self.assertEqual({s: resumed.report(s, losses(s)) for s in range(5, 9)},
                         {s: expected[s] for s in range(5, 9)})

    def test_a_resume_without_state_rewinds(self):
        client = self.client()
        client.create_run(TASKS, run_id="resume-rewind", params=PARAMS)
        for step in range(1, 9):
            client.report(step, losses(step))
        again = self.client()
        again.create_run(TASKS, run_id="resume-rewind", params=PARAMS)
        again.start(4)
        self.assertEqual([h["step"] for h in again.history()], [1, 2, 3, 4])


class OutageTest(SidecarTest):
    """The sidecar stopped, killed and restarted on the same port and data directory."""

    def restart(self):
        self.sidecar.stop()
        self.sidecar.start()

    def test_the_time_limit_bounds_a_call_not_a_retry_count(self):
        client = CobaClient(f"http://127.0.0.1:{free_port()}", time_limit=4.0, backoff=0.05, exit_flush=0)
        started = time.monotonic()
        with self.assertRaises(CobaUnavailableError) as away:
            client.create_run(TASKS, run_id="away")
        elapsed = time.monotonic() - started
        self.assertGreater(elapsed, 3.5, "retries go on until the time limit")
        self.assertLess(elapsed, 6.0)
        self.assertIn("127.0.0.1", str(away.exception), "the error names the URL tried")

    def test_reports_queue_during_an_outage_and_nothing_is_lost(self):
        client = self.client(time_limit=1.0, backoff=0.05)
        client.create_run(TASKS, run_id="outage", params=PARAMS)
        for step in (1, 2, 3):
            before = client.report(step, losses(step))
        self.sidecar.kill()
        for step in (4, 5, 6):
            started = time.monotonic()
            self.assertEqual(client.report(step, losses(step)), before, "the weights in use")
            self.assertLess(time.monotonic() - started, 2.0, "never blocks past the time limit")
        self.assertEqual((client.pending, client.fallbacks), (3, 3))
        state = client.state()                       # a checkpoint save during the outage
        self.assertEqual([r["step"] for r in state["reports"]], [1, 2, 3, 4, 5, 6])
        self.sidecar.start()
        after = client.report(7, losses(7))
        self.assertEqual(client.pending, 0)
        history = client.history()
        self.assertEqual([h["step"] for h in history], list(range(1, 8)), "nothing lost")
        self.assertEqual(after, self.uninterrupted("outage-expected", range(1, 8))[7])
        self.assertEqual([h["weightsUsed"] for h in history[3:7]], [before] * 4,
                         "the history shows the weights training kept during the outage")
        # the state saved during the outage restores the run the sidecar has
        client.restore_state(state)
        self.assertEqual(client.weights(), self.uninterrupted("outage-6", range(1, 7))[6])

    def test_flush_close_and_context_manager(self):
        with self.client(time_limit=1.0, backoff=0.05) as client:
            client.create_run(TASKS, run_id="flush", params=PARAMS)
            self.sidecar.stop()
            client.report(1, losses(1))
            self.assertFalse(client.flush(0.5))
            self.sidecar.start()
            self.assertTrue(client.flush())
            self.sidecar.stop()
            client.report(2, losses(2))
            threading.Timer(1.0, self.sidecar.start).start()
            client.exit_flush = 60
        # __exit__ closed it, waiting for the sidecar
        self.assertEqual(client.pending, 0)
        self.assertEqual([h["step"] for h in self.client(run_id="flush").history()], [1, 2])

    def test_reports_queued_at_the_end_of_the_process_are_delivered_at_exit(self):
        script = textwrap.dedent(f"""
            import logging, sys
            from coba import CobaClient
            logging.basicConfig(level=logging.INFO)
            client = CobaClient({self.sidecar.url!r}, {TOKEN!r}, time_limit=0.5, backoff=0.05, exit_flush=60)
            client.create_run({TASKS!r}, run_id="exit", params={PARAMS!r})
            client.report(1, {{"python": 2.0, "java": 2.0, "cpp": 2.0}})
            open(sys.argv[1], "w").close()          # the test stops the sidecar now
            import time, os
            while os.path.exists(sys.argv[1]):
                time.sleep(0.05)
            for step in (2, 3):                     # the last reports, during the outage
                client.report(step, {{"python": 1.5, "java": 1.9, "cpp": 2.1}})
            print("exiting with", client.pending, "queued", flush=True)
        """)
        marker = os.path.join(self.data_dir, "exit-marker")
        process = subprocess.Popen([sys.executable, "-c", script, marker], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, env=child_env())
        while not os.path.exists(marker):
            time.sleep(0.05)
        self.sidecar.stop()
        os.remove(marker)
        time.sleep(2.0)              # the script reports 2 and 3, queues them, starts to exit
        self.sidecar.start()
        output, _ = process.communicate(timeout=120)
        self.assertEqual(process.returncode, 0, output)
        self.assertIn("exiting with 2 queued", output)
        self.assertEqual([h["step"] for h in self.client(run_id="exit").history()], [1, 2, 3],
                         "history complete after exit:\n" + output)

    def test_an_answer_lost_after_the_sidecar_committed(self):
        proxy = Proxy(self.sidecar.port)
        self.addCleanup(proxy.close)
        client = self.client(url=proxy.url, backoff=0.05)
        client.create_run(TASKS, run_id="lost", params=PARAMS)
        client.time_limit = 0.5
        before = client.report(1, losses(1))
        before = client.report(2, losses(2))
        proxy.lose_answers = True
        self.assertEqual(client.report(3, losses(3)), before, "the weights in use")
        self.assertEqual(client.pending, 1)
        proxy.lose_answers = False
        after = client.report(4, losses(4))   # the queued report goes again: the same answer
        self.assertEqual(after, self.uninterrupted("lost-expected", range(1, 5))[4])
        history = client.history()
        self.assertEqual([h["step"] for h in history], [1, 2, 3, 4])
        self.assertEqual(history[3]["weightsUsed"], before, "step 4 was trained with the older weights")


if __name__ == "__main__":
    unittest.main()
