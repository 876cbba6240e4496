/** Where the package and the repository are, from the compiled test files (dist/test/...). */

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_ROOT = resolve(HERE, "../../..");
export const REPO_ROOT = resolve(PACKAGE_ROOT, "../..");
export const INDEX = resolve(PACKAGE_ROOT, "dist/src/index.js");
