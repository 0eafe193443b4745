"""The tests' harness: a real sidecar process (the jar the Maven reactor builds), a test case
that owns one, a TCP proxy in front of it that can lose answers, and the command line of
`python3 -m torch.distributed.run`."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from typing import Dict, List, Optional

import coba
import contract

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
JAR = os.environ.get("COBA_SIDECAR_JAR") or os.path.join(ROOT, "sidecar", "target", "coba-sidecar.jar")
_LISTENING = re.compile(r"listening on (http://[^\s]+?:(\d+))")


PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(coba.__file__)))

# Every request the package sends and every answer it reads, in this process and in the ranks it
# starts (they get COBA_CONTRACT_LOG through child_env), is checked against openapi.yaml; a test
# that produced a problem fails (SidecarTestCase).
contract.install()
if not os.environ.get(contract.LOG_ENV):
    _log_fd, _log = tempfile.mkstemp(prefix="coba-contract-", suffix=".jsonl")
    os.close(_log_fd)
    os.environ[contract.LOG_ENV] = _log
    atexit.register(lambda: os.path.exists(_log) and os.remove(_log))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sidecar:
    """``java -jar coba-sidecar.jar serve`` on 127.0.0.1, a data directory of the test's."""

    def __init__(self, data_dir: str, port: int = 0, token: Optional[str] = None,
                 start_timeout: float = 60.0):
        self.data_dir = data_dir
        self.port = port or free_port()   # fixed, so that a restart keeps the URL
        self.token = token
        self.start_timeout = start_timeout
        self.process: Optional[subprocess.Popen] = None
        self.url = f"http://127.0.0.1:{self.port}"
        self.output: List[str] = []

    def start(self) -> "Sidecar":
        if not os.path.isfile(JAR):
            raise RuntimeError(f"{JAR} is missing: build it with "
                               "`mvn -B -q -ntp -pl core,sidecar -am -DskipTests package`")
        env = {k: v for k, v in os.environ.items() if k not in ("COBA_TOKEN", "COBA_BIND")}
        if self.token:
            env["COBA_TOKEN"] = self.token
        deadline = time.monotonic() + self.start_timeout
        while True:   # a port just freed by a killed sidecar may take a moment
            self.process = subprocess.Popen(
                ["java", "-jar", JAR, "serve", "--port", str(self.port), "--data-dir", self.data_dir],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
            ready = threading.Event()

            def read(process=self.process):
                try:
                    for line in process.stdout:
                        self.output.append(line)
                        if _LISTENING.search(line):
                            ready.set()
                except (OSError, ValueError):   # closed by stop() or kill()
                    pass
                ready.set()

            threading.Thread(target=read, daemon=True).start()
            if ready.wait(max(1.0, deadline - time.monotonic())) and self.process.poll() is None:
                return self
            self.process.wait()
            self.process.stdout.close()
            if time.monotonic() >= deadline:
                raise RuntimeError("the sidecar did not start: " + "".join(self.output[-20:]))
            time.sleep(0.5)

    def kill(self) -> None:
        """SIGKILL: no shutdown hook, no flush."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self._close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close()

    def _close(self) -> None:
        if self.process and self.process.stdout and not self.process.stdout.closed:
            try:
                self.process.stdout.close()
            except (OSError, ValueError):
                pass


class Proxy:
    """Forwards 127.0.0.1:<port> to a target; with ``lose_answers`` set it forwards each
    request but closes the connection instead of passing the answer back (the sidecar did the
    work, the client never hears of it)."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.lose_answers = False
        self.forwarded = 0
        self.lost = 0
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            request = _read_http(client)
            if request is None:
                return
            with socket.create_connection(("127.0.0.1", self.target_port), timeout=30) as up:
                up.sendall(request)
                answer = _read_http(up)
            self.forwarded += 1
            if self.lose_answers or answer is None:
                self.lost += 1
                return
            client.sendall(answer)
        except OSError:
            pass
        finally:
            client.close()


def _read_http(sock: socket.socket) -> Optional[bytes]:
    """One HTTP/1.1 message with a Content-Length body (what urllib and Jetty send)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        if name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while not body.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head + b"\r\n\r\n" + body


class SidecarTestCase(unittest.TestCase):
    """One sidecar for the test class (a temporary data directory), stopped after it. A test
    fails when a request or an answer of the package broke openapi.yaml (tests/contract.py)."""

    token: Optional[str] = None

    def run(self, result=None):
        self._contract_mark = (len(contract.PROBLEMS), len(contract.child_problems()))
        self.addCleanup(self._check_contract)
        return super().run(result)

    def _check_contract(self) -> None:
        ours, children = self._contract_mark
        problems = contract.PROBLEMS[ours:] + contract.child_problems()[children:]
        self.assertEqual(problems, [], "requests or answers that break openapi.yaml")

    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix="coba-test-")
        cls.sidecar = Sidecar(cls.data_dir, token=cls.token).start()

    @classmethod
    def tearDownClass(cls):
        cls.sidecar.stop()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    def scratch(self) -> str:
        """A temporary folder removed after the test."""
        folder = tempfile.mkdtemp(prefix="coba-test-out-")
        self.addCleanup(shutil.rmtree, folder, True)
        return folder


def child_env(*paths: str, **extra: str) -> Dict[str, str]:
    """The environment of a child Python: the package under test (and ``paths``) importable."""
    path = os.pathsep.join([PACKAGE_ROOT, *paths, os.environ.get("PYTHONPATH", "")])
    return dict(os.environ, PYTHONPATH=path, OMP_NUM_THREADS="1", **extra)


def torchrun(script: str, *args: object, ranks: int = 2, log_dir: str) -> List[str]:
    """`python3 -m torch.distributed.run` starting ``ranks`` local processes of ``script``."""
    return [sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--nproc_per_node", str(ranks),
            "--master_addr", "127.0.0.1", "--master_port", str(free_port()),
            # torch 1.13's launcher on Python 3.11 needs these three to start at all
            "--redirects", "1", "--tee", "1", "--log_dir", log_dir,
            script, *map(str, args)]
