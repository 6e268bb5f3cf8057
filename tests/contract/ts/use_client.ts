// Uses the TypeScript client generated from openapi/openapi.json against a live server.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

import { client } from './client/client.gen';
import { getCommitment, getSource, listNationCommitments, listSources, listStatements } from './client/sdk.gen';
import type { CommitmentKind, CommitmentStatus, NotFoundProblem } from './client/types.gen';

function check(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new Error(`check failed: ${message}`);
  }
}

async function main(): Promise<void> {
  const [baseUrl, articlePath] = process.argv.slice(2);
  client.setConfig({ baseUrl });
  const checked: string[] = [];

  const cz = await listNationCommitments({ path: { code: 'CZ' } });
  check(cz.data !== undefined, `list_nation_commitments answered ${cz.response.status}`);
  const found: Array<[CommitmentKind, CommitmentStatus]> = cz.data.items.map((c) => [c.kind, c.status]);
  found.sort();
  check(JSON.stringify(found) === JSON.stringify([['ammunition', 'withdrawn'], ['troops', 'refused']]), JSON.stringify(found));
  checked.push('listNationCommitments(CZ): ammunition withdrawn, troops refused');

  const ids: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await listStatements({ query: { limit: 1, cursor } });
    check(page.data !== undefined, `list_statements answered ${page.response.status}`);
    pages += 1;
    ids.push(...page.data.items.map((s) => s.id));
    cursor = page.data.next_cursor ?? undefined;
  } while (cursor !== undefined);
  check(pages === 3 && new Set(ids).size === 3, `${pages} pages, ${ids}`);
  checked.push(`listStatements paged with the cursor: ${pages} pages, statements ${ids.join(', ')}`);

  const sources = await listSources();
  check(sources.data !== undefined && sources.data.items.length > 0, 'list_sources');
  const id = sources.data.items[0].id;
  const source = await getSource({ path: { id } });
  check(source.data !== undefined, 'get_source');
  const article = readFileSync(articlePath, 'utf8');
  check(source.data.text === article, 'the text is the article, byte for byte');
  check(source.data.sha256 === createHash('sha256').update(article, 'utf8').digest('hex'), 'sha256');
  check(source.data.reliability === 'ai_generated', 'reliability');
  checked.push(`getSource(${id}): the whole text and its SHA-256`);

  const missing = await getCommitment({ path: { id: 999999 } });
  check(missing.response.status === 404, `status ${missing.response.status}`);
  const problem = missing.error;
  if (problem === undefined || problem.status !== 404) throw new Error(`a 404 problem, not ${JSON.stringify(problem)}`);
  const notFound: NotFoundProblem = problem;
  check(notFound.type === 'urn:alliance-kb:problem:not-found' && notFound.detail.includes('999999'), JSON.stringify(problem));
  checked.push('getCommitment(999999): a typed NotFoundProblem with status 404');

  for (const line of checked) {
    console.log(`typescript client: ok: ${line}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
