import { loginLogoutTests } from "./login-logout";

loginLogoutTests("post");
