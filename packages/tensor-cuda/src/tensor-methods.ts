/*
 * Fluent methods on Tensor (t.add(u).relu()), each forwarding to the op function of the same
 * name in ops/. Declared through interface merging so ops/ can import Tensor without a cycle.
 */
import type { Device } from "./backend/backend.js";
import * as E from "./ops/elementwise.js";
import * as I from "./ops/indexing.js";
import * as L from "./ops/layout.js";
import * as M from "./ops/matmul.js";
import * as R from "./ops/reduce.js";
import * as S from "./ops/softmax.js";
import type { TensorLike } from "./ops/util.js";
import { Tensor } from "./tensor.js";

const P = Tensor.prototype as any;
const binaries = {
  add: E.add,
  sub: E.sub,
  mul: E.mul,
  div: E.div,
  pow: E.pow,
  maximum: E.maximum,
  minimum: E.minimum,
};
for (const [name, f] of Object.entries(binaries))
  P[name] = function (this: Tensor, b: TensorLike) {
    return f(this, b);
  };
const compares = { eq: E.eq, ne: E.ne, lt: E.lt, le: E.le, gt: E.gt, ge: E.ge };
for (const [name, f] of Object.entries(compares))
  P[name] = function (this: Tensor, b: TensorLike) {
    return f(this, b);
  };
const unaries = {
  neg: E.neg,
  exp: E.exp,
  log: E.log,
  sqrt: E.sqrt,
  rsqrt: E.rsqrt,
  abs: E.abs,
  tanh: E.tanh,
  sigmoid: E.sigmoid,
  relu: E.relu,
  silu: E.silu,
  sin: E.sin,
  cos: E.cos,
  square: E.square,
  reciprocal: E.reciprocal,
  sign: E.sign,
  floor: E.floor,
  round: E.round,
  logicalNot: E.logicalNot,
};
for (const [name, f] of Object.entries(unaries))
  P[name] = function (this: Tensor) {
    return f(this);
  };

P.logicalAnd = function (this: Tensor, b: Tensor) {
  return E.logicalAnd(this, b);
};
P.logicalOr = function (this: Tensor, b: Tensor) {
  return E.logicalOr(this, b);
};
P.gelu = function (this: Tensor, approximate?: "none" | "tanh") {
  return E.gelu(this, approximate);
};
P.clamp = function (this: Tensor, min?: number, max?: number) {
  return E.clamp(this, min, max);
};
P.sum = function (this: Tensor, axes?: R.Axes, keep?: boolean) {
  return R.sum(this, axes, keep);
};
P.mean = function (this: Tensor, axes?: R.Axes, keep?: boolean) {
  return R.mean(this, axes, keep);
};
P.max = function (this: Tensor, axes?: R.Axes, keep?: boolean) {
  return R.max(this, axes, keep);
};
P.min = function (this: Tensor, axes?: R.Axes, keep?: boolean) {
  return R.min(this, axes, keep);
};
P.argmax = function (this: Tensor, axis?: number, keep?: boolean) {
  return R.argmax(this, axis, keep);
};
P.argmin = function (this: Tensor, axis?: number, keep?: boolean) {
  return R.argmin(this, axis, keep);
};
P.logsumexp = function (this: Tensor, axes?: R.Axes, keep?: boolean) {
  return R.logsumexp(this, axes, keep);
};
P.var = function (this: Tensor, axes?: R.Axes, opts?: { correction?: number; keepDims?: boolean }) {
  return R.variance(this, axes, opts);
};
P.matmul = function (this: Tensor, b: Tensor) {
  return M.matmul(this, b);
};
P.reshape = function (this: Tensor, shape: readonly number[]) {
  return L.reshape(this, shape);
};
P.view = P.reshape;
P.flatten = function (this: Tensor, s?: number, e?: number) {
  return L.flatten(this, s, e);
};
P.permute = function (this: Tensor, perm: readonly number[]) {
  return L.permute(this, perm);
};
P.transpose = function (this: Tensor, a?: number, b?: number) {
  return L.transpose(this, a, b);
};
P.expand = function (this: Tensor, shape: readonly number[]) {
  return L.expand(this, shape);
};
P.unsqueeze = function (this: Tensor, axis: number) {
  return L.unsqueeze(this, axis);
};
P.squeeze = function (this: Tensor, axis?: number) {
  return L.squeeze(this, axis);
};
P.slice = function (this: Tensor, axis: number, start?: number, end?: number, step?: number) {
  return L.slice(this, axis, start, end, step);
};
P.narrow = function (this: Tensor, axis: number, start: number, length: number) {
  return L.narrow(this, axis, start, length);
};
P.split = function (this: Tensor, sizes: number | readonly number[], axis?: number) {
  return L.split(this, sizes, axis);
};
P.contiguous = function (this: Tensor) {
  return this;
};
P.gather = function (this: Tensor, axis: number, index: Tensor) {
  return I.gather(this, axis, index);
};
P.indexSelect = function (this: Tensor, axis: number, index: Tensor) {
  return I.indexSelect(this, axis, index);
};
P.scatterAdd = function (this: Tensor, axis: number, index: Tensor, src: Tensor) {
  return I.scatterAdd(this, axis, index, src);
};
P.softmax = function (this: Tensor, axis?: number) {
  return S.softmax(this, axis);
};
P.logSoftmax = function (this: Tensor, axis?: number) {
  return S.logSoftmax(this, axis);
};
P.cpu = function (this: Tensor) {
  return this.to("cpu" as Device);
};
P.cuda = function (this: Tensor) {
  return this.to("cuda" as Device);
};
