"""Starts and stops a real sidecar for the tests (the jar built by the Maven reactor)."""

import os
import re
import subprocess
import threading

JAR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "sidecar", "target", "coba-sidecar.jar"))
_LISTENING = re.compile(r"listening on (http://[^\s]+?:(\d+))")


class Sidecar:
    def __init__(self, data_dir, port=0, token=None, start_timeout=60.0):
        self.data_dir = data_dir
        self.port = port
        self.token = token
        self.start_timeout = start_timeout
        self.process = None
        self.url = None

    def start(self):
        if not os.path.isfile(JAR):
            raise RuntimeError(f"{JAR} is missing: build it with "
                               "`mvn -B -q -ntp -pl core,sidecar -am -DskipTests package`")
        env = dict(os.environ)
        for name in ("COBA_TOKEN", "COBA_BIND"):
            env.pop(name, None)
        if self.token:
            env["COBA_TOKEN"] = self.token
        self.process = subprocess.Popen(
            ["java", "-jar", JAR, "serve", "--port", str(self.port), "--data-dir", self.data_dir],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        found = {}
        self.stderr = []

        def read_stdout():
            for line in self.process.stdout:
                match = _LISTENING.search(line)
                if match and "url" not in found:
                    found["url"], found["port"] = match.group(1), int(match.group(2))
                    ready.set()
            ready.set()

        ready = threading.Event()
        self._readers = [threading.Thread(target=read_stdout, daemon=True),
                         threading.Thread(target=lambda: self.stderr.extend(self.process.stderr),
                                          daemon=True)]
        for reader in self._readers:
            reader.start()
        if not ready.wait(self.start_timeout) or "url" not in found:
            self.stop()
            raise RuntimeError(f"the sidecar did not start (exit code {self.process.poll()}): "
                               + "".join(self.stderr[-20:]))
        self.url, self.port = found["url"], found["port"]
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            for reader in self._readers:
                reader.join(5)
            for stream in (self.process.stdout, self.process.stderr):
                try:
                    stream.close()
                except (OSError, ValueError):   # a reader thread may be closing it too
                    pass
        return self.process.returncode if self.process else None
