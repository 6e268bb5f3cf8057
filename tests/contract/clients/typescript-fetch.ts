// Uses the client openapi-generator's typescript-fetch makes (copied beside it as use.ts):
// lists, pages with the cursor, filters by several kinds, reads one, and gets a typed 404.
import { CommitmentsApi, Configuration, ResponseError, NotFoundProblemFromJSON, CommitmentKind } from "./index";

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

async function main(base: string): Promise<void> {
  const api = new CommitmentsApi(new Configuration({ basePath: base }));
  const all = await api.listCommitments({ limit: 500 });
  check(all.items.length > 3, "the seed's commitments");
  const paged: number[] = [];
  let cursor: string | undefined = undefined;
  for (;;) {
    const page = await api.listCommitments({ limit: 2, cursor });
    paged.push(...page.items.map((c) => c.id));
    if (page.nextCursor === null || page.nextCursor === undefined) break;
    cursor = page.nextCursor;
  }
  check(JSON.stringify(paged) === JSON.stringify(all.items.map((c) => c.id)), "paging reaches every commitment once");
  const kinds: CommitmentKind[] = [CommitmentKind.Troops, CommitmentKind.NavalSupport];
  const filtered = await api.listCommitments({ kind: kinds, limit: 500 });
  check(filtered.items.length > 0 && filtered.items.every((c) => kinds.includes(c.kind)), "several kinds filter");
  const one = await api.getCommitment({ id: all.items[0].id });
  check(one.id === all.items[0].id && one.nation === all.items[0].nation, "one commitment");
  try {
    await api.getCommitment({ id: 999999999 });
    throw new Error("an unknown id is an error");
  } catch (e) {
    check(e instanceof ResponseError, `a ResponseError, not ${e}`);
    const response = (e as ResponseError).response;
    check(response.status === 404, `status 404, not ${response.status}`);
    const problem = NotFoundProblemFromJSON(await response.json());
    check(problem.status === 404 && problem.detail.includes("999999999"), JSON.stringify(problem));
  }
  console.log(`typescript-fetch client: ${all.items.length} listed, ${paged.length} paged, ${filtered.items.length} of two kinds, one read, a typed 404`);
}

main(process.argv[2]).catch((e) => {
  console.error(e);
  process.exit(1);
});
