// The same module as the Remix app's, imported in place: only the framework's adapter differs.
import { reactRouter } from "../../../app/auth/frameworks/react-router.server";
import { createAuth, parseConfig } from "../../../app/auth/index.server";

export const auth = createAuth(parseConfig(process.env), {
  framework: reactRouter,
  look: { appName: "React Router 7" },
});
