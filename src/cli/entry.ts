/**
 * The one way a module tells whether it is the program being run (`node file.js`, `tsx file.ts`),
 * so that a command's file can also be imported by tests without starting the command.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function isEntryModule(importMetaUrl: string): boolean {
  const invoked = process.argv[1];
  if (!invoked) return false;
  try {
    return realpathSync(invoked) === realpathSync(fileURLToPath(importMetaUrl));
  } catch {
    return false;
  }
}
