;; Kernels for bfloat16 matrices kept at their checkpoint's width (WebAssembly SIMD, one thread).
;; Each matrix lives in a memory of its own with room after it for the kernels' operands, so the
;; weight is read in place: half the bytes a float32 copy would stream.
;;
;; bf16 → f32 is exact: the 16 bits are the high half of the float32 (a zero-extended lane
;; shifted left by 16). Build: node packages/tensor-cuda/scripts/build-wasm.mjs (wabt), which
;; writes half-kernels.wasm.ts beside this file.
(module
  (import "env" "memory" (memory 1))

  ;; y[n] = Σ_k x[k] · W[n, k] for n < rows; W bf16 row-major [rows, k] at $w, x f32 [k] at $x,
  ;; y f32 [rows] at $y. Sixteen weights per iteration into four accumulators (the adds' latency,
  ;; not the loads, would bound one accumulator); the k % 16 tail is scalar.
  (func (export "gemv") (param $w i32) (param $x i32) (param $y i32) (param $rows i32) (param $k i32)
    (local $row i32) (local $wp i32) (local $xp i32) (local $i i32) (local $end i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $v v128) (local $s f32)
    (local.set $end (i32.and (local.get $k) (i32.const -16)))
    (local.set $wp (local.get $w))
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $xp (local.get $x))
        (local.set $i (i32.const 0))
        (block $vec_done
          (loop $vec_loop
            (br_if $vec_done (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $v (v128.load align=2 (local.get $wp)))
            (local.set $a0 (f32x4.add (local.get $a0)
              (f32x4.mul (i32x4.shl (i32x4.extend_low_i16x8_u (local.get $v)) (i32.const 16))
                         (v128.load align=4 (local.get $xp)))))
            (local.set $a1 (f32x4.add (local.get $a1)
              (f32x4.mul (i32x4.shl (i32x4.extend_high_i16x8_u (local.get $v)) (i32.const 16))
                         (v128.load offset=16 align=4 (local.get $xp)))))
            (local.set $v (v128.load offset=16 align=2 (local.get $wp)))
            (local.set $a2 (f32x4.add (local.get $a2)
              (f32x4.mul (i32x4.shl (i32x4.extend_low_i16x8_u (local.get $v)) (i32.const 16))
                         (v128.load offset=32 align=4 (local.get $xp)))))
            (local.set $a3 (f32x4.add (local.get $a3)
              (f32x4.mul (i32x4.shl (i32x4.extend_high_i16x8_u (local.get $v)) (i32.const 16))
                         (v128.load offset=48 align=4 (local.get $xp)))))
            (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 64)))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vec_loop)))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1))
                                  (f32x4.add (local.get $a2) (local.get $a3))))
        (local.set $s (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
          (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (block $tail_done
          (loop $tail_loop
            (br_if $tail_done (i32.ge_u (local.get $i) (local.get $k)))
            (local.set $s (f32.add (local.get $s)
              (f32.mul (f32.load (local.get $xp))
                       (f32.reinterpret_i32 (i32.shl (i32.load16_u (local.get $wp)) (i32.const 16))))))
            (local.set $wp (i32.add (local.get $wp) (i32.const 2)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $tail_loop)))
        (f32.store (i32.add (local.get $y) (i32.shl (local.get $row) (i32.const 2))) (local.get $s))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows_loop))))

  ;; dst f32 [count] = widen(src bf16 [count]); eight at a time, the count % 8 tail scalar.
  (func (export "widen") (param $src i32) (param $dst i32) (param $count i32)
    (local $i i32) (local $end i32) (local $v v128)
    (local.set $end (i32.and (local.get $count) (i32.const -8)))
    (block $vec_done
      (loop $vec_loop
        (br_if $vec_done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load align=2 (local.get $src)))
        (v128.store align=4 (local.get $dst) (i32x4.shl (i32x4.extend_low_i16x8_u (local.get $v)) (i32.const 16)))
        (v128.store offset=16 align=4 (local.get $dst) (i32x4.shl (i32x4.extend_high_i16x8_u (local.get $v)) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $vec_loop)))
    (block $tail_done
      (loop $tail_loop
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $count)))
        (i32.store (local.get $dst) (i32.shl (i32.load16_u (local.get $src)) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 2)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail_loop))))
)
