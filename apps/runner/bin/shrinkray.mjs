#!/usr/bin/env node
import("../dist/cli.js").then(async (m) => {
  process.exitCode = await m.main(process.argv.slice(2));
});
