// The React Router 7 app of tests/react-router-app against real Keycloak: the same auth module as the Remix
// app, behind React Router's adapter, through the same login and logout as the Remix app's specs (demo, and
// big's 7 KB token): Keycloak's own admin API shows its session ended at logout.
import { REACT_ROUTER_APP } from "../../support/app";
import { loginLogoutTests } from "./login-logout";

loginLogoutTests("redirect", { app: REACT_ROUTER_APP, name: "under React Router 7" });
