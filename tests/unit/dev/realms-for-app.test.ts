import { describe, expect, it } from "vitest";
import { realmsForApp } from "../../../dev/keycloak/index.js";

describe("the realm files as npm run keycloak imports them", () => {
  it("point each client's Root URL and front-channel logout URL at the app, wherever it runs", () => {
    for (const { realm } of realmsForApp("http://localhost:4123")) {
      const client = realm.clients![0]!;
      expect(client.rootUrl).toBe("http://localhost:4123");
      // Keycloak loads a relative front-channel URL from its own origin: the file's is absolute, rewritten here.
      expect(client.attributes["frontchannel.logout.url"]).toBe(
        `http://localhost:4123/auth/${realm.realm}/frontchannel-logout`,
      );
    }
  });
});
