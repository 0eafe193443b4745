"""The protocol client (protocol v1, ``openapi.yaml``), standard library only.

    from coba import CobaClient
    with CobaClient() as coba:                              # COBA_URL, COBA_TOKEN
        coba.create_run(["python", "java"], run_id="ft-1")  # idempotent on run_id
        coba.start(0)                                       # training starts at step 0
        weights = coba.report(step, {"python": 1.93, "java": 2.41})

What it promises:

- A refused request (4xx) raises :class:`CobaError` at once, naming the URL and the field.
- Connection errors, timeouts, 5xx and 429 are retried with exponential backoff and jitter
  until ``time_limit`` seconds have passed for the call (there is no retry count unless
  ``retries`` is given).
- When the sidecar stays out of reach, :meth:`CobaClient.report` returns the weights the
  trainer already had and queues the report; queued work (reports, rewinds, restores) is
  delivered in order before the next call that gets through, by :meth:`flush`,
  :meth:`close`, and at interpreter exit (within ``exit_flush`` seconds). Nothing is
  dropped unless the sidecar refuses it.
- Every report carries ``weightsUsed``, the weights the caller was handed before it, so the
  sidecar's history records the weights training really used, fallbacks included.
- :meth:`CobaClient.state` falls back to a state built from what this client sent when the
  sidecar is out of reach, so a checkpoint save does not fail on an outage.

With several ranks, :class:`coba.torch.Balancing` makes every rank train with the same
weights; this client alone cannot (each rank would decide its own fallback).
"""

from __future__ import annotations

import atexit
import collections
import copy
import json
import logging
import os
import random
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import weakref
from typing import Any, Deque, Dict, List, Mapping, Optional, Sequence, Tuple

DEFAULT_URL = "http://127.0.0.1:8470"
STATE_VERSION = 1  # RunState.version this client builds locally (openapi.yaml, RunState)

log = logging.getLogger("coba")

Weights = Dict[str, float]
Json = Dict[str, Any]


class CobaError(Exception):
    """The sidecar refused a request (4xx): fix the request, retrying will not help."""

    def __init__(self, status: int, message: str, field: Optional[str] = None,
                 body: Optional[Json] = None, url: Optional[str] = None):
        where = f" ({url})" if url else ""
        super().__init__(f"HTTP {status}{where}: {message}" + (f" (field: {field})" if field else ""))
        self.status = status
        self.message = message
        self.field = field
        self.body = body
        self.url = url


class CobaUnavailableError(Exception):
    """The sidecar could not be reached within the time limit."""


class _Transient(Exception):
    """One attempt failed in a way a retry may fix."""


class _Op:
    """Work for the sidecar, kept in order while it is out of reach."""

    __slots__ = ("kind", "body")

    def __init__(self, kind: str, body: Any):
        self.kind = kind    # "report", "rewind", "restore" or "reset"
        self.body = body


def _floats(values: Mapping[str, Any]) -> Dict[str, float]:
    return {str(k): float(v) for k, v in values.items()}


class CobaClient:
    """A client of one run of the sidecar; thread-safe.

    :param url: the sidecar (default ``$COBA_URL``, else ``http://127.0.0.1:8470``)
    :param token: sent as ``Authorization: Bearer`` (default ``$COBA_TOKEN``)
    :param timeout: seconds one HTTP request may take
    :param time_limit: seconds one call may take, retries and long-polls included
    :param retries: optional cap on attempts per request; ``None``: retry until ``time_limit``
    :param backoff: first pause between attempts (doubles, with jitter, up to ``max_backoff``)
    :param max_buffer: queued operations kept while the sidecar is away (the oldest are
        dropped beyond, with an error in the log)
    :param exit_flush: seconds the interpreter's exit may spend delivering queued work
        (default ``time_limit``); 0 disables the exit hook
    """

    def __init__(self, url: Optional[str] = None, token: Optional[str] = None,
                 timeout: float = 10.0, run_id: Optional[str] = None, time_limit: float = 30.0,
                 retries: Optional[int] = None, backoff: float = 0.2, max_backoff: float = 2.0,
                 max_buffer: int = 100000, exit_flush: Optional[float] = None):
        self.url = (url or os.environ.get("COBA_URL") or DEFAULT_URL).rstrip("/")
        self.token = token if token is not None else os.environ.get("COBA_TOKEN") or None
        if timeout <= 0 or time_limit <= 0:
            raise ValueError("timeout and time_limit must be > 0 seconds")
        self.timeout = timeout
        self.time_limit = time_limit
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_buffer = max_buffer
        self.exit_flush = time_limit if exit_flush is None else exit_flush
        self.run_id = run_id
        self.tasks: Optional[List[str]] = None
        self.world_size = 1
        self.objective = "linear"
        self.last_weights: Optional[Weights] = None   # the sidecar's latest answer seen
        self.last_step: Optional[int] = None
        self.handed_out: Optional[Weights] = None     # the weights last returned to the caller
        self.fallbacks = 0                            # calls answered without the sidecar
        self.dropped: List[Tuple[Any, CobaError]] = []  # queued work the sidecar refused
        self._pending: Deque[_Op] = collections.deque()
        # weightsUsed of the latest reports by (step, rank): a report made again is the same body
        self._used_by_report: "collections.OrderedDict[Tuple[int, int], Optional[Weights]]" = \
            collections.OrderedDict()
        self._run_body: Optional[Json] = None         # the run's definition (RunCreate)
        # what this client knows of the run's state: the last state document seen plus every
        # report sent or queued since; None when unknown (see local_state)
        self._known_state: Optional[Json] = None
        self._since: List[Json] = []
        self._lock = threading.RLock()
        self._closed = False
        self._direct_ranks = False   # ranks of a multi-rank run report through their own clients
        if self.exit_flush > 0:
            atexit.register(_flush_at_exit, weakref.ref(self))

    # ---------------------------------------------------------------- context manager
    def __enter__(self) -> "CobaClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def pending(self) -> int:
        """Operations queued for the sidecar, not yet acknowledged."""
        return len(self._pending)

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Delivers queued work, waiting up to ``timeout`` seconds (default ``time_limit``);
        True when nothing is left."""
        with self._lock:
            deadline = time.monotonic() + (self.time_limit if timeout is None else timeout)
            try:
                self._flush(deadline)
            except CobaUnavailableError as e:
                log.warning("CoBa sidecar: %s; %d operation(s) still queued", e, len(self._pending))
            return not self._pending

    def close(self, timeout: Optional[float] = None) -> bool:
        """Flushes (within ``timeout``, default ``exit_flush`` or ``time_limit``) and stops the
        exit hook; queued work that could not be delivered is written to a file named in the
        log. True when everything was delivered."""
        with self._lock:
            if self._closed:
                return not self._pending
            delivered = self.flush(timeout if timeout is not None else (self.exit_flush or self.time_limit))
            if not delivered:
                self._spill()
            self._closed = True
            return delivered

    # ------------------------------------------------------------------------- runs
    def create_run(self, tasks: Sequence[str], method: str = "coba", run_id: Optional[str] = None,
                   params: Optional[Mapping[str, Any]] = None, world_size: int = 1,
                   initial_losses: Optional[Mapping[str, float]] = None) -> Json:
        """Creates the run, or gets it back (200 for the same definition, 409 for another)."""
        body: Json = {"tasks": list(tasks), "method": method, "worldSize": int(world_size)}
        run_id = run_id or self.run_id
        if run_id:
            body["runId"] = run_id
        if params:
            body["params"] = dict(params)
        if initial_losses:
            body["initialLosses"] = _floats(initial_losses)
        with self._lock:
            _, run = self._call("POST", "/v1/runs", body)
            self._adopt(run)
            return run

    def attach(self, run_id: str) -> Json:
        """Uses an existing run."""
        with self._lock:
            self.run_id = run_id
            _, run = self._call("GET", self._path(""))
            self._adopt(run)
            return run

    def delete_run(self) -> None:
        with self._lock:
            self._call("DELETE", self._path(""))

    def start(self, step: int = 0, state: Optional[Json] = None) -> Weights:
        """Says where training starts, so that a rerun or a resume continues the run exactly.

        ``step == 0``: training starts from scratch; steps the run already has (an earlier
        run of the same script) are dropped. Otherwise training resumes from a checkpoint of
        ``step``: ``state`` (the :meth:`state` saved with it) is restored, or, without one,
        the run is rewound to ``step``. Queued if the sidecar is away. Returns the run's
        weights after the step (the caller should prefer the weights saved with its
        checkpoint, which include any fallback)."""
        step = int(step)
        if step < 0:
            raise ValueError(f"step must be >= 0, got {step}")
        with self._lock:
            self._require_run()
            if step == 0 and state is None and self.last_step is None and not self._pending:
                self.handed_out = self._uniform()   # a new run: nothing to drop
                return dict(self.handed_out)
            if state is not None:
                op = _Op("restore", state)
            elif step == 0:
                op = _Op("reset", self._run_body)
            else:
                op = _Op("rewind", step)
            self._note_locally(op)
            self._pending.append(op)
            self.flush()
            weights = self._uniform() if step == 0 and state is None else (self.last_weights or self._uniform())
            self.handed_out = dict(weights)
            return dict(weights)

    def _adopt(self, run: Json) -> None:
        self.run_id = run["runId"]
        self.tasks = list(run["tasks"])
        self.world_size = int(run.get("worldSize", 1))
        self.objective = run.get("objective", "linear")
        self.last_weights = _floats(run["weights"])
        self.last_step = run.get("step")
        self._run_body = {k: run[k] for k in ("runId", "tasks", "method", "params", "worldSize",
                                              "initialLosses") if run.get(k) is not None}
        if self.handed_out is None:
            self.handed_out = dict(self.last_weights)
        if self.last_step is None and not self._pending:
            self._known_state, self._since = self._fresh_state(), []

    def _fresh_state(self) -> Json:
        return {"version": STATE_VERSION, "run": copy.deepcopy(self._run_body), "base": None,
                "reports": []}

    # ------------------------------------------------------------------------ steps
    def report(self, step: int, val_losses: Mapping[str, float], rank: int = 0,
               train_losses: Optional[Mapping[str, float]] = None,
               grad_norms: Optional[Mapping[str, float]] = None,
               counts: Optional[Mapping[str, float]] = None,
               weights_used: Optional[Mapping[str, float]] = None) -> Weights:
        """Reports this rank's losses after ``step``; returns the weights for the next steps.

        Never raises for a sidecar out of reach: it then returns the weights the caller had
        and queues the report. Raises :class:`CobaError` for a refused report (4xx).
        ``weights_used`` defaults to the weights this client last returned."""
        body = self._body(step, rank, val_losses, train_losses, grad_norms, counts, weights_used)
        with self._lock:
            self._warn_if_ranks_unshared()
            answer = self.submit([body])
            return self._hand_out(answer)

    def submit(self, bodies: Sequence[Json], wait: bool = True) -> Optional[Json]:
        """Posts one step's reports (``StepReport`` bodies, one per rank, in rank order);
        returns the sidecar's ``StepWeights`` answer, or None when it could not be had within
        ``time_limit`` (what was not delivered is queued). The building block of
        :class:`coba.torch.Balancing`."""
        with self._lock:
            self._require_run()
            deadline = time.monotonic() + self.time_limit
            for body in bodies:
                self._note_locally(_Op("report", body))
            try:
                self._flush(deadline)
            except CobaUnavailableError as e:
                self._queue(_Op("report", b) for b in bodies)
                return self._fell_back(e)
            answer = None
            for i, body in enumerate(bodies):
                try:
                    status, answer = self._call("POST", self._path("/steps"), body, deadline=deadline)
                except CobaUnavailableError as e:
                    self._queue(_Op("report", b) for b in bodies[i:])
                    return self._fell_back(e)
                except CobaError as e:
                    self._forget_locally(bodies[i:])
                    if e.status == 409 and e.field == "step":
                        e.args = (str(e) + ". Steps must increase over the whole run (report the global "
                                  "step, not one that restarts each epoch); a rerun or a resume calls "
                                  "start(step) first",)
                    raise
                if status == 200:
                    self._accept(answer)
            if answer is not None and not answer.get("complete", True):
                if not wait:
                    return None
                answer = self._await(int(bodies[-1]["step"]), deadline)
                if answer is None:
                    return self._fell_back(f"step {bodies[-1]['step']} still waits for other ranks")
            return answer

    def weights(self, step: Optional[int] = None, wait_ms: int = 0) -> Weights:
        """The weights after ``step`` (default: the last completed step); the caller's current
        weights if the sidecar is away or the step still waits for ranks."""
        query: Dict[str, Any] = {} if step is None else {"step": int(step)}
        if wait_ms:
            query["waitMs"] = int(wait_ms)
        with self._lock:
            deadline = time.monotonic() + self.time_limit
            try:
                self._flush(deadline)
                status, answer = self._call("GET", self._path("/weights", query), deadline=deadline)
            except CobaUnavailableError as e:
                return self._hand_out(self._fell_back(e))
            if status == 202:
                return self._hand_out(self._fell_back(f"step {step} still waits for other ranks"))
            self._accept(answer)
            return self._hand_out(answer)

    def history(self, from_step: Optional[int] = None, to_step: Optional[int] = None) -> List[Json]:
        query = {k: v for k, v in (("from", from_step), ("to", to_step)) if v is not None}
        return self._run_call("GET", self._path("/history", query))["steps"]

    # ------------------------------------------------------------------ checkpoints
    def state(self, allow_local: bool = True) -> Json:
        """The run state, to save next to a model checkpoint. When the sidecar is out of reach
        and ``allow_local``, the state this client can build from what it sent (see
        :meth:`local_state`), with a warning; raises :class:`CobaUnavailableError` only when
        it has none."""
        with self._lock:
            try:
                state = self._run_call("GET", self._path("/state"))
            except CobaUnavailableError as e:
                local = self.local_state() if allow_local else None
                if local is None:
                    raise
                log.warning("CoBa sidecar: %s; saving the state built from this client's %d "
                            "report(s) since the last state it saw", e, len(self._since))
                return local
            self._known_state, self._since = copy.deepcopy(state), []
            return state

    def local_state(self) -> Optional[Json]:
        """The run state rebuilt from the last state document this client saw (from the
        sidecar, a restore, or the creation of a new run) and every report it sent or queued
        since; None when it saw none, or when other processes report ranks of this run."""
        with self._lock:
            if self._known_state is None or self._direct_ranks:
                return None
            state = copy.deepcopy(self._known_state)
            state["reports"] = list(state.get("reports") or []) + copy.deepcopy(self._since)
            return state

    def restore_state(self, state: Json) -> Json:
        """Restores a saved state (creates the run if needed); queued work is dropped first,
        since the checkpoint is the truth now."""
        with self._lock:
            self._pending.clear()
            self.run_id = state["run"].get("runId", self.run_id)
            _, run = self._call("PUT", self._path("/state"), state)
            self._known_state, self._since = copy.deepcopy(state), []
            self._adopt(run)
            return run

    def rewind(self, step: int) -> Json:
        """Drops every step after ``step`` (resume from a model checkpoint of that step)."""
        with self._lock:
            run = self._run_call("POST", self._path("/rewind"), {"step": int(step)})
            self._note_locally(_Op("rewind", int(step)))
            self._adopt(run)
            return run

    # -------------------------------------------------------------------- internals
    def _body(self, step: int, rank: int, val_losses: Mapping[str, float],
              train_losses: Optional[Mapping[str, float]], grad_norms: Optional[Mapping[str, float]],
              counts: Optional[Mapping[str, float]], weights_used: Optional[Mapping[str, float]]) -> Json:
        body: Json = {"step": int(step), "rank": int(rank)}
        used = weights_used
        if used is None:
            # the weights last handed out; for a report made again, those of its first time
            key = (int(step), int(rank))
            used = self._used_by_report.setdefault(key, dict(self.handed_out) if self.handed_out else None)
            while len(self._used_by_report) > 64:
                self._used_by_report.popitem(last=False)
        for key, values in (("valLosses", val_losses), ("trainLosses", train_losses),
                            ("gradNorms", grad_norms), ("counts", counts), ("weightsUsed", used)):
            if values is not None:
                body[key] = _floats(values)
        return body

    def _warn_if_ranks_unshared(self) -> None:
        if self.world_size > 1 and not self._direct_ranks:
            self._direct_ranks = True   # other processes report too: no complete local state
            log.warning("CoBa: run %s has %d ranks and each reports through its own client; on an "
                        "outage or a slow rank they may train with different weights. "
                        "coba.torch.Balancing makes them agree.", self.run_id, self.world_size)

    def _hand_out(self, answer: Optional[Json]) -> Weights:
        weights = _floats(answer["weights"]) if answer else dict(self.handed_out or self._uniform())
        self.handed_out = dict(weights)
        return weights

    def _uniform(self) -> Weights:
        return {t: 1.0 / len(self.tasks) for t in self.tasks} if self.tasks else {}

    def _fell_back(self, why: Any) -> None:
        self.fallbacks += 1
        log.warning("CoBa sidecar: %s; training on with the weights in use (%d operation(s) queued)",
                    why, len(self._pending))
        return None

    def _accept(self, answer: Json) -> None:
        if answer and answer.get("weights") is not None:
            self.last_weights = _floats(answer["weights"])
            self.last_step = answer.get("step")
            self.objective = answer.get("objective", self.objective)

    def _require_run(self) -> None:
        if not self.run_id or self._run_body is None:
            raise ValueError("no run: call create_run() or attach() first")

    def _path(self, suffix: str, query: Optional[Mapping[str, Any]] = None) -> str:
        if not self.run_id:
            raise ValueError("no run: call create_run() or attach() first")
        path = "/v1/runs/" + urllib.parse.quote(self.run_id, safe="") + suffix
        return path + ("?" + urllib.parse.urlencode(query) if query else "")

    def _run_call(self, method: str, path: str, body: Any = None) -> Json:
        deadline = time.monotonic() + self.time_limit
        self._flush(deadline)
        return self._call(method, path, body, deadline=deadline)[1]

    # queued work and the local state ----------------------------------------------
    def _queue(self, ops: Any) -> None:
        for op in ops:
            if len(self._pending) >= self.max_buffer:
                lost = self._pending.popleft()
                log.error("CoBa: queue full (%d); dropped the oldest queued %s", self.max_buffer, lost.kind)
            self._pending.append(op)

    def _note_locally(self, op: _Op) -> None:
        """Keeps the local state in step with work sent or queued."""
        if op.kind == "report":
            if self._known_state is not None:
                self._since.append(copy.deepcopy(op.body))
                if len(self._since) > self.max_buffer:
                    self._known_state, self._since = None, []
        elif op.kind == "restore":
            self._pending.clear()   # the checkpoint is the truth now
            self._known_state, self._since = copy.deepcopy(op.body), []
        elif op.kind == "reset":
            self._pending.clear()
            self._known_state, self._since = self._fresh_state(), []
        elif op.kind == "rewind" and self._known_state is not None:
            keep = [r for r in self._known_state.get("reports") or [] if r["step"] <= op.body]
            self._known_state["reports"] = keep
            self._since = [r for r in self._since if r["step"] <= op.body]

    def _forget_locally(self, bodies: Sequence[Json]) -> None:
        for body in bodies:
            for i in range(len(self._since) - 1, -1, -1):
                if self._since[i] == body:
                    del self._since[i]
                    break

    def _flush(self, deadline: float) -> None:
        """Delivers the queued work in order; raises CobaUnavailableError while the sidecar is
        still away (the rest stays queued)."""
        while self._pending:
            op = self._pending[0]
            try:
                self._deliver(op, deadline)
            except CobaError as e:   # refused: keep going, but keep a trace
                log.error("CoBa sidecar refused queued %s: %s", op.kind, e)
                self.dropped.append((op.body, e))
                if op.kind == "report":
                    self._forget_locally([op.body])
            self._pending.popleft()

    def _deliver(self, op: _Op, deadline: float) -> None:
        if op.kind == "report":
            status, answer = self._call("POST", self._path("/steps"), op.body, deadline=deadline)
            if status == 200:
                self._accept(answer)
        elif op.kind == "rewind":
            self._adopt(self._call("POST", self._path("/rewind"), {"step": op.body}, deadline=deadline)[1])
        elif op.kind == "restore":
            self._adopt(self._call("PUT", self._path("/state"), op.body, deadline=deadline)[1])
        elif op.kind == "reset":
            try:
                self._call("DELETE", self._path(""), deadline=deadline)
            except CobaError as e:
                if e.status != 404:
                    raise
            self._adopt(self._call("POST", "/v1/runs", op.body, deadline=deadline)[1])

    def _spill(self) -> None:
        """Writes undelivered work to a file so that it is not lost with the process."""
        name = f"coba-unsent-{self.run_id}-{os.getpid()}.jsonl".replace("/", "_")
        path = os.path.join(tempfile.gettempdir(), name)
        try:
            with open(path, "w", encoding="utf-8") as f:
                for op in self._pending:
                    f.write(json.dumps({"kind": op.kind, "body": op.body}) + "\n")
            log.error("CoBa sidecar %s out of reach: %d operation(s) for run %s not delivered, "
                      "written to %s (post them again with coba.replay_unsent)",
                      self.url, len(self._pending), self.run_id, path)
        except OSError as e:
            log.error("CoBa: %d operation(s) for run %s not delivered and not written (%s)",
                      len(self._pending), self.run_id, e)

    def replay_unsent(self, path: str) -> bool:
        """Queues and delivers the operations of a file written at exit; True when all went."""
        with open(path, encoding="utf-8") as f, self._lock:
            for line in f:
                if line.strip():
                    item = json.loads(line)
                    self._queue([_Op(item["kind"], item["body"])])
            return self.flush()

    # HTTP ----------------------------------------------------------------------------
    def _await(self, step: int, deadline: float) -> Optional[Json]:
        """Long-polls a step that waits for other ranks; None if the deadline passes first."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0.05:
                return None
            wait_ms = int(max(0.0, min(left - 0.05, self.timeout - 1.0, 60.0)) * 1000)
            try:
                status, answer = self._call(
                    "GET", self._path("/weights", {"step": step, "waitMs": wait_ms}), deadline=deadline)
            except CobaUnavailableError:
                return None
            if status == 200:
                self._accept(answer)
                return answer

    def _call(self, method: str, path: str, body: Any = None,
              deadline: Optional[float] = None) -> Tuple[int, Any]:
        """One request, retried on transient failures until the deadline; (status, json)."""
        started = time.monotonic()
        if deadline is None:
            deadline = started + self.time_limit
        attempt = 0
        while True:
            try:
                return self._once(method, path, body, deadline)
            except _Transient as e:
                attempt += 1
                pause = min(self.max_backoff, self.backoff * (2 ** (attempt - 1))) * (0.5 + random.random())
                pause = min(pause, max(0.0, deadline - time.monotonic()))
                if (self.retries is not None and attempt > self.retries) or pause <= 0.001:
                    raise CobaUnavailableError(
                        f"{method} {self.url}{path}: {e} ({attempt} attempt(s) in "
                        f"{time.monotonic() - started:.1f} s)") from None
                time.sleep(pause)

    def _once(self, method: str, path: str, body: Any, deadline: float) -> Tuple[int, Any]:
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
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
            if not isinstance(error, dict):
                error = {"error": str(error)}
            if e.code == 429 or e.code >= 500:
                raise _Transient(f"HTTP {e.code}: {error.get('error', '')}") from None
            raise CobaError(e.code, error.get("error", e.reason), error.get("field"), error,
                            url=f"{method} {self.url}{path}") from None
        except (urllib.error.URLError, OSError, TimeoutError, ValueError) as e:
            # refused, reset, timed out, or a body cut short
            raise _Transient(str(getattr(e, "reason", e))) from None


def _flush_at_exit(ref: "weakref.ReferenceType[CobaClient]") -> None:
    client = ref()
    if client is not None and not client._closed and client._pending:
        log.warning("CoBa: delivering %d queued operation(s) for run %s before exit (up to %.0f s)",
                    len(client._pending), client.run_id, client.exit_flush)
        client.close(client.exit_flush)
