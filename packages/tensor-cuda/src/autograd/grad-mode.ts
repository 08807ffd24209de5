let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs fn without recording operations for autograd (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  let out: T;
  try {
    out = fn();
  } finally {
    enabled = prev;
  }
  // The flag is restored when fn returns, so the part of an async fn after its first await
  // would record a tape after all: say so rather than leak memory silently.
  if (out && typeof (out as { then?: unknown }).then === "function") {
    throw new TypeError(
      "noGrad(fn): fn returned a Promise; noGrad cannot span awaits, so call it around the synchronous forward passes inside fn",
    );
  }
  return out;
}

export function withGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}
