import { data } from "@remix-run/node";
import type { DataKind, Framework } from "../http/framework";

/** Remix 2's `data()`, by type. */
export interface RemixData extends DataKind {
  readonly out: ReturnType<typeof data<this["value"]>>;
}

/** The adapter for Remix 2: `createAuth(config, { framework: remix })`. */
export const remix: Framework<RemixData> = { data };
