"""An independent reader and writer of GPTQ checkpoints, written from the documented AutoGPTQ /
GPTQModel packing rules with nothing but numpy, to prove @shrinkray/gptq's layout both ways.

The rules (AutoGPTQ's QuantLinear.pack and GPTQModel's PackableQuantLinear, read for the facts):
  * qweight int32 [in * bits / 32, out]: the integer codes of the transposed weight, packed down
    the input axis; qzeros int32 [groups, out * bits / 32]: the zero points packed along the output
    axis. For 2, 4 and 8 bits a word holds 32 / bits values, value j at bits [j*bits, (j+1)*bits).
    For 3 bits three words hold 32 values: word 0 has values 0..9 at 3j and the low 2 bits of
    value 10 at bit 30; word 1 has value 10's top bit at bit 0, values 11..20 at 3j + 1 and the
    low bit of value 21 at bit 31; word 2 has value 21's top 2 bits at bits 0..1 and values
    22..31 at 3j + 2.
  * scales float16 [groups, out]; g_idx int32 [in], the group of each input column (act-order
    makes it non-monotone).
  * weight[o, i] = scales[g_idx[i], o] * (q[i, o] - zero[g_idx[i], o]).
  * `dynamic` (GPTQModel): per-module overrides keyed by regexes matched from the start of the
    module name, first match wins; "-:" keys leave the module unquantized (a float weight).
  * checkpoint_format "gptq" (v1) stores zero - 1 per field, and readers add 1 back per field
    (AutoGPTQ, vLLM); GPTQModel subtracts and adds 0x11111111-style constants per 32-bit word
    (2/4/8 bits). "gptq_v2" stores the zero point itself.

Commands (used by packages/gptq/src/peers.test.ts):
  decode DIR IDS_JSON OUT      dequantize DIR's checkpoint (GPTQ or float), run the Llama forward
                               on the token ids, write {logits} to OUT (safetensors)
  pack SRC DIR OPTIONS_JSON    RTN-quantize SRC's decoder Linears, pack them as OPTIONS say
                               (bits, group_size, sym, act_order, format, v1_style,
                               zero_point_zero, seed), write DIR (config.json with
                               quantization_config, model.safetensors) and DIR/reference.safetensors
                               with input_ids and the logits of the dequantized model
"""

import json
import re
import struct
import sys

import numpy as np

# ---- safetensors ------------------------------------------------------------------------------

DTYPES = {"F32": np.float32, "F16": np.float16, "I32": np.int32, "I64": np.int64, "I8": np.int8, "U8": np.uint8}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        raw = data[a:b]
        if info["dtype"] == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=np.dtype(DTYPES[info["dtype"]]).newbyteorder("<"))
        out[name] = arr.reshape(info["shape"])
    return out


def read_checkpoint(d):
    try:
        index = json.load(open(f"{d}/model.safetensors.index.json"))
    except FileNotFoundError:
        return read_safetensors(f"{d}/model.safetensors")
    out = {}
    for shard in sorted(set(index["weight_map"].values())):
        out.update(read_safetensors(f"{d}/{shard}"))
    return out


def write_safetensors(path, tensors):
    names = {np.dtype(np.float32): "F32", np.dtype(np.float16): "F16", np.dtype(np.int32): "I32"}
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": names[arr.dtype], "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


# ---- packing ----------------------------------------------------------------------------------

# Where each of the 32 values of a 3-bit triple of words lives: (word, shift) for its low part and,
# for the two values that straddle words, (word, shift, bits in the low part).
def _three_bit_slots():
    slots = []
    for j in range(10):
        slots.append([(0, 3 * j, 3)])
    slots.append([(0, 30, 2), (1, -2, 1)])  # value 10: low 2 bits in word 0, top bit at bit 0 of word 1
    for j in range(10):
        slots.append([(1, 3 * j + 1, 3)])
    slots.append([(1, 31, 1), (2, -1, 2)])  # value 21: low bit in word 1, top 2 bits in word 2
    for j in range(10):
        slots.append([(2, 3 * j + 2, 3)])
    return slots


THREE = _three_bit_slots()


def pack_line(values, bits, wrap_or=False):
    """32-bit words of one packed line. `wrap_or`: values are int64 that may be -1, OR'ed in as
    uint32 the way AutoGPTQ's packer does (a -1 sets every bit above its shift)."""
    words_per = 3 if bits == 3 else 1
    per = 32 if bits == 3 else 32 // bits
    n = len(values)
    out = np.zeros(n * bits // 32, dtype=np.uint64)
    for start in range(0, n, per):
        base = (start // per) * words_per
        for j in range(per):
            v = int(values[start + j])
            u = (v & 0xFFFFFFFF) if wrap_or else v
            if bits != 3:
                out[base] |= np.uint64((u << (bits * j)) & 0xFFFFFFFF)
                continue
            for word, shift, width in THREE[j]:
                if shift >= 0:
                    out[base + word] |= np.uint64((u << shift) & 0xFFFFFFFF)
                else:  # the high part of a straddling value: its bits above the low part
                    out[base + word] |= np.uint64(((u & 0x7) >> (-shift)) & ((1 << width) - 1))
    return out.astype(np.uint32).view(np.int32)


def unpack_line(words, n, bits):
    w = words.view(np.uint32).astype(np.int64)
    per = 32 if bits == 3 else 32 // bits
    words_per = 3 if bits == 3 else 1
    mask = (1 << bits) - 1
    out = np.zeros(n, dtype=np.int64)
    for start in range(0, n, per):
        base = (start // per) * words_per
        for j in range(per):
            if bits != 3:
                out[start + j] = (w[base] >> (bits * j)) & mask
                continue
            v = 0
            got = 0
            for word, shift, width in THREE[j]:
                if shift >= 0:
                    v |= ((w[base + word] >> shift) & ((1 << width) - 1)) << got
                else:
                    v |= (w[base + word] & ((1 << width) - 1)) << got
                got += width
            out[start + j] = v
    return out


def pack_qweight(q, bits):  # q int [in, out]
    return np.stack([pack_line(q[:, o], bits) for o in range(q.shape[1])], axis=1)


def unpack_qweight(qw, n_in, bits):
    return np.stack([unpack_line(qw[:, o], n_in, bits) for o in range(qw.shape[1])], axis=1)


def pack_qzeros(z, bits, wrap_or=False):  # z int [groups, out]
    return np.stack([pack_line(z[g], bits, wrap_or) for g in range(z.shape[0])], axis=0)


def unpack_qzeros(qz, n_out, bits):
    return np.stack([unpack_line(qz[g], n_out, bits) for g in range(qz.shape[0])], axis=0)


def word_pattern(bits):
    return sum(1 << s for s in range(0, 32, bits))


# ---- the model --------------------------------------------------------------------------------

LINEARS = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
           "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]


def dequantize(t, prefix, cfg, n_in):
    bits = cfg["bits"]
    qw, qz, sc = t[f"{prefix}.qweight"], t[f"{prefix}.qzeros"], t[f"{prefix}.scales"].astype(np.float64)
    n_out = qw.shape[1]
    gs = cfg["group_size"] if cfg["group_size"] != -1 else n_in
    g_idx = t.get(f"{prefix}.g_idx", np.arange(n_in) // gs).astype(np.int64)
    q = unpack_qweight(qw, n_in, bits)
    fmt = cfg.get("checkpoint_format") or cfg.get("format") or "gptq"
    if fmt == "gptq_v2":
        z = unpack_qzeros(qz, n_out, bits)
    else:
        z = unpack_qzeros(qz, n_out, bits) + 1  # per field, no wrap: AutoGPTQ's and vLLM's reading
    return (sc[g_idx] * (q - z[g_idx])).T  # [out, in]


def module_config(q, name):
    """GPTQModel's `dynamic`: the first key whose regex matches the module name from its start
    (Python's re.match) decides; "-:" leaves the module unquantized, "+:" or a bare key overrides
    the settings it names. None: the module is not quantized."""
    for key, override in (q.get("dynamic") or {}).items():
        pattern = key[2:] if key.startswith(("-:", "+:")) else key
        if re.match(pattern, name):
            return None if key.startswith("-:") else {**q, **override}
    return q


def weights_of(d):
    config = json.load(open(f"{d}/config.json"))
    t = read_checkpoint(d)
    q = config.get("quantization_config")
    if q is not None and q.get("quant_method") != "gptq":
        raise SystemExit(f"{d}: quant_method {q.get('quant_method')} is not read by this peer")

    def linear(name, n_in):
        cfg = module_config(q, name) if q is not None else None
        if cfg is None or (name == "lm_head" and not q.get("lm_head")):
            return t[f"{name}.weight"].astype(np.float64)  # a float layer: missing is an error
        if f"{name}.weight" in t:
            raise SystemExit(f"{d}: {name} is quantized by the config but stored as a float weight")
        return dequantize(t, name, cfg, n_in)

    return config, t, linear


def forward(d, ids):
    config, t, linear = weights_of(d)
    if config.get("model_type") not in ("llama", "mistral", "qwen2"):
        raise SystemExit(f"{d}: model_type {config.get('model_type')} is not run by this peer")
    if config.get("rope_scaling"):
        raise SystemExit(f"{d}: rope_scaling is not supported by this peer")
    D = config["hidden_size"]
    H = config["num_attention_heads"]
    KV = config.get("num_key_value_heads", H)
    hd = config.get("head_dim") or D // H
    F = config["intermediate_size"]
    eps = config.get("rms_norm_eps", 1e-6)
    theta = config.get("rope_theta", 10000.0)
    f64 = lambda name: t[name].astype(np.float64)  # noqa: E731

    def rms(x, w):
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w

    T = len(ids)
    pos = np.arange(T)
    inv = 1.0 / (theta ** (np.arange(0, hd, 2) / hd))
    ang = np.concatenate([np.outer(pos, inv)] * 2, axis=1)
    cos, sin = np.cos(ang), np.sin(ang)

    def rope(x):  # [T, heads, hd]
        half = np.concatenate([-x[..., hd // 2:], x[..., : hd // 2]], axis=-1)
        return x * cos[:, None, :] + half * sin[:, None, :]

    h = f64("model.embed_tokens.weight")[ids]
    mask = np.triu(np.full((T, T), -np.inf), 1)
    for layer in range(config["num_hidden_layers"]):
        p = f"model.layers.{layer}"

        def proj(name, x, n_in):
            y = x @ linear(f"{p}.{name}", n_in).T
            return y + f64(f"{p}.{name}.bias") if f"{p}.{name}.bias" in t else y

        x = rms(h, f64(f"{p}.input_layernorm.weight"))
        q = rope(proj("self_attn.q_proj", x, D).reshape(T, H, hd))
        k = rope(proj("self_attn.k_proj", x, D).reshape(T, KV, hd))
        v = proj("self_attn.v_proj", x, D).reshape(T, KV, hd)
        k = np.repeat(k, H // KV, axis=1)
        v = np.repeat(v, H // KV, axis=1)
        s = np.einsum("thd,uhd->htu", q, k) / np.sqrt(hd) + mask
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        o = np.einsum("htu,uhd->thd", s, v).reshape(T, H * hd)
        h = h + proj("self_attn.o_proj", o, H * hd)
        x = rms(h, f64(f"{p}.post_attention_layernorm.weight"))
        g = proj("mlp.gate_proj", x, D)
        h = h + proj("mlp.down_proj", (g / (1 + np.exp(-g))) * proj("mlp.up_proj", x, D), F)
    h = rms(h, f64("model.norm.weight"))
    if "lm_head.weight" not in t and "lm_head.qweight" not in t:  # tied to the embedding
        return h @ f64("model.embed_tokens.weight").T
    return h @ linear("lm_head", D).T


# ---- an independent packer --------------------------------------------------------------------


def rtn(w, bits, gs, sym, act_order, rng, zero_point_zero=False):
    """Round-to-nearest on GPTQ's min/max grid; act-order permutes which columns share a group.
    `zero_point_zero`: output 0 gets only non-negative weights in group 0, so that its asymmetric
    zero point is 0."""
    n_out, n_in = w.shape
    maxq = 2 ** bits - 1
    gs = n_in if gs == -1 else gs
    order = rng.permutation(n_in) if act_order else np.arange(n_in)
    g_idx = np.empty(n_in, dtype=np.int64)
    g_idx[order] = np.arange(n_in) // gs
    if zero_point_zero:
        w = w.copy()
        w[0, g_idx == 0] = np.abs(w[0, g_idx == 0])
    groups = -(-n_in // gs)
    scales = np.zeros((groups, n_out))
    zeros = np.zeros((groups, n_out), dtype=np.int64)
    for g in range(groups):
        cols = w[:, g_idx == g]
        lo = np.minimum(cols.min(axis=1), 0)
        hi = np.maximum(cols.max(axis=1), 0)
        if sym:
            hi = np.maximum(-lo, hi)
            lo = np.where(lo < 0, -hi, lo)
        flat = (lo == 0) & (hi == 0)
        lo, hi = np.where(flat, -1, lo), np.where(flat, 1, hi)
        s = (hi - lo) / maxq
        scales[g] = np.float16(s).astype(np.float64)  # the file's float16 scales are the grid
        zeros[g] = np.full(n_out, (maxq + 1) // 2) if sym else np.round(-lo / scales[g]).astype(np.int64)
    q = np.clip(np.round(w / scales[g_idx].T) + zeros[g_idx].T, 0, maxq).astype(np.int64)  # [out, in]
    return q, scales, zeros, g_idx


def pack(src, dst, opts):
    import os

    rng = np.random.default_rng(opts.get("seed", 0))
    bits, gs, sym = opts["bits"], opts["group_size"], opts["sym"]
    fmt = opts.get("format", "gptq")
    config = json.load(open(f"{src}/config.json"))
    t = {k: v.astype(np.float32) if v.dtype.kind == "f" else v for k, v in read_checkpoint(src).items()}
    out = {}
    for name, arr in t.items():
        prefix = name[: -len(".weight")]
        if not (name.endswith(".weight") and any(prefix.endswith(l) for l in LINEARS)):
            out[name] = arr
            continue
        w = arr.astype(np.float64)
        force = bool(opts.get("zero_point_zero")) and prefix.endswith("layers.0.self_attn.q_proj")
        q, scales, zeros, g_idx = rtn(w, bits, gs, sym, opts.get("act_order", False), rng, force)
        out[f"{prefix}.qweight"] = pack_qweight(q.T, bits)
        if fmt == "gptq_v2":
            qz = pack_qzeros(zeros, bits)
        elif opts.get("v1_style") == "gptqmodel":
            # GPTQModel: pack v2, then subtract 0x..0101 from each 32-bit word (borrows included).
            v2 = pack_qzeros(zeros, bits).view(np.uint32).astype(np.int64)
            qz = ((v2 - word_pattern(bits)) & 0xFFFFFFFF).astype(np.uint32).view(np.int32)
        else:
            qz = pack_qzeros(zeros - 1, bits, wrap_or=True)  # AutoGPTQ: zeros - 1 as uint32, OR'ed
        out[f"{prefix}.qzeros"] = qz
        out[f"{prefix}.scales"] = scales.astype(np.float16)
        out[f"{prefix}.g_idx"] = g_idx.astype(np.int32)
    qc = {"bits": bits, "group_size": gs, "desc_act": bool(opts.get("act_order")), "sym": sym,
          "quant_method": "gptq", "checkpoint_format": fmt}
    if opts.get("v1_style") == "gptqmodel":
        qc["meta"] = {"quantizer": ["gptqmodel:4.2.5"]}
    os.makedirs(dst, exist_ok=True)
    write_safetensors(f"{dst}/model.safetensors", out)
    json.dump({**config, "quantization_config": qc}, open(f"{dst}/config.json", "w"), indent=2)
    ids = np.array(opts.get("ids", [1, 5, 9, 2, 7, 3, 11, 4]), dtype=np.int64)
    logits = forward_with_weights(config, out, qc, ids)
    ref = {"input_ids": ids.astype(np.int32)[None], "logits": logits.astype(np.float32)[None]}
    write_safetensors(f"{dst}/reference.safetensors", ref)


def forward_with_weights(config, tensors, qc, ids):
    """forward() on in-memory tensors, reading v1 zero points as their writer meant them."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        fixed = dict(tensors)
        if qc["checkpoint_format"] == "gptq":
            for k, v in tensors.items():
                if k.endswith(".qzeros"):
                    n_out = tensors[k[: -len("qzeros")] + "qweight"].shape[1]
                    fixed[k] = pack_qzeros(intended_zeros(v, n_out, qc), qc["bits"])
            fixed_qc = {**qc, "checkpoint_format": "gptq_v2"}
        else:
            fixed_qc = qc
        write_safetensors(f"{d}/model.safetensors", fixed)
        json.dump({**config, "quantization_config": fixed_qc}, open(f"{d}/config.json", "w"))
        return forward(d, ids)


def intended_zeros(qz, n_out, qc):
    """The zero points a v1 writer meant: GPTQModel's word addition, else AutoGPTQ's field + 1
    (where its OR spilled, the field reads 2^bits - 1 and the zero point is lost: 2^bits wraps to 0)."""
    bits = qc["bits"]
    if qc.get("meta", {}).get("quantizer"):
        w = (qz.view(np.uint32).astype(np.int64) + word_pattern(bits)) & 0xFFFFFFFF
        return unpack_qzeros(w.astype(np.uint32).view(np.int32), n_out, bits)
    return (unpack_qzeros(qz, n_out, bits) + 1) & ((1 << bits) - 1)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "decode":
        d, ids_json, out = sys.argv[2:5]
        ids = np.array(json.loads(ids_json), dtype=np.int64)
        write_safetensors(out, {"logits": forward(d, ids).astype(np.float32)[None]})
    elif cmd == "pack":
        pack(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))
    else:
        raise SystemExit(__doc__)
