import type { Config } from "@react-router/dev/config";

// React Router 7 in framework mode, server-rendered, serving the auth module of app/auth unchanged.
// The flags of React Router 8 that run on Vite 5 are on (v8_viteEnvironmentApi needs Vite 6).
export default {
  appDirectory: "app",
  buildDirectory: "build",
  ssr: true,
  future: {
    v8_middleware: true,
    v8_splitRouteModules: true,
    v8_passThroughRequests: true,
    v8_trailingSlashAwareDataRequests: true,
  },
} satisfies Config;
