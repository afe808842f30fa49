import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodePage } from "~/page-encoding.server";

const page = Buffer.from(
  `<!DOCTYPE html><html><body>${"<p>Keycloak login and logout in Remix</p>".repeat(60)}</body></html>`,
);
const CHROMIUM = "gzip, deflate, br, zstd";

describe("encodePage", () => {
  it("encodes as the browser prefers: gzip for Chromium's header, which lists it first", () => {
    const { body, encoding } = encodePage(page, CHROMIUM);
    expect(encoding).toBe("gzip");
    expect(body.length).toBeLessThan(page.length / 4);
    expect(gunzipSync(body).equals(page)).toBe(true);
  });

  it("brotli when the browser ranks it first, by order or by quality", () => {
    for (const header of ["br", "br, gzip", "gzip;q=0.5, br"]) {
      const { body, encoding } = encodePage(page, header);
      expect(encoding, header).toBe("br");
      expect(brotliDecompressSync(body).equals(page)).toBe(true);
    }
  });

  it("the page as it is when nothing it offers is acceptable, or no header came", () => {
    for (const header of [null, "", "identity", "deflate", "zstd", "br;q=0, gzip;q=0", "*;q=0, identity;q=0"]) {
      const { body, encoding } = encodePage(page, header);
      expect(encoding, String(header)).toBeUndefined();
      expect(body).toBe(page);
    }
  });

  it("leaves a page under 1 KB as it is", () => {
    const small = Buffer.from("<!DOCTYPE html><p>Signed out</p>");
    expect(encodePage(small, CHROMIUM)).toEqual({ body: small });
  });
});
