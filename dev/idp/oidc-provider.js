// oidc-provider, imported without its "Unsupported runtime. Use Node.js v22.x
// LTS" warning: it prints that on Node 20, which the project supports
// (package.json engines) and on which the dev IdP's suites run and pass. The
// dev IdP is development-only; the app never loads oidc-provider. Any other
// warning is printed as usual.
const warn = console.warn;
console.warn = (...args) => {
  if (!String(args[0]).includes("Unsupported runtime")) warn(...args);
};
let Provider;
try {
  ({ default: Provider } = await import("oidc-provider"));
} finally {
  console.warn = warn;
}

export default Provider;
