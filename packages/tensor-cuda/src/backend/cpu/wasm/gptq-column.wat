;; GPTQ's hot loop: after quantizing a column of a block, its error is spread over the rest of the
;; block, w[:, j] −= e·U[c, j] for every later column j (the reference's rank-1 matmul, then a
;; subtraction): rows × block²/2 products per block, most of GPTQ's time. f32x4.mul then
;; f32x4.sub are the same two IEEE float32 roundings per element as the reference's, so codes
;; stay bit-identical. Build: node packages/tensor-cuda/scripts/build-wasm.mjs.
(module
  (import "env" "memory" (memory 1))

  ;; for j < count: column j at $w (columns `rows` floats apart) −= err[0, rows) · f32[$u + 4j]
  (func (export "spread") (param $w i32) (param $e i32) (param $u i32) (param $rows i32) (param $count i32)
    (local $j i32) (local $r i32) (local $col i32) (local $end i32) (local $at i32)
    (local $uj f32) (local $us v128)
    (local.set $end (i32.and (local.get $rows) (i32.const -4)))
    (block $cols_done
      (loop $cols_loop
        (br_if $cols_done (i32.ge_u (local.get $j) (local.get $count)))
        (local.set $uj (f32.load (i32.add (local.get $u) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $us (f32x4.splat (local.get $uj)))
        (local.set $col (i32.add (local.get $w) (i32.shl (i32.mul (local.get $j) (local.get $rows)) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $vec_done
          (loop $vec_loop
            (br_if $vec_done (i32.ge_u (local.get $r) (local.get $end)))
            (local.set $at (i32.shl (local.get $r) (i32.const 2)))
            (v128.store align=4 (i32.add (local.get $col) (local.get $at))
              (f32x4.sub
                (v128.load align=4 (i32.add (local.get $col) (local.get $at)))
                (f32x4.mul (v128.load align=4 (i32.add (local.get $e) (local.get $at))) (local.get $us))))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (br $vec_loop)))
        (block $tail_done
          (loop $tail_loop
            (br_if $tail_done (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $at (i32.shl (local.get $r) (i32.const 2)))
            (f32.store (i32.add (local.get $col) (local.get $at))
              (f32.sub
                (f32.load (i32.add (local.get $col) (local.get $at)))
                (f32.mul (f32.load (i32.add (local.get $e) (local.get $at))) (local.get $uj))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $tail_loop)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols_loop))))
)
