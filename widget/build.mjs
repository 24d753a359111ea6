// Bundles the widget into dist/widget.js (one classic script, socket.io-client
// included) and dist/widget.css. Run by scripts/setup.sh as `npm run build`.
import { readFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const OUTPUT = "dist/widget.js";

const result = await build({
  entryPoints: { widget: "src/index.js" },
  outdir: "dist",
  bundle: true,
  minify: true,
  format: "iife",
  platform: "browser",
  target: "es2020",
  metafile: true,
  logLevel: "warning",
});

// The bundled packages' licences ask for their notice to travel with the code.
const packages = new Set(
  Object.keys(result.metafile.inputs)
    .map((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1])
    .filter(Boolean),
);
const notices = [...packages].sort().map((name) => {
  const manifest = JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8"));
  return ` * ${name} ${manifest.version} (${manifest.license} licence)`;
});
const banner = ["/*! Support-group intake chat widget. Bundled packages:", ...notices, " */", ""].join("\n");
writeFileSync(OUTPUT, banner + readFileSync(OUTPUT, "utf8"));
