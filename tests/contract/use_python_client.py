"""Uses the Python client generated from openapi/openapi.json against a live server."""

import hashlib
import sys

client_dir, base_url, article_path = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, client_dir)

from alliance_kb_client import Client  # noqa: E402
from alliance_kb_client.api.commitments import get_commitment  # noqa: E402
from alliance_kb_client.api.nations import list_nation_commitments  # noqa: E402
from alliance_kb_client.api.sources import get_source, list_sources  # noqa: E402
from alliance_kb_client.api.statements import list_statements  # noqa: E402
from alliance_kb_client.models import (  # noqa: E402
    CommitmentKind,
    CommitmentPage,
    CommitmentStatus,
    NotFoundProblem,
    Reliability,
    Source,
)
from alliance_kb_client.types import UNSET  # noqa: E402

client = Client(base_url=base_url, raise_on_unexpected_status=True)
checked = []

page = list_nation_commitments.sync(client=client, code="CZ")
assert isinstance(page, CommitmentPage), page
found = sorted((c.kind, c.status) for c in page.items)
assert found == [
    (CommitmentKind.AMMUNITION, CommitmentStatus.WITHDRAWN),
    (CommitmentKind.TROOPS, CommitmentStatus.REFUSED),
], found
checked.append("list_nation_commitments(CZ) gives typed kinds and statuses: ammunition withdrawn, troops refused")

cursor = UNSET
ids, pages = [], 0
while True:
    statements = list_statements.sync(client=client, limit=1, cursor=cursor)
    pages += 1
    ids.extend(s.id for s in statements.items)
    if not isinstance(statements.next_cursor, str):
        break
    cursor = statements.next_cursor
assert pages == 3 and len(set(ids)) == 3, (pages, ids)
checked.append(f"list_statements paged with the cursor: {pages} pages, statements {ids}")

source_id = list_sources.sync(client=client).items[0].id
source = get_source.sync(client=client, id=source_id)
assert isinstance(source, Source)
article = open(article_path, encoding="utf-8").read()
assert source.text == article, "the text is the article, byte for byte"
assert source.sha256 == hashlib.sha256(article.encode("utf-8")).hexdigest()
assert source.reliability == Reliability.AI_GENERATED
checked.append(f"get_source({source_id}) gives the whole text ({len(source.text)} code points) and its SHA-256")

missing = get_commitment.sync_detailed(client=client, id=999999)
assert missing.status_code == 404, missing.status_code
assert isinstance(missing.parsed, NotFoundProblem), type(missing.parsed)
assert missing.parsed.status == 404 and "999999" in missing.parsed.detail
checked.append("get_commitment(999999) gives a typed NotFoundProblem with status 404")

for line in checked:
    print(f"python client: ok: {line}")
