// createReachabilityCheck against a small HTTP server on loopback that answers as told: what counts as a
// provider that answers, how many discovery requests a burst of checks costs, and which recent answers spare one.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createReachabilityCheck } from "~/auth/providers/reachability.server";
import { until } from "../../support/until";

/** The status the server answers with, or "silent": it holds the request and never answers. */
let answer: number | "silent" = 200;
/** The paths of the requests the server received, in order. */
const received: string[] = [];
const held: ServerResponse[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    received.push(req.url ?? "");
    if (answer === "silent") return void held.push(res);
    res.writeHead(answer, { "Content-Type": "application/json" }).end(JSON.stringify({ issuer: "x" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  answer = 200;
  received.length = 0;
});

const DISCOVERY = "/realms/demo/.well-known/openid-configuration";

describe("createReachabilityCheck", () => {
  it.each([
    [200, true],
    [404, true],
    [500, false],
    [503, false],
  ])("says a provider whose discovery answers %i answers: %s", async (status, answers) => {
    answer = status;
    expect(await createReachabilityCheck(5000)(`${base}/realms/demo`)).toBe(answers);
    expect(received).toEqual([DISCOVERY]);
  });

  it("asks the discovery document of an issuer written with a trailing slash", async () => {
    expect(await createReachabilityCheck(5000)(`${base}/realms/demo/`)).toBe(true);
    expect(received).toEqual([DISCOVERY]);
  });

  it("says a provider that never answers does not, once the timeout passes", async () => {
    answer = "silent";
    // Only the outcome: whether the request reached the server before the check gave up depends on the machine.
    expect(await createReachabilityCheck(50)(`${base}/realms/demo`)).toBe(false);
  });

  it("sends one request for checks of one provider made while one is under way", async () => {
    const check = createReachabilityCheck(5000);
    const answers = await Promise.all(Array.from({ length: 5 }, () => check(`${base}/realms/demo`)));
    expect(answers).toEqual([true, true, true, true, true]);
    expect(received).toEqual([DISCOVERY]);
  });

  it("asks each provider for itself", async () => {
    const check = createReachabilityCheck(5000);
    await Promise.all([check(`${base}/realms/demo`), check(`${base}/realms/acme`)]);
    expect(received.sort()).toEqual(["/realms/acme/.well-known/openid-configuration", DISCOVERY]);
  });

  it("keeps no answer: the check after one asks again, and hears the provider went down", async () => {
    const check = createReachabilityCheck(5000);
    expect(await check(`${base}/realms/demo`)).toBe(true);
    answer = 503;
    expect(await check(`${base}/realms/demo`)).toBe(false);
    expect(received).toEqual([DISCOVERY, DISCOVERY]);
  });

  it("trusts an answer heard less than the window ago, and asks again after a failure", async () => {
    const check = createReachabilityCheck(5000, 60_000);
    check.heard(`${base}/realms/demo/`, true);
    expect(await check(`${base}/realms/demo`)).toBe(true);
    expect(received).toEqual([]);
    check.heard(`${base}/realms/demo`, false);
    expect(await check(`${base}/realms/demo`)).toBe(true);
    expect(received).toEqual([DISCOVERY]);
  });

  it("trusts its own probe's answer for the window, and a failed probe not at all", async () => {
    const check = createReachabilityCheck(5000, 60_000);
    answer = 503;
    expect(await check(`${base}/realms/demo`)).toBe(false);
    answer = 200;
    expect(await check(`${base}/realms/demo`)).toBe(true);
    expect(await check(`${base}/realms/demo`)).toBe(true);
    expect(received).toEqual([DISCOVERY, DISCOVERY]);
  });

  describe("ahead of a click (a page with Log in or Log out)", () => {
    it("asks once in the background, and the click then finds the answer known", async () => {
      const check = createReachabilityCheck(5000, 60_000);
      check.ahead(`${base}/realms/demo`);
      await until(() => received.length >= 1);
      expect(await check(`${base}/realms/demo`)).toBe(true);
      expect(received).toEqual([DISCOVERY]);
    });

    it("asks a provider that is down once per window, however many pages are served", async () => {
      const check = createReachabilityCheck(5000, 60_000);
      answer = 503;
      check.ahead(`${base}/realms/demo`);
      await until(() => received.length >= 1);
      expect(await check(`${base}/realms/demo`)).toBe(false); // the click asks for itself after a failure
      for (let i = 0; i < 5; i++) check.ahead(`${base}/realms/demo`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received).toEqual([DISCOVERY, DISCOVERY]);
    });

    it("asks nothing with a window of 0, nor right after an answer", async () => {
      createReachabilityCheck(5000, 0).ahead(`${base}/realms/demo`);
      const check = createReachabilityCheck(5000, 60_000);
      check.heard(`${base}/realms/demo`, true);
      check.ahead(`${base}/realms/demo`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received).toEqual([]);
    });
  });
});
