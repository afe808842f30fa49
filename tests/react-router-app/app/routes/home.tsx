export const meta = () => [{ title: "React Router 7 + Keycloak" }];

export default function Home() {
  return <h1>Keycloak login and logout in React Router 7</h1>;
}
