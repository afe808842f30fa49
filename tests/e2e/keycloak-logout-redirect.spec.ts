import { loginLogoutTests } from "./keycloak-login-logout";

loginLogoutTests("redirect");
