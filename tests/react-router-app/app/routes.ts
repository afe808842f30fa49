import { index, route, type RouteConfig } from "@react-router/dev/routes";

// The Remix app's URLs, so the provider's client is registered the same way for both.
export default [
  index("routes/home.tsx"),
  route("login", "routes/login.ts"),
  route("auth/:realm/login", "routes/auth-login.tsx"),
  route("auth/:realm/callback", "routes/auth-callback.tsx"),
  route("auth/:realm/backchannel-logout", "routes/backchannel-logout.ts"),
  route("account", "routes/account.tsx"),
  route("logout", "routes/logout.ts"),
  route("logout/callback", "routes/logout-callback.tsx"),
  route("healthz", "routes/healthz.ts"),
] satisfies RouteConfig;
