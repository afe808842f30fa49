// `node dev/nginx/cli.js`: makes sure the proxy tests have an nginx to run
// (an installed one, or Debian's package unpacked into .cache/nginx/).
import { fetchNginx } from "./index.js";

try {
  console.log(`nginx: ${fetchNginx()}`);
} catch (error) {
  console.error(`nginx: ${error.message}`);
  process.exit(1);
}
