import type { Backend, Device } from "./backend.js";

const backends = new Map<Device, Backend>();
const loaders = new Map<Device, () => Backend>();

export function registerBackend(device: Device, backend: Backend | (() => Backend)): void {
  if (typeof backend === "function") loaders.set(device, backend);
  else backends.set(device, backend);
}

export class DeviceUnavailableError extends Error {
  override name = "DeviceUnavailableError";
}

export function getBackend(device: Device): Backend {
  let b = backends.get(device);
  if (!b) {
    const load = loaders.get(device);
    if (!load) {
      throw new DeviceUnavailableError(`no backend is registered for device "${device}"`);
    }
    b = load();
    backends.set(device, b);
  }
  return b;
}
