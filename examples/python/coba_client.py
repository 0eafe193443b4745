"""A small client for the CoBa sidecar (protocol v1), standard library only.

    from coba_client import CobaClient
    coba = CobaClient()                                   # COBA_URL, COBA_TOKEN
    coba.create_run(["python", "java"], run_id="ft-1")    # idempotent on run_id
    weights = coba.report(step, {"python": 1.93, "java": 2.41}, rank=rank)

Behaviour, mirroring the Java SDK in a few lines:
- 4xx answers raise ``CobaError`` at once (``status``, ``field``, ``message``).
- Connection errors, timeouts, 5xx and 429 are retried with exponential backoff and
  jitter, all within ``time_limit`` seconds per call.
- If the sidecar stays unreachable, ``report`` returns the last weights it had (uniform
  before the first) and buffers the report; buffered reports are replayed, in order,
  before the next call that reaches the sidecar. The protocol is idempotent, so a
  replay of a report that did arrive is harmless.
- A 202 (the step waits for other ranks) is long-polled on ``GET /weights``.
"""

import json
import logging
import os
import random
import time
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8470"
log = logging.getLogger("coba")


class CobaError(Exception):
    """The sidecar refused a request (4xx): fix the request, retrying will not help."""

    def __init__(self, status, message, field=None, body=None):
        super().__init__(f"HTTP {status}: {message}" + (f" (field: {field})" if field else ""))
        self.status = status
        self.message = message
        self.field = field
        self.body = body


class CobaUnavailableError(Exception):
    """The sidecar could not be reached within the time limit (after retries)."""


class _Transient(Exception):
    pass


class CobaClient:
    def __init__(self, url=None, token=None, timeout=10.0, run_id=None,
                 time_limit=30.0, retries=4, backoff=0.2, max_buffer=100000):
        self.url = (url or os.environ.get("COBA_URL") or DEFAULT_URL).rstrip("/")
        self.token = token if token is not None else os.environ.get("COBA_TOKEN") or None
        self.timeout = timeout          # seconds per HTTP request
        self.time_limit = time_limit    # seconds per client call, retries and long-polls included
        self.retries = retries
        self.backoff = backoff
        self.max_buffer = max_buffer
        self.run_id = run_id
        self.tasks = None
        self.objective = "linear"
        self.last_weights = None        # the weights of the last completed step seen
        self.last_step = None
        self.buffer = []                # reports not yet acknowledged, oldest first
        self.dropped = []               # buffered reports the sidecar refused on replay (4xx)
        self.fallbacks = 0              # calls answered with fallback weights

    # ------------------------------------------------------------------ runs
    def create_run(self, tasks, method="coba", run_id=None, params=None, world_size=1,
                   initial_losses=None):
        """Create the run (or get it back: 200 for the same definition, 409 for another)."""
        body = {"tasks": list(tasks), "method": method, "worldSize": world_size}
        run_id = run_id or self.run_id
        if run_id:
            body["runId"] = run_id
        if params:
            body["params"] = params
        if initial_losses:
            body["initialLosses"] = initial_losses
        _, run = self._call("POST", "/v1/runs", body)
        self._adopt(run)
        return run

    def attach(self, run_id):
        """Use an existing run."""
        self.run_id = run_id
        _, run = self._call("GET", self._path(""))
        self._adopt(run)
        return run

    def delete_run(self):
        self._call("DELETE", self._path(""))

    def _adopt(self, run):
        self.run_id = run["runId"]
        self.tasks = list(run["tasks"])
        self.objective = run.get("objective", "linear")
        self.last_weights = dict(run["weights"])
        self.last_step = run.get("step")

    # ----------------------------------------------------------------- steps
    def report(self, step, val_losses, rank=0, train_losses=None, grad_norms=None, counts=None):
        """Report this rank's losses for ``step``; return the weights for the next step.

        Never raises for an unreachable sidecar: it then returns the fallback weights and
        buffers the report. Raises ``CobaError`` for a refused report (4xx)."""
        body = {"step": int(step), "rank": int(rank)}
        for key, values in (("valLosses", val_losses), ("trainLosses", train_losses),
                            ("gradNorms", grad_norms), ("counts", counts)):
            if values is not None:
                body[key] = {str(k): float(v) for k, v in values.items()}
        deadline = time.monotonic() + self.time_limit
        try:
            self._flush(deadline)
            status, answer = self._call("POST", self._path("/steps"), body, deadline=deadline)
        except CobaUnavailableError as e:
            self._buffer(body)
            return self._fallback(e)
        if status == 202:
            answer = self._await(step, deadline)
            if answer is None:
                return self._fallback("step %s still waits for other ranks" % step)
        return self._accept(answer)

    def weights(self, step=None, wait_ms=0):
        """The weights after ``step`` (default: the last completed step); fallback if unreachable
        or if the step is still waiting for ranks."""
        deadline = time.monotonic() + self.time_limit
        query = {} if step is None else {"step": int(step)}
        if wait_ms:
            query["waitMs"] = int(wait_ms)
        try:
            self._flush(deadline)
            status, answer = self._call("GET", self._path("/weights", query), deadline=deadline)
        except CobaUnavailableError as e:
            return self._fallback(e)
        if status == 202:
            return self._fallback("step %s still waits for other ranks" % step)
        return self._accept(answer)

    def history(self, from_step=None, to_step=None):
        query = {k: v for k, v in (("from", from_step), ("to", to_step)) if v is not None}
        return self._run_call("GET", self._path("/history", query))["steps"]

    # ----------------------------------------------------------- checkpoints
    def state(self):
        """The run state: save it next to a model checkpoint."""
        return self._run_call("GET", self._path("/state"))

    def restore_state(self, state):
        """Restore a saved state (creates the run if needed); pending buffered reports are dropped
        first, since the checkpoint is the truth now."""
        self.buffer.clear()
        self.run_id = state["run"].get("runId", self.run_id)
        _, run = self._call("PUT", self._path("/state"), state)
        self._adopt(run)
        return run

    def rewind(self, step):
        """Drop every step after ``step`` (resume from a model checkpoint of that step)."""
        run = self._run_call("POST", self._path("/rewind"), {"step": int(step)})
        self._adopt(run)
        return run

    # ------------------------------------------------------------- internals
    def _path(self, suffix, query=None):
        if not self.run_id:
            raise ValueError("no run: call create_run() or attach() first")
        path = "/v1/runs/" + urllib.parse.quote(self.run_id, safe="") + suffix
        return path + ("?" + urllib.parse.urlencode(query) if query else "")

    def _run_call(self, method, path, body=None):
        deadline = time.monotonic() + self.time_limit
        self._flush(deadline)
        return self._call(method, path, body, deadline=deadline)[1]

    def _accept(self, answer):
        self.last_weights = dict(answer["weights"])
        self.last_step = answer.get("step")
        self.objective = answer.get("objective", self.objective)
        return dict(self.last_weights)

    def _fallback(self, why):
        self.fallbacks += 1
        log.warning("CoBa sidecar: %s; training on with the last weights (%d report(s) buffered)",
                    why, len(self.buffer))
        if self.last_weights:
            return dict(self.last_weights)
        if self.tasks:
            return {t: 1.0 / len(self.tasks) for t in self.tasks}
        return {}

    def _buffer(self, body):
        if len(self.buffer) >= self.max_buffer:
            self.buffer.pop(0)
        self.buffer.append(body)

    def _flush(self, deadline):
        """Replay the buffered reports in order; raises CobaUnavailableError if the sidecar is
        still away (the rest stay buffered)."""
        while self.buffer:
            body = self.buffer[0]
            try:
                status, answer = self._call("POST", self._path("/steps"), body, deadline=deadline)
                if status == 200:
                    self._accept(answer)
            except CobaError as e:   # refused on replay: keep going, but keep a trace
                log.warning("CoBa sidecar refused buffered report of step %s: %s", body["step"], e)
                self.dropped.append((body, e))
            self.buffer.pop(0)

    def _await(self, step, deadline):
        """Long-poll a step that waits for other ranks; None if the deadline passes first."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0.05:
                return None
            wait_ms = int(min(left - 0.05, self.timeout - 1.0, 60.0) * 1000)
            try:
                status, answer = self._call(
                    "GET", self._path("/weights", {"step": int(step), "waitMs": max(wait_ms, 0)}),
                    deadline=deadline)
            except CobaUnavailableError:
                return None
            if status == 200:
                return answer

    def _call(self, method, path, body=None, deadline=None):
        """One request with retries on transient failures; returns (status, json)."""
        if deadline is None:
            deadline = time.monotonic() + self.time_limit
        attempt = 0
        while True:
            try:
                return self._once(method, path, body, deadline)
            except _Transient as e:
                attempt += 1
                pause = self.backoff * (2 ** (attempt - 1)) * (0.5 + random.random())
                if attempt > self.retries or time.monotonic() + pause >= deadline:
                    raise CobaUnavailableError(f"{method} {path}: {e}") from None
                time.sleep(pause)

    def _once(self, method, path, body, deadline):
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        timeout = max(0.05, min(self.timeout, deadline - time.monotonic()))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
                return response.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                error = json.loads(raw) if raw else {}
            except ValueError:
                error = {"error": raw.decode("utf-8", "replace")}
            if e.code == 429 or e.code >= 500:
                raise _Transient(f"HTTP {e.code}: {error.get('error', '')}") from None
            raise CobaError(e.code, error.get("error", e.reason), error.get("field"), error) from None
        except (urllib.error.URLError, OSError, TimeoutError) as e:  # refused, reset, timed out
            raise _Transient(str(getattr(e, "reason", e))) from None
