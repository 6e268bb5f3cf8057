// Uses the client openapi-generator's typescript-axios makes (copied beside it as use.ts):
// lists, pages with the cursor, filters by several kinds, reads one, and gets a typed 404.
import { isAxiosError } from "axios";
import { CommitmentsApi, Configuration, CommitmentKind, NotFoundProblem } from "./index";

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

async function main(base: string): Promise<void> {
  const api = new CommitmentsApi(new Configuration({ basePath: base }));
  const page = (cursor?: string, kinds?: CommitmentKind[], limit = 500) =>
    api
      .listCommitments(undefined, undefined, undefined, undefined, kinds, undefined, undefined, undefined, undefined, undefined, undefined, undefined, cursor, limit)
      .then((r) => r.data);
  const all = await page();
  check(all.items.length > 3, "the seed's commitments");
  const paged: number[] = [];
  let cursor: string | undefined = undefined;
  for (;;) {
    const p = await page(cursor, undefined, 2);
    paged.push(...p.items.map((c) => c.id));
    if (p.next_cursor === null || p.next_cursor === undefined) break;
    cursor = p.next_cursor;
  }
  check(JSON.stringify(paged) === JSON.stringify(all.items.map((c) => c.id)), "paging reaches every commitment once");
  const kinds: CommitmentKind[] = [CommitmentKind.Troops, CommitmentKind.NavalSupport];
  const filtered = await page(undefined, kinds);
  check(filtered.items.length > 0 && filtered.items.every((c) => kinds.includes(c.kind)), "several kinds filter");
  const one = (await api.getCommitment(all.items[0].id)).data;
  check(one.id === all.items[0].id && one.nation === all.items[0].nation, "one commitment");
  try {
    await api.getCommitment(999999999);
    throw new Error("an unknown id is an error");
  } catch (e) {
    check(isAxiosError(e), `an AxiosError, not ${e}`);
    if (!isAxiosError(e)) return;
    check(e.response?.status === 404, `status 404, not ${e.response?.status}`);
    const problem = e.response?.data as NotFoundProblem;
    check(problem.status === 404 && problem.detail.includes("999999999"), JSON.stringify(problem));
  }
  console.log(`typescript-axios client: ${all.items.length} listed, ${paged.length} paged, ${filtered.items.length} of two kinds, one read, a typed 404`);
}

main(process.argv[2]).catch((e) => {
  console.error(e);
  process.exit(1);
});
