// Bundles the extension and vscode-languageclient into dist/extension.js (CommonJS, for
// VS Code's extension host). `node esbuild.mjs --watch` rebuilds on change.
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
const options = {
  entryPoints: ["src/extension.ts"],
  outfile: "dist/extension.js",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["vscode"],
  sourcemap: false,
  minify: !watch,
  logLevel: "warning",
  legalComments: "linked",
};

if (watch) {
  const ctx = await esbuild.context({ ...options, sourcemap: "linked" });
  await ctx.watch();
  console.log("esbuild: watching src/");
} else {
  await esbuild.build(options);
}
