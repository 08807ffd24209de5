/** Where the committed toy teacher lives (apps/runner/assets/toy/teacher). */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const TOY_TEACHER_DIR = fileURLToPath(new URL("../../assets/toy/teacher/", import.meta.url));

/** The seed the committed teacher was trained and its held-out sets drawn with. */
export const TOY_SEED = 1;

export function haveToyTeacher(): boolean {
  return (
    existsSync(join(TOY_TEACHER_DIR, "config.json")) && existsSync(join(TOY_TEACHER_DIR, "model.safetensors"))
  );
}
