import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { TEST_SESSION_SECRET } from "./app";

const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * `npm run doctor` (build/doctor.js) as an operator runs it in production: `env` over the tests' session secret
 * and a 10 s provider timeout (a loaded machine). Its exit code and everything it printed.
 */
export function runDoctor(env: Record<string, string | undefined>): Promise<{ code: number; output: string }> {
  const full = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    NODE_ENV: "production",
    SESSION_SECRET: TEST_SESSION_SECRET,
    IDP_TIMEOUT_MS: "10000",
    ...env,
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["build/doctor.js"],
      { cwd: root, env: full as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}
