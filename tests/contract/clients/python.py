"""Uses the Python client openapi-generator makes: lists, pages with the cursor, filters by
several kinds, reads one, and gets a typed 404. Usage: python.py <client folder> <base URL>"""
import sys

sys.path.insert(0, sys.argv[1])

import alliance_kb_client as kb  # noqa: E402
from alliance_kb_client.exceptions import NotFoundException  # noqa: E402

base = sys.argv[2]
with kb.ApiClient(kb.Configuration(host=base)) as client:
    api = kb.CommitmentsApi(client)
    everything = api.list_commitments(limit=500)
    assert len(everything.items) > 3, "the seed's commitments"
    paged, cursor = [], None
    while True:
        page = api.list_commitments(limit=2, cursor=cursor)
        paged += [c.id for c in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert paged == [c.id for c in everything.items], "paging reaches every commitment once"
    kinds = [kb.CommitmentKind.TROOPS, kb.CommitmentKind.NAVAL_SUPPORT]
    filtered = api.list_commitments(kind=kinds, limit=500)
    assert filtered.items and all(c.kind in kinds for c in filtered.items), "several kinds filter"
    first = everything.items[0]
    one = api.get_commitment(first.id)
    assert (one.id, one.nation) == (first.id, first.nation)
    try:
        api.get_commitment(999999999)
        raise AssertionError("an unknown id is an error")
    except NotFoundException as e:
        assert e.status == 404, e.status
        problem = e.data
        assert isinstance(problem, kb.NotFoundProblem), type(problem)
        assert "999999999" in problem.detail, problem.detail
print(
    f"python client (openapi-generator): {len(everything.items)} listed, {len(paged)} paged, "
    f"{len(filtered.items)} of two kinds, one read, a typed 404"
)
