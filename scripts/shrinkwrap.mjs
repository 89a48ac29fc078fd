// npm pack's prepack/postpack: ship package-lock.json as npm-shrinkwrap.json, so that a vendor's
// install gets exactly the dependency versions this repository was tested with.
import { copyFileSync, rmSync } from "node:fs";

if (process.argv[2] === "write") copyFileSync("package-lock.json", "npm-shrinkwrap.json");
else rmSync("npm-shrinkwrap.json", { force: true });
