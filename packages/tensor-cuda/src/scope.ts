import { releaseNode } from "./autograd/backward.js";
import type { Tensor } from "./tensor.js";

/*
 * Device memory the garbage collector cannot see (tfjs's tidy): tensors created inside
 * tidy(fn) are disposed when fn returns, except what fn returns and what an autograd graph
 * still holds for its backward pass.
 */
const scopes: Set<Tensor>[] = [];

export function track(t: Tensor): void {
  if (scopes.length) scopes[scopes.length - 1].add(t);
}

function collect(value: unknown, into: Set<Tensor>, seen = new Set<unknown>()): void {
  if (!value || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if ((value as Tensor).isTensor === true) {
    into.add(value as Tensor);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, into, seen);
  else if (value instanceof Map) for (const v of value.values()) collect(v, into, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) collect(v, into, seen);
}

/**
 * Lets a tensor made inside tidy() outlive every enclosing scope (tfjs's keep): for a hook that
 * stores what it sees. The caller disposes it.
 */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    // What the scope made is released on the way out too: on a device nothing else would free
    // it (a forward stopped by an exception from a hook, for one). Nothing the scope made
    // escaped it, so no backward can run through the nodes it recorded: their holds go first
    // (each node alone; graphs recorded before the scope keep theirs, and so do the nodes below
    // a persistent tensor, which did escape).
    releaseFailedScope(scope);
    const outer = scopes[scopes.length - 1];
    for (const t of scope) {
      if (t.heldByGraph || t.persistent) outer?.add(t);
      else t.dispose();
    }
    throw e;
  }
  scopes.pop();
  const keep = new Set<Tensor>();
  collect(result, keep);
  const outer = scopes[scopes.length - 1];
  for (const t of scope) {
    if (keep.has(t) || t.heldByGraph || t.persistent) outer?.add(t);
    else t.dispose();
  }
  return result;
}

function releaseFailedScope(scope: Set<Tensor>): void {
  const spared = new Set<Tensor>();
  const stack = [...scope].filter((t) => t.persistent && t.gradFn);
  while (stack.length) {
    const t = stack.pop() as Tensor;
    if (spared.has(t)) continue;
    spared.add(t);
    for (const i of t.gradFn?.inputs ?? []) if (scope.has(i)) stack.push(i);
  }
  for (const t of scope) if (!spared.has(t)) releaseNode(t);
}
