"""Renders chat templates with Python's jinja2 configured as transformers' apply_chat_template
configures it (sandboxed, trim_blocks, lstrip_blocks, loopcontrols; tojson without ASCII escaping;
raise_exception and strftime_now as globals), for comparison with @huggingface/jinja.

stdin: a JSON list of {"template": str, "context": {...}}; stdout: a JSON list of rendered strings
(or {"error": message} for a case that raises).
"""

import json
import sys
from datetime import datetime

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return datetime.now().strftime(fmt)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = strftime_now

out = []
for case in json.load(sys.stdin):
    try:
        out.append(env.from_string(case["template"]).render(**case["context"]))
    except Exception as e:  # noqa: BLE001 - reported back to the test, which compares errors too
        out.append({"error": str(e)})
json.dump(out, sys.stdout, ensure_ascii=False)
