// Uses openapi-fetch with the types openapi-typescript makes (schema.d.ts, beside it as use.ts):
// lists, pages with the cursor, filters by several kinds, reads one, and gets a typed 404. The
// client is told the media types it reads (JSON: answers and problems), so that `data` is typed
// as the JSON answer and `error` as the problem.
import createClient from "openapi-fetch";
import type { paths, components } from "./schema";

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

type Kind = components["schemas"]["CommitmentKind"];

async function main(base: string): Promise<void> {
  const client = createClient<paths, "application/json" | "application/problem+json">({
    baseUrl: base,
    // Several values of a filter go comma-separated, as the document says (style form, not exploded).
    querySerializer: { array: { style: "form", explode: false } },
  });
  const page = async (cursor?: string, kind?: Kind[], limit = 500) => {
    const { data, error } = await client.GET("/v1/commitments", { params: { query: { cursor, kind, limit } } });
    if (error !== undefined || data === undefined) throw new Error(`a page: ${JSON.stringify(error)}`);
    return data;
  };
  const all = await page();
  check(all.items.length > 3, "the seed's commitments");
  const paged: number[] = [];
  let cursor: string | undefined = undefined;
  for (;;) {
    const p = await page(cursor, undefined, 2);
    paged.push(...p.items.map((c) => c.id));
    if (p.next_cursor === null) break;
    cursor = p.next_cursor;
  }
  check(JSON.stringify(paged) === JSON.stringify(all.items.map((c) => c.id)), "paging reaches every commitment once");
  const kinds: Kind[] = ["troops", "naval_support"];
  const filtered = await page(undefined, kinds);
  check(filtered.items.length > 0 && filtered.items.every((c) => kinds.includes(c.kind)), "several kinds filter");
  const one = await client.GET("/v1/commitments/{id}", { params: { path: { id: all.items[0].id } } });
  check(one.data?.id === all.items[0].id, "one commitment");
  const missing = await client.GET("/v1/commitments/{id}", { params: { path: { id: 999999999 } } });
  check(missing.response.status === 404, `status 404, not ${missing.response.status}`);
  check(missing.data === undefined && missing.error !== undefined, "an error, not data");
  const problem = missing.error;
  if (problem === undefined || problem.status !== 404) throw new Error(`a 404 problem, not ${JSON.stringify(problem)}`);
  const notFound: components["schemas"]["NotFoundProblem"] = problem;
  check(notFound.type === "urn:alliance-kb:problem:not-found" && notFound.detail.includes("999999999"), JSON.stringify(problem));
  console.log(`openapi-fetch client: ${all.items.length} listed, ${paged.length} paged, ${filtered.items.length} of two kinds, one read, a typed 404`);
}

main(process.argv[2]).catch((e) => {
  console.error(e);
  process.exit(1);
});
