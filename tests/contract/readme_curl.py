"""Runs every curl example of the README with real curl against a live server and checks that the
answer contains every field the README shows after it."""

import json
import re
import subprocess
import sys

readme_path, base_url = sys.argv[1], sys.argv[2]
text = open(readme_path, encoding="utf-8").read()
blocks = re.findall(r"```(sh|json)\n(.*?)```", text, re.S)


def contains(actual, shown):
    if isinstance(shown, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in shown.items())
    if isinstance(shown, list):
        return isinstance(actual, list) and len(shown) <= len(actual) and all(contains(a, s) for s, a in zip(shown, actual))
    return actual == shown


checked = failed = 0
pending = None
for kind, body in blocks:
    if kind == "sh":
        commands = [line for line in body.splitlines() if line.strip().startswith("curl ")]
        pending = commands[0] if commands else None
        continue
    if pending is None:
        continue
    command = pending.replace("http://127.0.0.1:8080", base_url)
    pending = None
    shown = json.loads(body)
    answer = subprocess.run(command, shell=True, capture_output=True, text=True, check=False).stdout
    try:
        ok = contains(json.loads(answer), shown)
    except json.JSONDecodeError:
        ok = False
    checked += 1
    if ok:
        print(f"readme curl: ok: {command}")
    else:
        failed += 1
        print(f"readme curl: FAILED: {command}\n  shows: {json.dumps(shown)}\n  answer: {answer[:2000]}")
if checked < 8:
    print(f"readme curl: FAILED: only {checked} examples found")
    failed += 1
sys.exit(1 if failed else 0)
