// Many users at once, each: login -> 20 authenticated pages -> logout, for a
// bounded time, against the production build and the embedded IdP, on loopback.
// LOAD_SECONDS (default 10; `npm run test:load` runs 60) and LOAD_USERS (default 200).
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, follow, formOf } from "../support/browserless";
import { startStack, type Stack } from "../support/stack";
import { until } from "../support/until";

const seconds = Number(process.env.LOAD_SECONDS ?? 10);
const userCount = Number(process.env.LOAD_USERS ?? 200);
const PAGES_PER_LOGIN = 20;

const users = Array.from({ length: userCount }, (_, i) => {
  const name = `user${String(i + 1).padStart(3, "0")}`;
  return {
    sub: `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`,
    username: name,
    password: name,
    firstName: "Load",
    lastName: name,
    email: `${name}@example.com`,
    emailVerified: true,
  };
});

const heapFile = join(tmpdir(), `load-heap-${process.pid}.jsonl`);
const heapProbe = fileURLToPath(new URL("../support/heap-after-gc.js", import.meta.url));

let stack: Stack;
beforeAll(async () => {
  rmSync(heapFile, { force: true });
  stack = await startStack({
    users,
    env: { NODE_OPTIONS: `--import=${heapProbe}`, HEAP_AFTER_GC_FILE: heapFile },
  });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(heapFile, { force: true });
});

interface Tally {
  logins: number;
  pages: number;
  logouts: number;
  statuses: Map<number, number>;
  mixups: string[];
  errors: string[];
}

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

/** The app's heap and external memory after a full GC, in MiB (tests/support/heap-after-gc.js). */
async function heldAfterGc(pid: number): Promise<number> {
  const lines = () => (existsSync(heapFile) ? readFileSync(heapFile, "utf8").trim().split("\n").filter(Boolean) : []);
  const before = lines().length;
  process.kill(pid, "SIGUSR2");
  const line = (await until(() => lines()[before], 10_000))!;
  const { heapUsed, external } = JSON.parse(line) as { heapUsed: number; external: number };
  return (heapUsed + external) / 2 ** 20;
}

const newTally = (): Tally => ({ logins: 0, pages: 0, logouts: 0, statuses: new Map(), mixups: [], errors: [] });

/** Logs in, reads its own account page 20 times (checking it is its own), logs out; again until the deadline. */
async function virtualUser(user: (typeof users)[number], deadline: number, tally: Tally, once = false) {
  const app = stack.app.url;
  const count = (response: Response) =>
    tally.statuses.set(response.status, (tally.statuses.get(response.status) ?? 0) + 1);
  for (let round = 0; Date.now() < deadline && !(once && round > 0); round++) {
    try {
      const jar = new CookieJar();
      const start = await browse(jar, `${app}/auth/demo/login`);
      count(start);
      const page = await follow(jar, start, app, stack.idp.url);
      const { action } = formOf(page.html!, page.url);
      const done = await follow(
        jar,
        await browse(jar, action, { form: { username: user.username, password: user.password } }),
        action,
        stack.idp.url,
      );
      const callback = await browse(jar, done.url);
      count(callback);
      if (callback.status !== 302) continue;
      tally.logins++;

      for (let i = 0; i < PAGES_PER_LOGIN && Date.now() < deadline; i++) {
        const account = await browse(jar, `${app}/account`);
        count(account);
        const shown = /data-testid="account-username">([^<]*)</.exec(await account.text())?.[1];
        if (shown !== user.username) tally.mixups.push(`${user.username} saw ${shown ?? `status ${account.status}`}`);
        tally.pages++;
      }

      const logout = await browse(jar, `${app}/logout`, { form: {} });
      count(logout);
      await logout.arrayBuffer();
      // A redirect to the IdP (302), or the form page (200) for a URL too long to redirect.
      if ((logout.status === 302 || logout.status === 200) && jar.names(app).length === 0) tally.logouts++;
    } catch (error) {
      tally.errors.push(String(error));
    }
  }
}

describe(`load: ${userCount} users for ${seconds} s`, () => {
  it(
    "has no 5xx, no session mixed up between users, and stable memory",
    async () => {
      // Warm-up: one full round per user, so caches, pools and the heap have their working size.
      const warmUp = newTally();
      await Promise.all(users.map((user) => virtualUser(user, Date.now() + 120_000, warmUp, true)));
      expect(warmUp.logins).toBe(userCount);
      const afterWarmUp = rssKb(stack.app.pid);
      const heldAfterWarmUp = await heldAfterGc(stack.app.pid);

      const tally = newTally();
      const started = Date.now();
      const deadline = started + seconds * 1000;
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(rssKb(stack.app.pid)), 250);
      try {
        await Promise.all(users.map((user) => virtualUser(user, deadline, tally)));
      } finally {
        clearInterval(sampler);
      }

      const atEnd = rssKb(stack.app.pid);
      const heldAtEnd = await heldAfterGc(stack.app.pid);
      const fivexx = [...tally.statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
      const elapsed = (Date.now() - started) / 1000;
      console.log(
        [
          `| ${userCount} users, ${elapsed.toFixed(1)} s | |`,
          "|---|---|",
          `| logins | ${tally.logins} (${(tally.logins / elapsed).toFixed(1)}/s) |`,
          `| authenticated pages | ${tally.pages} (${(tally.pages / elapsed).toFixed(1)}/s) |`,
          `| logouts | ${tally.logouts} |`,
          `| statuses | ${[...tally.statuses]
            .sort()
            .map(([s, n]) => `${s}: ${n}`)
            .join(", ")} |`,
          `| 5xx | ${fivexx} |`,
          `| sessions mixed up | ${tally.mixups.length} |`,
          `| network errors | ${tally.errors.length} |`,
          `| app RSS after warm-up / end / peak | ${(afterWarmUp / 1024).toFixed(0)} / ${(atEnd / 1024).toFixed(0)} / ${(Math.max(atEnd, ...samples) / 1024).toFixed(0)} MB |`,
          `| app heap + external after a full GC, after warm-up / end | ${heldAfterWarmUp.toFixed(1)} / ${heldAtEnd.toFixed(1)} MiB |`,
        ].join("\n"),
      );

      expect(tally.logins).toBeGreaterThan(0);
      expect(fivexx).toBe(0);
      expect(tally.mixups).toEqual([]);
      expect(tally.errors).toEqual([]);
      expect([...warmUp.mixups, ...warmUp.errors]).toEqual([]);
      // What a leak would grow; one RSS reading also holds garbage not yet collected, so it is only printed.
      expect(heldAtEnd).toBeLessThanOrEqual(heldAfterWarmUp * 1.2);
    },
    (seconds + 240) * 1000,
  );
});
