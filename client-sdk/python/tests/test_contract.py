"""The package against openapi.yaml: every operation it uses, with its answers (2xx and the
refusals), checked by tests/contract.py against the yaml's schemas; and the checker itself
against documents it must refuse."""

import math
import unittest

import contract
from coba import CobaClient, CobaError
from sidecar import SidecarTestCase

TASKS = ["python", "java"]

# The operations of openapi.yaml that coba.CobaClient uses, with the statuses this test makes
# them answer. The others (/healthz, /readyz, /metrics, GET /v1/methods, GET /v1/runs,
# .../series) are for operators and the dashboard.
USED = {
    ("POST", "/v1/runs", 201), ("POST", "/v1/runs", 200), ("POST", "/v1/runs", 409),
    ("GET", "/v1/runs/{runId}", 200), ("GET", "/v1/runs/{runId}", 404),
    ("DELETE", "/v1/runs/{runId}", 204),
    ("POST", "/v1/runs/{runId}/steps", 200), ("POST", "/v1/runs/{runId}/steps", 202),
    ("POST", "/v1/runs/{runId}/steps", 400), ("POST", "/v1/runs/{runId}/steps", 409),
    ("GET", "/v1/runs/{runId}/weights", 200), ("GET", "/v1/runs/{runId}/weights", 202),
    ("GET", "/v1/runs/{runId}/history", 200),
    ("GET", "/v1/runs/{runId}/state", 200),
    ("PUT", "/v1/runs/{runId}/state", 200), ("PUT", "/v1/runs/{runId}/state", 400),
    ("POST", "/v1/runs/{runId}/rewind", 200),
}


class PackageContractTest(SidecarTestCase):
    def client(self, **kwargs):
        kwargs.setdefault("time_limit", 10.0)
        kwargs.setdefault("exit_flush", 0)
        return CobaClient(self.sidecar.url, **kwargs)

    def test_every_operation_the_package_uses_keeps_to_the_yaml(self):
        contract.SEEN.clear()
        problems_before = len(contract.PROBLEMS)
        client = self.client()
        client.create_run(TASKS, run_id="contract", params={"warmupSteps": 2, "historyLength": 4},
                          initial_losses={"python": 2.5, "java": 2.5})
        client.create_run(TASKS, run_id="contract", params={"warmupSteps": 2, "historyLength": 4},
                          initial_losses={"python": 2.5, "java": 2.5})          # 200: the same run
        with self.assertRaises(CobaError):
            client.create_run(["python"], run_id="contract")                     # 409
        for step in range(1, 6):
            client.report(step, {"python": 2.0 / step, "java": 2.2 / step},
                          train_losses={"python": 1.0, "java": 1.1}, grad_norms={"python": 0.5, "java": 0.4},
                          counts={"python": 8, "java": 8})
        with self.assertRaises(CobaError):
            client.report(6, {"rust": 1.0})                                      # 400: no such task
        with self.assertRaises(CobaError):
            client.report(5, {"python": 9.0, "java": 9.0})                       # 409: another body
        client.weights()
        client.weights(step=5, wait_ms=10)
        self.assertEqual([h["step"] for h in client.history(from_step=2, to_step=4)], [2, 3, 4])
        state = client.state()
        client.rewind(3)
        client.restore_state(state)
        with self.assertRaises(CobaError):                                       # 400: no such task
            client.restore_state(dict(state, reports=[{"step": 1, "valLosses": {"rust": 1.0}}]))
        client.restore_state(state)
        client.start(0)                                                          # DELETE, then POST
        client.attach("contract")

        two = self.client()
        two.create_run(TASKS, run_id="contract-ranks", world_size=2)
        self.assertIsNone(two.submit([{"step": 1, "rank": 0, "valLosses": {"python": 1.0, "java": 1.0}}],
                                     wait=False))                                # 202: rank 1 to come
        two.time_limit = 0.3
        two.weights(step=1, wait_ms=50)                                          # 202: still waiting
        with self.assertRaises(CobaError):
            self.client(run_id="no-such-run").attach("no-such-run")              # 404

        self.assertEqual(contract.PROBLEMS[problems_before:], [], "requests or answers that break openapi.yaml")
        self.assertEqual(sorted(USED - contract.SEEN), [], "operations of the package not exercised")


class CheckerTest(unittest.TestCase):
    """The checker refuses what the sidecar refuses: it is no use if it passes everything."""

    def schema(self, name):
        return {"$ref": "#/components/schemas/" + name}

    def test_it_knows_every_schema_and_path(self):
        self.assertIn("StepReport", contract.schemas())
        self.assertEqual(contract.operation("GET", "/v1/runs/r1/weights?step=3")[0], "/v1/runs/{runId}/weights")
        self.assertEqual(contract.operation("GET", "/v1/nothing"), (None, None))

    def test_a_valid_report_passes(self):
        self.assertEqual(contract.validate(self.schema("StepReport"),
                                           {"step": 3, "rank": 0, "valLosses": {"a": 1.5}, "counts": {"a": 2}}), [])

    def test_what_the_sidecar_refuses(self):
        refused = {
            "a missing step": {"valLosses": {"a": 1.0}},
            "a fractional step": {"step": 1.5},
            "a boolean step": {"step": True},
            "a negative loss": {"step": 1, "valLosses": {"a": -1.0}},
            "NaN": {"step": 1, "valLosses": {"a": math.nan}},
            "a zero count": {"step": 1, "counts": {"a": 0}},
            "an unknown field": {"step": 1, "surplus": 1},
            "a string for a number": {"step": 1, "valLosses": {"a": "1.0"}},
            "a null loss": {"step": 1, "valLosses": {"a": None}},
        }
        for what, body in refused.items():
            with self.subTest(what):
                self.assertNotEqual(contract.validate(self.schema("StepReport"), body), [], body)

    def test_answers_and_requests_of_operations(self):
        self.assertEqual(contract.request_problems("POST", "/v1/runs", {"tasks": ["a"], "method": "coba"}), [])
        self.assertNotEqual(contract.request_problems("POST", "/v1/runs", {"tasks": [], "method": "coba"}), [])
        self.assertNotEqual(contract.request_problems("POST", "/v1/runs", {"tasks": ["a", "a"], "method": "coba"}), [])
        self.assertNotEqual(contract.request_problems("PATCH", "/v1/runs", {}), [])
        self.assertEqual(contract.answer_problems("GET", "/v1/runs/r1/weights", 200, {
            "runId": "r1", "step": None, "complete": True, "weights": {"a": 1.0}, "objective": "linear"}), [])
        self.assertNotEqual(contract.answer_problems("GET", "/v1/runs/r1/weights", 200, {
            "runId": "r1", "step": None, "complete": False, "weights": {"a": 1.0}, "objective": "linear"}), [])
        self.assertNotEqual(contract.answer_problems("GET", "/v1/runs/r1/weights", 418, {}), [])
        self.assertEqual(contract.answer_problems("DELETE", "/v1/runs/r1", 204, None), [])


if __name__ == "__main__":
    unittest.main()
