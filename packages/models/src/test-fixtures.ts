/** Where the shared reference fixtures live (absent in a user's clone: tests then skip). */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const FIXTURES = fileURLToPath(new URL("../../../../shared/fixtures/models/", import.meta.url));
export const HAVE_FIXTURES = existsSync(FIXTURES);
export const fixtureDir = (name: string) => `${FIXTURES}${name}`;
