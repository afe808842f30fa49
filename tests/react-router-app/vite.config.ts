import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

// Its own Vite config: the Remix app beside it keeps its classic compiler.
export default defineConfig({ plugins: [reactRouter()], logLevel: "warn" });
