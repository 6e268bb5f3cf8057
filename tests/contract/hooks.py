"""Schemathesis hooks of the contract checks: how to send an NDJSON body (`POST /v1/import`), for
which schemathesis has no serializer of its own. A generated string is sent as it is (any text
is a candidate file), and any other value as one JSON line."""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, bytes):
        return {"data": value}
    if isinstance(value, str):
        return {"data": value.encode("utf-8", "surrogatepass")}
    return {"data": (json.dumps(value) + "\n").encode("utf-8")}
