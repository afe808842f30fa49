import { loginLogoutTests } from "./login-logout";

loginLogoutTests("redirect");
