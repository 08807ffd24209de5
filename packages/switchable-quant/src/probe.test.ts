import { it } from "vitest";
import { makeSwitchable, setAllBits } from "./make-switchable.js";
import { accuracy, trainedTinyNet } from "./testing/tiny-model.js";
it("probe", () => {
  for (const steps of [300]) {
  const t0 = Date.now();
  const { model, task } = trainedTinyNet(steps);
  console.log("train ms", Date.now() - t0, "acc", accuracy(model, task.test));
  const layers = makeSwitchable(model);
  for (const b of [4, 3, 2] as const) {
    setAllBits(layers, b);
    for (const sym of [false, true]) { for (const l of layers.values()) l.setPrecision({ sym }); console.log(b, sym, accuracy(model, task.test)); }
  }
  setAllBits(layers, 32);
  for (const [n, l] of layers) { l.setPrecision({ bits: 2, sym: true }); console.log(n, accuracy(model, task.test)); l.bits = 32; }
  }
});
