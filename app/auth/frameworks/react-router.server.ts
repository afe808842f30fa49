import { data } from "react-router";
import type { DataKind, Framework } from "../http/framework";

/** React Router 7's `data()`, by type. */
export interface ReactRouterData extends DataKind {
  readonly out: ReturnType<typeof data<this["value"]>>;
}

/** The adapter for React Router 7 (framework mode): `createAuth(config, { framework: reactRouter })`. */
export const reactRouter: Framework<ReactRouterData> = { data };
