// Copy the pinned NHS.UK frontend into static/vendor (git-ignored) so Django serves it.
// The stylesheet's absolute /assets/ URLs are made relative, and the web font, which the
// package loads from a remote host, is dropped: pages and PDFs make no network fetches and
// the content security policy allows fonts from our own origin only (see docs/decisions).
// The source map comments go too: the maps are not shipped, and collectstatic's manifest
// storage refuses a file that names a map it cannot find.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "node_modules", "nhsuk-frontend", "dist", "nhsuk");
const out = join(root, "static", "vendor");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "nhsuk"), { recursive: true });
mkdirSync(join(out, "axe"), { recursive: true });

const css = readFileSync(join(dist, "nhsuk-frontend.min.css"), "utf8")
  .replace(/@font-face\{[^}]*\}/g, "")
  .replaceAll("url(/assets/", "url(assets/")
  .replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, "");
if (css.includes("https://")) {
  throw new Error("The built stylesheet still refers to a remote URL");
}
writeFileSync(join(out, "nhsuk", "nhsuk-frontend.min.css"), css);
const js = readFileSync(join(dist, "nhsuk-frontend.min.js"), "utf8").replace(
  /\/\/# sourceMappingURL=\S*\s*$/,
  "",
);
writeFileSync(join(out, "nhsuk", "nhsuk-frontend.min.js"), js);
cpSync(join(dist, "assets"), join(out, "nhsuk", "assets"), { recursive: true });
cpSync(
  join(root, "node_modules", "axe-core", "axe.min.js"),
  join(out, "axe", "axe.min.js"),
);
console.log(`Built NHS.UK frontend into ${out}`);
