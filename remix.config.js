// `remix dev` sets NODE_ENV=development. Its build goes to a folder of its own (git-ignored, under .cache/), so
// `npm run dev` never overwrites the production build that `npm start` serves: React's development JSX runtime
// there made every page answer 500 ("jsxDEV is not a function").
const development = process.env.NODE_ENV === "development";

/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ["**/.*"],
  ...(development && { serverBuildPath: ".cache/dev-build/index.js", assetsBuildDirectory: ".cache/dev-build/assets" }),
  serverModuleFormat: "esm",
  serverDependenciesToBundle: [],
  future: {
    v3_fetcherPersist: true,
    v3_lazyRouteDiscovery: true,
    v3_relativeSplatPath: true,
    v3_singleFetch: true,
    v3_throwAbortReason: true,
  },
};
