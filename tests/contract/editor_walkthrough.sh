#!/usr/bin/env bash
# The editor's walkthrough of the README, with the real command and real curl against a live
# server: a key from the CLI, a source and a commitment citing it, a status change, both versions in
# its revisions, the list as of before the change, a stale If-Match refused, and a retried POST
# that creates nothing twice. Arguments: the server's base URL, then the environment assignments
# that point the binary at the server's database.
set -euo pipefail
base=$1
shift
fail() { echo "editor walkthrough: FAILED: $*"; exit 1; }
ok() { echo "editor walkthrough: ok: $*"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

KEY=$(env "$@" "${ALLIANCE_KB_BIN:-${CARGO_TARGET_DIR:-target}/debug/alliance-kb}" keys create --name "Walkthrough desk" --role editor 2>/dev/null)
[[ $KEY == akb_* ]] || fail "keys create printed no key"
ok "alliance-kb keys create made an editor key"

SOURCE=$(curl -s -X POST "$base/v1/sources" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d '{"kind": "official_statement", "title": "Belgian defence statement", "reliability": "official",
       "text": "Belgium will contribute a minehunter to the Black Sea task group from March."}' | json 'd["id"]')
ok "POST /v1/sources made source $SOURCE"

new_commitment() {
  curl -s -D "$1" -X POST "$base/v1/commitments" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -H 'Idempotency-Key: walkthrough-minehunter' \
    -d "{\"nation\": \"BE\", \"kind\": \"naval_support\", \"status\": \"pledged\", \"announced_on\": \"2026-01-08\",
         \"summary\": \"Belgium pledged a minehunter to the Black Sea task group.\",
         \"citations\": [{\"source_id\": $SOURCE, \"excerpt\": \"Belgium will contribute a minehunter\"}],
         \"basis\": {\"announced_on\": {\"basis\": \"inferred\", \"note\": \"The statement is dated 8 January 2026 and announces the pledge.\"}}}"
}
headers=$(mktemp)
ID=$(new_commitment "$headers" | json 'd["id"]')
grep -qi '^etag: "1"' "$headers" || fail "the new commitment has no ETag \"1\""
ok "POST /v1/commitments made commitment $ID, ETag \"1\""

AGAIN=$(new_commitment "$headers" | json 'd["id"]')
[ "$AGAIN" = "$ID" ] || fail "the retried POST made commitment $AGAIN"
grep -qi '^idempotent-replayed: true' "$headers" || fail "the retry was not a replay"
COUNT=$(curl -s "$base/v1/commitments?nation=BE&kind=naval_support&status=pledged" | json 'len(d["items"])')
[ "$COUNT" = 1 ] || fail "$COUNT pledged Belgian naval commitments after a retried POST"
ok "the POST retried with the same Idempotency-Key answered commitment $ID again and created nothing"

STATUS=$(curl -s -X POST "$base/v1/commitments/$ID/status" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d "{\"status\": \"delivered\", \"changed_on\": \"2026-03-02\",
       \"citations\": [{\"source_id\": $SOURCE, \"excerpt\": \"from March\"}],
       \"basis\": {\"changed_on\": {\"basis\": \"inferred\", \"note\": \"From March: the first working day of March 2026.\"}}}" | json 'd["status"]')
[ "$STATUS" = delivered ] || fail "the status is $STATUS"
ok "POST /v1/commitments/$ID/status: delivered"

REVISIONS=$(curl -s "$base/v1/commitments/$ID/revisions")
[ "$(echo "$REVISIONS" | json '[r["after"]["status"] for r in d["items"]]')" = "['pledged', 'delivered']" ] ||
  fail "revisions: $REVISIONS"
BEFORE=$(echo "$REVISIONS" | json 'd["items"][0]["changed_at"]')
ok "GET /v1/commitments/$ID/revisions shows both versions (pledged, then delivered)"

THEN=$(curl -s -G "$base/v1/commitments" --data-urlencode "as_of=$BEFORE" --data-urlencode nation=BE |
  json "[c['status'] for c in d['items'] if c['id'] == $ID]")
[ "$THEN" = "['pledged']" ] || fail "as_of $BEFORE: $THEN"
ok "GET /v1/commitments?as_of=$BEFORE answers the old state: pledged"

CODE=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH "$base/v1/commitments/$ID" -H "Authorization: Bearer $KEY" \
  -H 'If-Match: "1"' -H 'Content-Type: application/merge-patch+json' -d '{"summary": "A stale edit."}')
[ "$CODE" = 412 ] || fail "a stale If-Match answered $CODE"
ok "PATCH with a stale If-Match (\"1\") answers 412"
rm -f "$headers"
