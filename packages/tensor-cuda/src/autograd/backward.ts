import { fmt, sameShape } from "../shape.js";
import { type Tensor, unhold } from "../tensor.js";
import { noGrad } from "./grad-mode.js";
import type { MultiOutputGroup } from "./node.js";

export class AutogradError extends Error {
  override name = "AutogradError";
}

/** Nodes reachable from root, each after every node that consumes it (reverse topological). */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: transformer graphs are deep enough to overflow the JS stack recursively.
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const c = inputs[i];
      if (c.requiresGrad && !seen.has(c)) {
        seen.add(c);
        stack.push([c, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}

/**
 * Reverse-mode differentiation from `root`. Leaf tensors with requiresGrad accumulate into
 * `.grad` (+=, as PyTorch does, so several backward passes sum their gradients).
 */
export function runBackward(root: Tensor, gradient?: Tensor, opts: { retainGraph?: boolean } = {}): void {
  if (!root.requiresGrad) {
    const why = root.gradBlockedBy
      ? `: it depends on the inputs that require grad only through ${root.gradBlockedBy}, which has no gradient`
      : " (no input of the computation had requiresGrad, or it ran under noGrad)";
    throw new AutogradError(`backward: the tensor of shape ${fmt(root.shape)} does not require grad${why}`);
  }
  let seed = gradient;
  if (!seed) {
    if (root.size !== 1) {
      throw new AutogradError(
        `backward: a gradient must be given for a non-scalar output of shape ${fmt(root.shape)}`,
      );
    }
    seed = root.onesLike();
  } else if (!sameShape(seed.shape, root.shape)) {
    throw new AutogradError(
      `backward: gradient shape ${fmt(seed.shape)} does not match output shape ${fmt(root.shape)}`,
    );
  }
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const order = topoOrder(root);
  // Multi-output ops run their backward once, when the last of their outputs in the graph is reached.
  const pending = new Map<MultiOutputGroup, { left: number; grads: (Tensor | null)[] }>();
  for (const t of order) {
    const m = t.gradFn?.member;
    if (!m) continue;
    const p = pending.get(m.group) ?? { left: 0, grads: new Array(m.group.size).fill(null) };
    p.left++;
    pending.set(m.group, p);
  }
  const accumulate = (op: string, inputs: readonly Tensor[], inputGrads: readonly (Tensor | null)[]) => {
    inputs.forEach((inp, i) => {
      const gi = inputGrads[i];
      if (!inp.requiresGrad || !gi) return;
      if (!sameShape(gi.shape, inp.shape)) {
        throw new AutogradError(
          `backward of ${op}: gradient for input ${i} has shape ${fmt(gi.shape)}, expected ${fmt(inp.shape)}`,
        );
      }
      const prev = grads.get(inp);
      grads.set(inp, prev ? prev.add(gi) : gi);
    });
  };
  noGrad(() => {
    for (const t of order) {
      const g = grads.get(t);
      const member = t.gradFn?.member;
      if (member) {
        const p = pending.get(member.group)!;
        if (g) p.grads[member.index] = g;
        grads.delete(t);
        if (--p.left === 0 && p.grads.some((x) => x)) {
          accumulate(member.group.op, member.group.inputs, member.group.backward(p.grads));
        }
        continue;
      }
      if (!g) continue;
      if (!t.gradFn) {
        // A fresh copy: g may share storage with another leaf's gradient or with the caller's
        // tensor (add's backward hands the same g to both inputs), and optimizers and gradient
        // clipping update .grad in place.
        // Gradients outlive the tidy() that ran backward (they are read after it, by optimizers
        // and callers): persistent. The accumulator they replace is freed at once.
        const next = t.grad ? t.grad.add(g) : g.clone();
        next.persistent = true;
        t.grad?.dispose();
        t.grad = next;
        continue;
      }
      accumulate(t.gradFn.op, t.gradFn.inputs, t.gradFn.backward(g));
      grads.delete(t);
    }
  });
  if (!opts.retainGraph) releaseGraph(root);
}

/**
 * Drops the holds the graph below `root` has on its tensors (nodes, their inputs, saved tensors),
 * each node once, so an enclosing tidy() disposes what no other pending graph still reads: on a
 * GPU, a training step's activations are freed when its scope ends, not when the garbage
 * collector runs. A tensor that another, not yet run graph also recorded keeps its hold.
 */
function releaseGraph(root: Tensor): void {
  const seen = new Set<Tensor>([root]);
  const stack = [root];
  while (stack.length) {
    const t = stack.pop() as Tensor;
    if (!releaseNode(t)) continue;
    for (const i of (t.gradFn as NonNullable<Tensor["gradFn"]>).inputs) {
      if (!seen.has(i)) {
        seen.add(i);
        stack.push(i);
      }
    }
  }
}

/**
 * Drops the holds of the one node that made `t` (on t, its inputs and saved tensors), once.
 * False when t has no node or it was released already. releaseGraph walks a graph with it;
 * tidy() uses it alone on the nodes of a scope that threw, whose graph can no longer run.
 */
export function releaseNode(t: Tensor): boolean {
  const fn = t.gradFn;
  if (!fn || fn.released) return false;
  fn.released = true;
  unhold(t);
  for (const s of fn.saved ?? []) unhold(s);
  const group = fn.member?.group;
  if (!group) for (const i of fn.inputs) unhold(i);
  else if (!group.released) {
    group.released = true;
    for (const i of group.inputs) unhold(i);
  }
  return true;
}
