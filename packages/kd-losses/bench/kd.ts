/*
 * Time per loss, forward + backward, at a language-model shape: B = 4, T = 256, V = 32000,
 * float32 on the CPU backend. Prints figures; asserts nothing.
 *   pnpm --filter @shrinkray/kd-losses bench      (KD_BENCH_REPS=n for more repetitions)
 */
import { Generator, gather, logSoftmax, mul, Tensor, tidy } from "@shrinkray/tensor-cuda";
import { KD_KINDS, type KdOptions, kdLoss, type Teacher } from "../src/index.js";

const [B, T, V, K] = [4, 256, 32000, 64];
const reps = Number(process.env.KD_BENCH_REPS ?? 3);
const g = new Generator(0);

const studentLogits = Tensor.randn([B, T, V], { generator: g });
const teacherLogits = mul(Tensor.randn([B, T, V], { generator: g }), 2);
const topkTeacher = (): Teacher => {
  // Top-k ids and logprobs as a cache would hold them (first K of a shuffled vocabulary).
  const ids = new Int32Array(B * T * K);
  const perm = Int32Array.from({ length: V }, (_, i) => i);
  for (let r = 0; r < B * T; r++) {
    for (let j = 0; j < K; j++) {
      const s = j + Math.floor(g.uniform() * (V - j));
      [perm[j], perm[s]] = [perm[s], perm[j]];
    }
    ids.set(perm.subarray(0, K), r * K);
  }
  const topkIds = Tensor.from(ids, [B, T, K]);
  const topkLogprobs = gather(logSoftmax(teacherLogits, -1), -1, topkIds);
  return { topkIds, topkLogprobs };
};
const sparse = topkTeacher();

function time(label: string, teacher: Teacher, opts: KdOptions): void {
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    tidy(() => {
      const s = Tensor.from(studentLogits.dataSync(), [B, T, V], { requiresGrad: true });
      const t0 = performance.now();
      kdLoss(s, teacher, opts).backward();
      ms.push(performance.now() - t0);
      s.grad?.dispose();
    });
  }
  ms.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(40)} ${ms[Math.floor(ms.length / 2)].toFixed(0).padStart(7)} ms  (median of ${reps})`,
  );
}

console.log(`kd-losses: forward + backward, B=${B} T=${T} V=${V}, float32, CPU; top-k k=${K}`);
for (const kind of KD_KINDS) time(`dense ${kind}`, { logits: teacherLogits }, { kind });
time("dense forward_kl T=2", { logits: teacherLogits }, { kind: "forward_kl", temperature: 2 });
for (const kind of ["forward_kl", "reverse_kl", "jsd"] as const) {
  time(`top-k renormalize ${kind}`, sparse, { kind, topkMissingMass: "renormalize" });
  time(`top-k bucket ${kind}`, sparse, { kind, topkMissingMass: "bucket" });
}
