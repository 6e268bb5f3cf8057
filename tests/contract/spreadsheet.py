"""Opens the knowledge base's CSV answers as a spreadsheet program would (Python's csv module,
RFC 4180 dialect) from a live server, and checks their columns and a few known rows: the refusals
of troops, the French "several thousand", and the divisions matrix of the Paris meeting."""

import csv
import io
import sys
import urllib.request

base = sys.argv[1]


def sheet(path):
    request = urllib.request.Request(base + path, headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request) as response:
        kind = response.headers["Content-Type"]
        assert kind.startswith("text/csv"), f"{path}: {kind}"
        text = response.read().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    print(f"spreadsheet: {path}: {len(rows)} rows, columns {list(rows[0].keys())[:6]}...")
    return rows


commitments = sheet("/v1/commitments?kind=troops")
refused = sorted(r["nation"] for r in commitments if r["status"] == "refused")
assert refused == ["CZ", "HR"], refused
france = next(r for r in commitments if r["nation"] == "FR")
assert france["quantity.text"] == "several thousand", france
assert "force of reassurance" in france["citations.excerpt"], france["citations.excerpt"]
assert all(r["citations.source_id"] for r in commitments), "every row shows its evidence"

matrix = sheet("/v1/divisions?event=1&kinds=troops,naval_support,air_support,security_guarantee")
row = {r["nation"]: r for r in matrix}
assert row["HR"]["troops"] == "refused" and row["CZ"]["troops"] == "refused"
assert row["BE"]["naval_support"] != "no_record" and row["BE"]["air_support"] != "no_record"
assert row["FR"]["troops"] == "proposed" and row["GB"]["troops"] == "proposed"
assert row["US"]["security_guarantee"] == "mixed", row["US"]  # endorsed and omitted, neither ranked above the other

statements = sheet("/v1/statements")
assert any("security protocols" in (r["quote"] or "") + r["summary"] for r in statements)
print("spreadsheet: the CSV answers open as sheets with named columns")
