// Builds the public site's assets into build/website/ (never committed: set-up runs this when a
// source changed). Four bundles, each made by esbuild from the npm packages in package.json:
//   widget.js   the chat widget (our own code + socket.io-client), one IIFE, minified
//   widget.css  the widget's look: NL Design System (Utrecht) components + our layout
//   site.css    the content pages' look, from the same components
//   staff.css   the staff app's look (staff/templates/, served by the staff app): the same
//               components, theme and page layout, plus tables and form controls
// Design tokens: the NL Design System "voorbeeld" theme, then our overrides (src/theme.css), then
// an optional house style of the samenwerkingsverband (STEUNPUNT_THEME_CSS: a CSS file of custom
// properties). Only the tokens a bundle really uses (followed through var() references) are
// written into it, under the class .steunpunt-theme, so the widget stays small.
// The widget's budget (JS + CSS gzipped) is 60 kB: the build reports the size and fails above it.
import * as esbuild from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, process.env.STEUNPUNT_ASSETS_OUT || "../../build/website");
const BUDGET_BYTES = 60 * 1024;
const themeFiles = [
  resolve(here, "node_modules/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css"),
  resolve(here, "src/theme.css"),
  ...(process.env.STEUNPUNT_THEME_CSS ? [resolve(process.env.STEUNPUNT_THEME_CSS)] : []),
];

/** Every `--name: value` declaration of the theme files; a later file wins. */
function readTokens(files) {
  const tokens = new Map();
  for (const file of files) {
    const css = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
    for (const match of css.matchAll(/(--[A-Za-z0-9_-]+)\s*:\s*([^;{}]+);/g)) {
      tokens.set(match[1], match[2].trim());
    }
  }
  return tokens;
}

/** The declarations a stylesheet needs: the tokens it uses, and the tokens those use. */
function tokensUsedBy(css, tokens) {
  const needed = new Set();
  const queue = [...css.matchAll(/var\(\s*(--[A-Za-z0-9_-]+)/g)].map((m) => m[1]);
  while (queue.length) {
    const name = queue.pop();
    if (needed.has(name) || !tokens.has(name)) continue;
    needed.add(name);
    for (const m of tokens.get(name).matchAll(/var\(\s*(--[A-Za-z0-9_-]+)/g)) queue.push(m[1]);
  }
  return [...needed].sort().map((name) => `${name}:${tokens.get(name)}`).join(";");
}

async function bundle(entry, outfile, options = {}) {
  const result = await esbuild.build({
    entryPoints: [resolve(here, entry)],
    bundle: true,
    minify: true,
    write: false,
    target: ["es2020"],
    legalComments: "none",
    logLevel: "warning",
    ...options,
  });
  return result.outputFiles[0].text;
}

async function main() {
  mkdirSync(out, { recursive: true });
  const tokens = readTokens(themeFiles);
  const sizes = {};
  const outputs = {
    "widget.js": await bundle("src/widget.js", "widget.js", { format: "iife" }),
    "widget.css": await bundle("src/widget.css", "widget.css"),
    "site.css": await bundle("src/site.css", "site.css"),
    "staff.css": await bundle("src/staff.css", "staff.css"),
  };
  for (const name of ["widget.css", "site.css", "staff.css"]) {
    outputs[name] = `.steunpunt-theme{${tokensUsedBy(outputs[name], tokens)}}\n${outputs[name]}`;
  }
  for (const [name, text] of Object.entries(outputs)) {
    writeFileSync(resolve(out, name), text);
    sizes[name] = { bytes: Buffer.byteLength(text), gzip: gzipSync(text, { level: 9 }).length };
  }
  const widget = sizes["widget.js"].gzip + sizes["widget.css"].gzip;
  const report = { widget_gzip_bytes: widget, budget_bytes: BUDGET_BYTES, files: sizes };
  writeFileSync(resolve(out, "sizes.json"), JSON.stringify(report, null, 2) + "\n");
  console.error(`[assets] widget.js + widget.css: ${(widget / 1024).toFixed(1)} kB gzipped ` +
                `(budget ${BUDGET_BYTES / 1024} kB); site.css ${(sizes["site.css"].gzip / 1024).toFixed(1)} kB`);
  if (widget > BUDGET_BYTES) {
    console.error("[assets] the widget is over its size budget");
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error.message || error);
  process.exit(1);
});
