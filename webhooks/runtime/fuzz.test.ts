/**
 * Fuzzing admission: generated and mutated AdmissionReviews (random JSON, truncated and
 * field-swapped reviews, wrong types at every level, huge strings, deep nesting within the size
 * limit) against the route functions in-process, and a few thousand over the real HTTPS server.
 * Every one must be answered with a well-formed AdmissionReview carrying the request's uid (when
 * it had a string uid) or with the right HTTP error, and nothing may throw or crash.
 * Reproduce a failure with FUZZ_SEED=<seed> (printed in every failure message).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import { parseKubeYamlDocuments } from '../../core/yaml.js';
import { NO_LOOKUPS, type AdmissionContext } from '../context.js';
import type { WebhookRoute } from '../review-types.js';
import { randomCases, repeatedListCases, reviewResponseProblems, seededRandom, uidOf, wrongTypeCases, type FuzzCase } from './fuzz-reviews.testing.js';
import { WEBHOOK_ROUTES } from '../registry.js';
import { TEST_THROWING_ROUTE } from './routes.testing.js';
import { send, startTestServer, type TestServer } from './server.testing.js';
import { startVirtApiProcess, type VirtApiProcess } from '../../cli/commands/virt-api-process.testing.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20_240_601);
const IN_PROCESS_CASES = 10_000;
const HTTPS_CASES = 3_000;
/** Reviews sent to a real `kvt virt-api` process. */
const PROCESS_CASES = 10_000;
const MAX_BODY = 3 * 1024 * 1024;
/** How long the repeated lists grow: quadratic rules answered 20 MB for 300 entries. */
const REPEATS = 2_000;
/** The largest answer a body may get: the patch of a mutation is linear in the body, a denial is capped. */
const maxAnswer = (body: number): number => 2 * body + 512 * 1024;
/** A hang, not a speed check: linear reviews of these bodies take milliseconds. */
const MAX_REVIEW_MS = 10_000;

/** The routes under fuzz: every KubeVirt webhook `kvt virt-api` serves. */
const ROUTES: readonly WebhookRoute[] = WEBHOOK_ROUTES;

/** The routes of the kind a body's request names (so most reviews get past the envelope), else any. */
function routeFor(body: unknown, i: number): WebhookRoute {
  const kind = (body as { request?: { kind?: { kind?: unknown } } } | null)?.request?.kind?.kind;
  const ofKind = ROUTES.filter((r) => r.kind === kind);
  const from = ofKind.length > 0 ? ofKind : ROUTES;
  return from[i % from.length] as WebhookRoute;
}

type Json = Parameters<typeof randomCases>[0][number];

function seedObjects(): Json[] {
  const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
  const files = [
    ...readdirSync(examples).filter((f) => f.endsWith('.yaml')).sort().map((f) => `${examples}${f}`),
    fileURLToPath(new URL('../../test/golden/launcher/thirteen-disks/vmi.yaml', import.meta.url)),
  ];
  return files.flatMap((f) => parseKubeYamlDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as Json)).filter((o) => o !== null);
}

const ctx = (): AdmissionContext => ({ cfg: DEFAULT_CLUSTER_CONFIG, lookups: NO_LOOKUPS, ids: { uuid: () => '00000000-0000-4000-8000-000000000000' }, now: new Date(0) });

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** A 500 answer: a handler broke on input it should have refused (or taken). */
function internalError(answer: unknown): string[] {
  const status = (answer as { response?: { status?: { code?: number; message?: string } } }).response?.status;
  return status?.code === 500 ? [`answered 500: ${String(status.message).slice(0, 300)}`] : [];
}

/** What is wrong with one route's answer to one case, as a message naming the seed and the case. */
function reviewInProcess(route: WebhookRoute, c: FuzzCase, body: unknown, where: string): string | undefined {
  let answer: unknown;
  try {
    answer = route.review(body, ctx());
    JSON.stringify(answer);
  } catch (e: unknown) {
    return `${where} (${c.label}) ${route.path} threw: ${e instanceof Error ? e.message : String(e)}`;
  }
  const problems = [...reviewResponseProblems(answer, uidOf(body)), ...internalError(answer)];
  return problems.length === 0 ? undefined : `${where} (${c.label}) ${route.path}: ${problems.join('; ')}`;
}

describe(`admission fuzz (FUZZ_SEED=${SEED})`, () => {
  const seeds = seedObjects();

  it('has seeds of every kind the examples hold', () => {
    expect(new Set(seeds.map((s) => (s as { kind?: string }).kind)).size).toBeGreaterThanOrEqual(4);
  });

  it(`answers ≥ ${IN_PROCESS_CASES} generated reviews in-process with well-formed AdmissionReviews`, () => {
    const rnd = seededRandom(SEED);
    const sweep = wrongTypeCases(seeds, rnd);
    const cases = [...sweep, ...randomCases(seeds, IN_PROCESS_CASES + 2_000, rnd)];
    expect(sweep.length).toBeGreaterThan(500);
    const failures: string[] = [];
    let reviewed = 0;
    cases.forEach((c, i) => {
      const parsed = parse(c.text);
      if (!parsed.ok) return;
      const route = routeFor(parsed.value, i);
      reviewed += 1;
      const failure = reviewInProcess(route, c, parsed.value, `FUZZ_SEED=${SEED} case ${i}`);
      if (failure !== undefined && failures.length < 20) failures.push(failure);
    });
    expect(failures).toEqual([]);
    expect(reviewed).toBeGreaterThanOrEqual(IN_PROCESS_CASES);
  });

  it(`answers every review with one list grown to ${REPEATS} entries in bounded size and time`, () => {
    const failures: string[] = [];
    let reviewed = 0;
    let largest = { bytes: 0, label: '' };
    for (const c of repeatedListCases(seeds, REPEATS)) {
      const body = JSON.parse(c.text) as unknown;
      for (const route of ROUTES.filter((r) => r.kind === (body as { request: { kind: { kind: string } } }).request.kind.kind)) {
        const started = performance.now();
        const answer = JSON.stringify(route.review(body, ctx()));
        const ms = performance.now() - started;
        reviewed += 1;
        if (answer.length > largest.bytes) largest = { bytes: answer.length, label: `${c.label} ${route.path}` };
        const problems = [...reviewResponseProblems(JSON.parse(answer), uidOf(body)), ...internalError(JSON.parse(answer))];
        if (problems.length > 0) failures.push(`${c.label} ${route.path}: ${problems.join('; ')}`);
        if (answer.length > maxAnswer(c.text.length)) failures.push(`${c.label} ${route.path}: a ${answer.length}-byte answer to a ${c.text.length}-byte body`);
        if (ms > MAX_REVIEW_MS) failures.push(`${c.label} ${route.path}: ${Math.round(ms)} ms`);
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(reviewed).toBeGreaterThan(100);
    expect(largest.bytes, largest.label).toBeGreaterThan(0);
  });

  describe('over HTTPS', () => {
    let s: TestServer;
    let agent: Agent;
    beforeAll(async () => {
      s = await startTestServer({ routes: [...ROUTES, TEST_THROWING_ROUTE] });
      agent = new Agent({ keepAlive: true, maxSockets: 8 });
    });
    afterAll(async () => {
      agent.destroy();
      await s.stop();
    });

    it(`answers ${HTTPS_CASES} generated bodies with an AdmissionReview or the right HTTP error, and keeps serving`, async () => {
      const rnd = seededRandom(SEED + 1);
      const cases = randomCases(seeds, HTTPS_CASES, rnd);
      const failures: string[] = [];
      const statuses: Record<number, number> = {};
      const one = async (c: FuzzCase, i: number): Promise<void> => {
        const wire = Buffer.from(c.text, 'utf8');
        const parsed = wire.length > MAX_BODY ? undefined : parse(wire.toString('utf8'));
        const route = routeFor(parsed?.ok === true ? parsed.value : undefined, i);
        const res = await send(s, route.path, wire, { agent });
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const expected = parsed === undefined ? 413 : parsed.ok ? 200 : 400;
        const where = `FUZZ_SEED=${SEED + 1} case ${i} (${c.label}) ${route.path}`;
        if (res.status !== expected) return void failures.push(`${where}: HTTP ${res.status}, expected ${expected}`);
        if (expected !== 200) {
          const status = JSON.parse(res.text) as { kind?: string; code?: number };
          if (status.kind !== 'Status' || status.code !== expected) failures.push(`${where}: not a Status ${expected}: ${res.text.slice(0, 200)}`);
          return;
        }
        const problems = [...reviewResponseProblems(JSON.parse(res.text), uidOf((parsed as { value: unknown }).value)), ...internalError(JSON.parse(res.text))];
        if (problems.length > 0) failures.push(`${where}: ${problems.join('; ')}`);
      };
      for (let i = 0; i < cases.length; i += 8) {
        await Promise.all(cases.slice(i, i + 8).map((c, j) => one(c, i + j)));
      }
      expect(failures.slice(0, 20)).toEqual([]);
      expect(statuses[200]).toBeGreaterThan(HTTPS_CASES / 2);
      expect(statuses[400]).toBeGreaterThan(0);
      expect(s.lines.filter((l) => (l['level'] as number) >= 50)).toEqual([]);
      expect((await send(s, '/healthz')).status).toBe(200);
    });

    it('answers a route that throws on fuzzed input with a well-formed denial carrying the uid', async () => {
      const rnd = seededRandom(SEED + 2);
      for (const c of randomCases(seeds, 50, rnd)) {
        const res = await send(s, TEST_THROWING_ROUTE.path, Buffer.from(c.text, 'utf8'), { agent });
        const parsed = parse(c.text);
        if (!parsed.ok || res.status !== 200) continue;
        expect(reviewResponseProblems(JSON.parse(res.text), uidOf(parsed.value)), c.label).toEqual([]);
      }
      expect((await send(s, '/healthz')).status).toBe(200);
    });
  });

  describe('against a real kvt virt-api process', () => {
    let server: VirtApiProcess;
    beforeAll(async () => {
      server = await startVirtApiProcess();
    }, 60_000);
    afterAll(() => server?.dispose());

    it(`answers ${PROCESS_CASES} generated and large-list reviews: no 500, bounded answers, bounded memory`, async () => {
      const rnd = seededRandom(SEED + 3);
      const large = [...repeatedListCases(seeds, REPEATS)];
      const cases = [...large, ...randomCases(seeds, PROCESS_CASES - large.length, rnd)];
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const failures: string[] = [];
      const statuses: Record<number, number> = {};
      let largest = 0;
      const one = async (c: FuzzCase, i: number): Promise<void> => {
        const wire = Buffer.from(c.text, 'utf8');
        const parsed = wire.length > MAX_BODY ? undefined : parse(wire.toString('utf8'));
        const route = routeFor(parsed?.ok === true ? parsed.value : undefined, i);
        const res = await send({ ca: server.ca, port: server.port }, route.path, wire, { agent });
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        largest = Math.max(largest, res.text.length);
        const where = `FUZZ_SEED=${SEED + 3} case ${i} (${c.label}) ${route.path}`;
        if (res.status >= 500) failures.push(`${where}: HTTP ${res.status}`);
        if (res.status === 200) for (const p of internalError(JSON.parse(res.text))) failures.push(`${where}: ${p}`);
        if (res.text.length > maxAnswer(wire.length)) failures.push(`${where}: a ${res.text.length}-byte answer to a ${wire.length}-byte body`);
      };
      try {
        for (let i = 0; i < cases.length; i += 8) await Promise.all(cases.slice(i, i + 8).map((c, j) => one(c, i + j)));
      } finally {
        agent.destroy();
      }
      const peak = server.peakRss();
      console.log(`kvt virt-api: ${cases.length} reviews (${large.length} with a ${REPEATS}-entry list), statuses ${JSON.stringify(statuses)}, largest answer ${largest} B, peak RSS ${Math.round(peak / 2 ** 20)} MiB`);
      expect(failures.slice(0, 20)).toEqual([]);
      expect(cases.length).toBeGreaterThanOrEqual(PROCESS_CASES);
      expect(statuses[200]).toBeGreaterThan(PROCESS_CASES / 2);
      expect(server.child.exitCode).toBeNull();
      // Before answers were bounded, one 2,000-disk review took the process past 2 GB.
      expect(peak).toBeLessThan(1024 * 2 ** 20);
      expect((await send({ ca: server.ca, port: server.port }, '/healthz')).status).toBe(200);
    }, 300_000);
  });
});
