"""openapi.yaml (the repository root) as a checker of what the package sends and reads.

``install()`` wraps ``coba.client.CobaClient._once``, the one place the package talks HTTP: every
request body the sidecar accepted is checked against the schema its operation takes (a request
that breaks the schema must be refused with a 4xx: a test may send one on purpose, through the
package, to see it refused), and every answer against the schema documented for its status, with a small validator for the part of JSON Schema that
openapi.yaml uses (type, nullable, enum, required, properties, additionalProperties, items,
pattern, lengths, bounds, uniqueItems, $ref). What is wrong is collected in ``PROBLEMS``; the
sidecar test case (tests/sidecar.py) fails a test that added any. A child process (a DDP rank)
installs it from its environment (``COBA_CONTRACT_LOG``) and appends its problems to that file.

The yaml is read with PyYAML: Debian's python3-yaml, which python3-torch depends on.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import threading
from typing import Any, Dict, List, Optional, Set, Tuple

try:
    import yaml
except ImportError as missing:   # python3-torch brings python3-yaml; COBA_PYTHON may not have it
    raise ImportError("the contract checks read openapi.yaml with PyYAML (Debian: apt-get install "
                      "python3-yaml; python3-torch depends on it)") from missing

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
YAML = os.path.join(ROOT, "openapi.yaml")
LOG_ENV = "COBA_CONTRACT_LOG"

PROBLEMS: List[str] = []
SEEN: Set[Tuple[str, str, int]] = set()   # (method, path template, status) of every answer checked
_lock = threading.Lock()


@functools.lru_cache(maxsize=None)
def spec() -> Dict[str, Any]:
    with open(YAML, encoding="utf-8") as f:
        return yaml.safe_load(f)


def schemas() -> Dict[str, Any]:
    return spec()["components"]["schemas"]


def _resolve(node: Dict[str, Any]) -> Dict[str, Any]:
    while "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError("only local $refs: " + ref)
        target: Any = spec()
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


# --------------------------------------------------------------------------- the validator

def validate(schema: Dict[str, Any], value: Any, at: str = "$") -> List[str]:
    """What is wrong with ``value`` against ``schema``, each with its JSON path."""
    problems: List[str] = []
    _check(schema, value, at, problems)
    return problems


def _check(schema: Dict[str, Any], value: Any, at: str, problems: List[str]) -> None:
    schema = _resolve(schema)
    if value is None:
        if not schema.get("nullable", False) and schema:
            problems.append(f"{at}: null, but the schema is not nullable")
        return
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{at}: {value!r} is not one of {schema['enum']}")
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind == "object":
        _object(schema, value, at, problems)
    elif kind == "array":
        if not isinstance(value, list):
            problems.append(f"{at}: expected an array, got {type(value).__name__}")
            return
        if len(value) < schema.get("minItems", 0):
            problems.append(f"{at}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(f"{at}: more than {schema['maxItems']} items")
        if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
            problems.append(f"{at}: items are not unique")
        for i, item in enumerate(value):
            _check(schema.get("items", {}), item, f"{at}[{i}]", problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{at}: expected a string, got {value!r}")
            return
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", math.inf):
            problems.append(f"{at}: length {len(value)} outside [{schema.get('minLength', 0)}, "
                            f"{schema.get('maxLength', 'any')}]")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{at}: {value!r} does not match {schema['pattern']}")
    elif kind in ("integer", "number"):
        numeric = isinstance(value, int) if kind == "integer" else isinstance(value, (int, float))
        if isinstance(value, bool) or not numeric:
            problems.append(f"{at}: expected {'an integer' if kind == 'integer' else 'a number'}, got {value!r}")
            return
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{at}: {value!r} is not a JSON number")
            return
        if "minimum" in schema:
            low = schema["minimum"]
            if value < low or (value == low and schema.get("exclusiveMinimum", False)):
                problems.append(f"{at}: {value!r} is below the minimum {low}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{at}: {value!r} is above the maximum {schema['maximum']}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{at}: expected true or false, got {value!r}")
    # no type: any value


def _object(schema: Dict[str, Any], value: Any, at: str, problems: List[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{at}: expected an object, got {type(value).__name__}")
        return
    for name in schema.get("required", []):
        if name not in value:
            problems.append(f"{at}: required property '{name}' is missing")
    properties = schema.get("properties", {})
    additional = schema.get("additionalProperties", True)
    for name, item in value.items():
        where = f"{at}.{name}"
        if not isinstance(name, str):
            problems.append(f"{where}: a key that is not a string")
        elif name in properties:
            _check(properties[name], item, where, problems)
        elif isinstance(additional, dict):
            _check(additional, item, where, problems)
        elif additional is False:
            problems.append(f"{where}: property not declared by the schema")


# --------------------------------------------------------------------------- operations

def _templates() -> List[Tuple[str, "re.Pattern[str]"]]:
    return [(path, re.compile("^" + re.sub(r"\{[^}/]+\}", "[^/]+", path) + "$")) for path in spec()["paths"]]


def operation(method: str, path: str) -> Tuple[Optional[str], Optional[Dict[str, Any]]]:
    """(template, operation) of a concrete path (query ignored); (None, None) for none."""
    bare = path.split("?", 1)[0]
    for template, pattern in _templates():
        if template == bare or pattern.match(bare):
            op = spec()["paths"][template].get(method.lower())
            return template, op
    return None, None


def request_problems(method: str, path: str, body: Any) -> List[str]:
    """A request as the package sends it: an operation of the yaml, the body its schema's."""
    template, op = operation(method, path)
    where = f"{method} {path}"
    if op is None:
        return [f"{where}: no such operation in openapi.yaml"]
    if "requestBody" not in op:
        return [] if body is None else [f"{where}: the operation takes no body, got one"]
    if body is None:
        return [f"{where}: the operation needs a body"] if op["requestBody"].get("required") else []
    # the bytes the package sends, read back: what the sidecar sees (NaN would stay NaN)
    sent = json.loads(json.dumps(body, ensure_ascii=False))
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    return [f"{where} request: {p}" for p in validate(schema, sent)]


def answer_problems(method: str, path: str, status: int, body: Any) -> List[str]:
    """An answer the package read: a status documented for its operation, the body its schema's.
    503 is documented for every operation (the sidecar is starting, openapi.yaml's description)."""
    template, op = operation(method, path)
    where = f"{method} {path} -> {status}"
    if op is None:
        return []   # reported with the request
    response = op.get("responses", {}).get(str(status))
    if response is None:
        if status == 503:
            response = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        else:
            return [f"{where}: status not documented for {method} {template}"]
    with _lock:
        SEEN.add((method, template, status))
    response = _resolve(response)
    content = response.get("content")
    if not content:
        return [] if body is None else [f"{where}: no content documented, got {body!r}"]
    schema = content.get("application/json", {}).get("schema")
    return [] if schema is None else [f"{where} answer: {p}" for p in validate(schema, body)]


# --------------------------------------------------------------------------- the hook

def _record(problems: List[str]) -> None:
    if not problems:
        return
    with _lock:
        PROBLEMS.extend(problems)
    log = os.environ.get(LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as f:
            for p in problems:
                f.write(json.dumps({"pid": os.getpid(), "problem": p}) + "\n")


def install() -> None:
    """Checks every request and answer of ``coba.client.CobaClient`` in this process (once)."""
    from coba import client as module

    original = module.CobaClient._once
    if getattr(original, "contract_checked", False):
        return

    def checked(self, method: str, path: str, body: Any, deadline: float):
        operation_known = operation(method, path)[1] is not None
        if not operation_known:
            _record(request_problems(method, path, body))
        try:
            status, answer = original(self, method, path, body, deadline)
        except module.CobaError as e:   # a 4xx with its Error body: refused, whatever the request was
            _record(answer_problems(method, path, e.status, e.body))
            raise
        if operation_known:   # accepted: it must have been valid
            _record([p + f" (yet the sidecar answered {status})" for p in request_problems(method, path, body)])
        _record(answer_problems(method, path, status, answer))
        return status, answer

    checked.contract_checked = True   # type: ignore[attr-defined]
    module.CobaClient._once = checked


def child_problems() -> List[str]:
    """What child processes appended to ``$COBA_CONTRACT_LOG``."""
    log = os.environ.get(LOG_ENV)
    if not log or not os.path.exists(log):
        return []
    with open(log, encoding="utf-8") as f:
        return [f"pid {item['pid']}: {item['problem']}" for item in map(json.loads, f) if item["pid"] != os.getpid()]


def install_from_env() -> None:
    """In a child process: installs the checks when the tests asked for them."""
    if os.environ.get(LOG_ENV):
        install()
