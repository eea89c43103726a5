;; General matrix products on float32 matrices in WebAssembly SIMD, for the probe's dense layers
;; and for convolutions lowered to matrix products (im2col). Assembled at build time
;; (scripts/assembleWat.mjs) twice: as written, with the relaxed-SIMD fused multiply-add, and with
;; every f32x4.relaxed_madd rewritten as f32x4.add(f32x4.mul) for runtimes without relaxed SIMD.
;; The TypeScript side (matmul.ts) picks one at run time and documents the API.
;;
;; All matrices are row-major in the imported memory; addresses are byte offsets, leading
;; dimensions (lda, ldb, ldc) are in elements. Reads may run up to 32 bytes past an operand's
;; last element (the results do not depend on what is there), so every operand needs 32
;; readable bytes after it: matmul.ts' arena leaves them.
;;
;;   gemm:    C = op(A)·B,  op(A) = A (transA = 0) or Aᵀ (transA = 1); C is m×n, k the inner size.
;;   gemm_bt: C = A·Bᵀ     (B is n×k).
;;
;; Epilogue, per element of C, in this order:
;;   flags & 1   accumulate: v += C (the old value)
;;   bias ≠ 0    v += bias[j] (a vector of n at that address)
;;   D = 0       activation (flags >> 1): 0 none, 1 relu max(v, 0), 2 leaky relu (v > 0 ? v : slope·v)
;;   D ≠ 0       derivative mask from D (same layout as C, typically the layer's activation output a):
;;               1 relu: v·[D > 0], 2 leaky relu: v·(D > 0 ? 1 : slope), 0: none
;;
;; Statistics helpers (forward-only passes and the backward pass, on the same memory):
;;   act_stats:   a = f(z) on a rows×units block, accumulating Σz, Σz², Σa, Σa² in float64 and
;;                each unit's max of z (NaN sticks); f: 0 copy, 1 relu, 2 leaky relu, 3 a given.
;;   histogram:   counts of a block in fixed bins, in float64 as the JS it replaces.
;;   col_sums:    out[j] = Σ_r d[r][j] in float32, row by row (bias gradients).
;;   sum_squares: Σ x² in float64.
;;   moments:     Σ x and Σ x² in float64 (weight statistics).
;;
;; Sparse products (the first layer: an MNIST digit lights ~150 of 784 pixels, and a product
;; with a zero input adds exactly nothing, so skipping zeros leaves every sum as it was):
;;   csr_build:     the nonzeros of a dense block, row by row (CSR), column numbers mapped.
;;   csr_from_bytes: the same from rows of bytes (pixels), values looked up in a table.
;;   csr_transpose: the same entries column by column (CSC), rows in increasing order.
;;   spmm:          C = S·B with the epilogue, S in CSR: C[r] = Σ_e val[e]·B[col[e]] over row r's
;;                  entries in order. With S = x it is x·W; with S = xᵀ (the transpose) it is
;;                  xᵀ·δ, the weight gradient, every row written (zeros for unused inputs).
;;
;; Register blocking: gemm keeps a 4×8 tile of C in eight f32x4 accumulators and walks k
;; broadcasting one element of op(A) per row against two vectors of a row of B, so both A
;; layouts are read in place with a stride; gemm_bt keeps a 2×4 tile as dot products along k
;; (rows of A and of B are both contiguous there) and reduces each to one lane at the end.
;; Edge tiles clamp their row addresses to the last row and store only the valid lanes.
(module
  (import "env" "memory" (memory 1))

  (func $min (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.lt_s (local.get $a) (local.get $b))))

  ;; The first `count` lanes at p (all four when count >= 4), zeros in the others.
  (func $load4 (param $p i32) (param $count i32) (result v128)
    (local $v v128)
    (if (i32.ge_u (local.get $count) (i32.const 4)) (then (return (v128.load (local.get $p)))))
    (local.set $v (f32x4.replace_lane 0 (v128.const i32x4 0 0 0 0) (f32.load (local.get $p))))
    (if (i32.ge_u (local.get $count) (i32.const 2))
      (then (local.set $v (f32x4.replace_lane 1 (local.get $v) (f32.load offset=4 (local.get $p))))))
    (if (i32.ge_u (local.get $count) (i32.const 3))
      (then (local.set $v (f32x4.replace_lane 2 (local.get $v) (f32.load offset=8 (local.get $p))))))
    (local.get $v))

  ;; Stores the first `count` lanes of v at p.
  (func $store4 (param $p i32) (param $v v128) (param $count i32)
    (if (i32.ge_u (local.get $count) (i32.const 4))
      (then (v128.store (local.get $p) (local.get $v)) (return)))
    (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $v)))
    (if (i32.ge_u (local.get $count) (i32.const 2))
      (then (f32.store offset=4 (local.get $p) (f32x4.extract_lane 1 (local.get $v)))))
    (if (i32.ge_u (local.get $count) (i32.const 3))
      (then (f32.store offset=8 (local.get $p) (f32x4.extract_lane 2 (local.get $v))))))

  ;; The epilogue on up to four consecutive elements of one row of C (see the header).
  (func $finish (param $v v128) (param $c i32) (param $bias i32) (param $d i32) (param $count i32) (param $flags i32) (param $slope f32)
    (local $act i32) (local $mask v128) (local $full i32)
    (local.set $full (i32.ge_u (local.get $count) (i32.const 4)))
    (if (i32.and (local.get $flags) (i32.const 1))
      (then (local.set $v (f32x4.add (local.get $v)
        (if (result v128) (local.get $full) (then (v128.load (local.get $c))) (else (call $load4 (local.get $c) (local.get $count))))))))
    (if (local.get $bias)
      (then (local.set $v (f32x4.add (local.get $v)
        (if (result v128) (local.get $full) (then (v128.load (local.get $bias))) (else (call $load4 (local.get $bias) (local.get $count))))))))
    (local.set $act (i32.shr_u (local.get $flags) (i32.const 1)))
    (if (local.get $d)
      (then
        (local.set $mask (f32x4.gt
          (if (result v128) (local.get $full) (then (v128.load (local.get $d))) (else (call $load4 (local.get $d) (local.get $count))))
          (v128.const f32x4 0 0 0 0)))
        (if (i32.eq (local.get $act) (i32.const 1))
          (then (local.set $v (v128.and (local.get $v) (local.get $mask)))))
        (if (i32.eq (local.get $act) (i32.const 2))
          (then (local.set $v (v128.bitselect (local.get $v)
            (f32x4.mul (local.get $v) (f32x4.splat (local.get $slope))) (local.get $mask))))))
      (else
        (if (i32.eq (local.get $act) (i32.const 1))
          (then (local.set $v (f32x4.max (local.get $v) (v128.const f32x4 0 0 0 0)))))
        (if (i32.eq (local.get $act) (i32.const 2))
          (then (local.set $v (v128.bitselect (local.get $v)
            (f32x4.mul (local.get $v) (f32x4.splat (local.get $slope)))
            (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))))))
    (if (local.get $full)
      (then (v128.store (local.get $c) (local.get $v)))
      (else (call $store4 (local.get $c) (local.get $v) (local.get $count)))))

  ;; Up to eight elements (two vectors) of row `row` of C from column j; cols = n - j.
  (func $rowOut (param $v0 v128) (param $v1 v128) (param $row i32) (param $j i32) (param $cols i32)
      (param $C i32) (param $ldc4 i32) (param $bias i32) (param $D i32) (param $flags i32) (param $slope f32)
    (local $at i32) (local $b i32) (local $d i32)
    (local.set $at (i32.add (i32.mul (local.get $row) (local.get $ldc4)) (i32.shl (local.get $j) (i32.const 2))))
    (if (local.get $bias) (then (local.set $b (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
    (if (local.get $D) (then (local.set $d (i32.add (local.get $D) (local.get $at)))))
    (call $finish (local.get $v0) (i32.add (local.get $C) (local.get $at)) (local.get $b) (local.get $d)
      (call $min (local.get $cols) (i32.const 4)) (local.get $flags) (local.get $slope))
    (if (i32.gt_s (local.get $cols) (i32.const 4))
      (then
        (if (local.get $b) (then (local.set $b (i32.add (local.get $b) (i32.const 16)))))
        (if (local.get $d) (then (local.set $d (i32.add (local.get $d) (i32.const 16)))))
        (call $finish (local.get $v1) (i32.add (i32.add (local.get $C) (local.get $at)) (i32.const 16)) (local.get $b) (local.get $d)
          (i32.sub (local.get $cols) (i32.const 4)) (local.get $flags) (local.get $slope)))))

  ;; C = op(A)·B with the epilogue; see the header.
  (func (export "gemm")
    (param $transA i32) (param $m i32) (param $n i32) (param $k i32)
    (param $A i32) (param $lda i32) (param $B i32) (param $ldb i32) (param $C i32) (param $ldc i32)
    (param $bias i32) (param $D i32) (param $flags i32) (param $slope f32)
    (local $sai i32) (local $sap i32) (local $ldb4 i32) (local $ldc4 i32) (local $last i32) (local $plain i32)
    (local $i i32) (local $j i32) (local $p i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $pb i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $forward i32) (local $floor v128) (local $bv0 v128) (local $bv1 v128)
    (if (i32.or (i32.le_s (local.get $m) (i32.const 0)) (i32.le_s (local.get $n) (i32.const 0))) (then (return)))
    (local.set $ldb4 (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $ldc4 (i32.shl (local.get $ldc) (i32.const 2)))
    ;; The forward pass's epilogue (bias, then relu or nothing), inlined for whole tiles:
    ;; max(v, 0) for relu, max(v, −∞) = v (NaN and −0 kept) otherwise.
    (local.set $forward (i32.and (i32.ne (local.get $bias) (i32.const 0))
      (i32.and (i32.eqz (local.get $D)) (i32.eqz (i32.and (local.get $flags) (i32.const -3))))))
    (local.set $floor (if (result v128) (i32.eq (local.get $flags) (i32.const 2))
      (then (v128.const f32x4 0 0 0 0)) (else (v128.const f32x4 -inf -inf -inf -inf))))
    ;; op(A)[i][p] is at A + i*sai + p*sap
    (if (local.get $transA)
      (then (local.set $sai (i32.const 4)) (local.set $sap (i32.shl (local.get $lda) (i32.const 2))))
      (else (local.set $sai (i32.shl (local.get $lda) (i32.const 2))) (local.set $sap (i32.const 4))))
    (local.set $last (i32.sub (local.get $m) (i32.const 1)))
    (local.set $plain (i32.eqz (i32.or (local.get $flags) (i32.or (local.get $bias) (local.get $D)))))
    (loop $rows
      (local.set $j (i32.const 0))
      (loop $cols
        (local.set $a0 (i32.add (local.get $A) (i32.mul (local.get $i) (local.get $sai))))
        (local.set $a1 (i32.add (local.get $A) (i32.mul (call $min (i32.add (local.get $i) (i32.const 1)) (local.get $last)) (local.get $sai))))
        (local.set $a2 (i32.add (local.get $A) (i32.mul (call $min (i32.add (local.get $i) (i32.const 2)) (local.get $last)) (local.get $sai))))
        (local.set $a3 (i32.add (local.get $A) (i32.mul (call $min (i32.add (local.get $i) (i32.const 3)) (local.get $last)) (local.get $sai))))
        (local.set $pb (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $c00 (v128.const i32x4 0 0 0 0))
        (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0))
        (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0))
        (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0))
        (local.set $c31 (v128.const i32x4 0 0 0 0))
        (local.set $p (local.get $k))
        (block $kDone
          (loop $kLoop
            (br_if $kDone (i32.eqz (local.get $p)))
            (local.set $b0 (v128.load (local.get $pb)))
            (local.set $b1 (v128.load offset=16 (local.get $pb)))
            (local.set $x (v128.load32_splat (local.get $a0)))
            (local.set $c00 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c00)))
            (local.set $c01 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c01)))
            (local.set $x (v128.load32_splat (local.get $a1)))
            (local.set $c10 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c10)))
            (local.set $c11 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c11)))
            (local.set $x (v128.load32_splat (local.get $a2)))
            (local.set $c20 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c20)))
            (local.set $c21 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c21)))
            (local.set $x (v128.load32_splat (local.get $a3)))
            (local.set $c30 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c30)))
            (local.set $c31 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c31)))
            (local.set $a0 (i32.add (local.get $a0) (local.get $sap)))
            (local.set $a1 (i32.add (local.get $a1) (local.get $sap)))
            (local.set $a2 (i32.add (local.get $a2) (local.get $sap)))
            (local.set $a3 (i32.add (local.get $a3) (local.get $sap)))
            (local.set $pb (i32.add (local.get $pb) (local.get $ldb4)))
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (br $kLoop)))
        ;; A whole tile with nothing to add or apply (weight gradients): eight plain stores.
        (if (i32.and (local.get $plain) (i32.and
              (i32.le_s (i32.add (local.get $i) (i32.const 4)) (local.get $m))
              (i32.le_s (i32.add (local.get $j) (i32.const 8)) (local.get $n))))
          (then
            (local.set $pb (i32.add (i32.add (local.get $C) (i32.mul (local.get $i) (local.get $ldc4))) (i32.shl (local.get $j) (i32.const 2))))
            (v128.store (local.get $pb) (local.get $c00))
            (v128.store offset=16 (local.get $pb) (local.get $c01))
            (local.set $pb (i32.add (local.get $pb) (local.get $ldc4)))
            (v128.store (local.get $pb) (local.get $c10))
            (v128.store offset=16 (local.get $pb) (local.get $c11))
            (local.set $pb (i32.add (local.get $pb) (local.get $ldc4)))
            (v128.store (local.get $pb) (local.get $c20))
            (v128.store offset=16 (local.get $pb) (local.get $c21))
            (local.set $pb (i32.add (local.get $pb) (local.get $ldc4)))
            (v128.store (local.get $pb) (local.get $c30))
            (v128.store offset=16 (local.get $pb) (local.get $c31)))
          (else
        (if (i32.and (local.get $forward) (i32.and
              (i32.le_s (i32.add (local.get $i) (i32.const 4)) (local.get $m))
              (i32.le_s (i32.add (local.get $j) (i32.const 8)) (local.get $n))))
          (then
            (local.set $bv0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $bv1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $pb (i32.add (i32.add (local.get $C) (i32.mul (local.get $i) (local.get $ldc4))) (i32.shl (local.get $j) (i32.const 2))))
            (v128.store (local.get $pb) (f32x4.max (f32x4.add (local.get $c00) (local.get $bv0)) (local.get $floor)))
            (v128.store offset=16 (local.get $pb) (f32x4.max (f32x4.add (local.get $c01) (local.get $bv1)) (local.get $floor)))
            (local.set $pb (i32.add (local.get $pb) (local.get $ldc4)))
            (v128.store (local.get $pb) (f32x4.max (f32x4.add (local.get $c10) (local.get $bv0)) (local.get $floor)))
            (v128.store offset=16 (local.get $pb) (f32x4.max (f32x4.add (local.get $c11) (local.get $bv1)) (local.get $floor)))
            (local.set $pb (i32.add (local.get $pb) (local.get $ldc4)))
            (v128.store (local.get $pb) (f32x4.max (f32x4.add (local.get $c20) (local.get $bv0)) (local.get $floor)))
            (v128.store offset=16 (local.get $pb) (f32x4.max (f32x4.add (local.get $c21) (local.get $bv1)) (local.get $floor)))
            (local.set $pb (i32.add (local.get $pb) (local.get $ldc4)))
            (v128.store (local.get $pb) (f32x4.max (f32x4.add (local.get $c30) (local.get $bv0)) (local.get $floor)))
            (v128.store offset=16 (local.get $pb) (f32x4.max (f32x4.add (local.get $c31) (local.get $bv1)) (local.get $floor))))
          (else
        (call $rowOut (local.get $c00) (local.get $c01) (local.get $i) (local.get $j) (i32.sub (local.get $n) (local.get $j))
          (local.get $C) (local.get $ldc4) (local.get $bias) (local.get $D) (local.get $flags) (local.get $slope))
        (if (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $m))
          (then (call $rowOut (local.get $c10) (local.get $c11) (i32.add (local.get $i) (i32.const 1)) (local.get $j) (i32.sub (local.get $n) (local.get $j))
            (local.get $C) (local.get $ldc4) (local.get $bias) (local.get $D) (local.get $flags) (local.get $slope))))
        (if (i32.lt_s (i32.add (local.get $i) (i32.const 2)) (local.get $m))
          (then (call $rowOut (local.get $c20) (local.get $c21) (i32.add (local.get $i) (i32.const 2)) (local.get $j) (i32.sub (local.get $n) (local.get $j))
            (local.get $C) (local.get $ldc4) (local.get $bias) (local.get $D) (local.get $flags) (local.get $slope))))
        (if (i32.lt_s (i32.add (local.get $i) (i32.const 3)) (local.get $m))
          (then (call $rowOut (local.get $c30) (local.get $c31) (i32.add (local.get $i) (i32.const 3)) (local.get $j) (i32.sub (local.get $n) (local.get $j))
            (local.get $C) (local.get $ldc4) (local.get $bias) (local.get $D) (local.get $flags) (local.get $slope))))))))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br_if $cols (i32.lt_s (local.get $j) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $rows (i32.lt_s (local.get $i) (local.get $m)))))

  ;; [Σa, Σb, Σc, Σd]: the four vectors' horizontal sums in one vector.
  (func $hsum4 (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result v128)
    (local $ab v128) (local $cd v128)
    ;; [a0+a2, b0+b2, a1+a3, b1+b3]
    (local.set $ab (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b))))
    (local.set $cd (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c) (local.get $d))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c) (local.get $d))))
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ab) (local.get $cd))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $ab) (local.get $cd))))

  ;; C = A·Bᵀ with the epilogue; A is m×k, B is n×k.
  (func (export "gemm_bt")
    (param $m i32) (param $n i32) (param $k i32)
    (param $A i32) (param $lda i32) (param $B i32) (param $ldb i32) (param $C i32) (param $ldc i32)
    (param $bias i32) (param $D i32) (param $flags i32) (param $slope f32)
    (local $lda4 i32) (local $ldb4 i32) (local $ldc4 i32) (local $kv i32) (local $o i32)
    (local $i i32) (local $j i32) (local $cols i32) (local $lastRow i32) (local $lastCol i32)
    (local $a0 i32) (local $a1 i32) (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $x0 v128) (local $x1 v128) (local $y v128) (local $mask v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local $at i32) (local $bj i32) (local $d i32) (local $backward i32)
    (if (i32.or (i32.le_s (local.get $m) (i32.const 0)) (i32.le_s (local.get $n) (i32.const 0))) (then (return)))
    (local.set $lda4 (i32.shl (local.get $lda) (i32.const 2)))
    (local.set $ldb4 (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $ldc4 (i32.shl (local.get $ldc) (i32.const 2)))
    ;; bytes of whole 4-element chunks of k; the rest (k mod 4) is read whole and masked
    (local.set $kv (i32.shl (i32.shr_u (local.get $k) (i32.const 2)) (i32.const 4)))
    (local.set $mask (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.and (local.get $k) (i32.const 3)))))
    (local.set $lastRow (i32.sub (local.get $m) (i32.const 1)))
    (local.set $lastCol (i32.sub (local.get $n) (i32.const 1)))
    ;; The backward pass's epilogue (relu's derivative: v where D > 0, else 0), inlined.
    (local.set $backward (i32.and (i32.ne (local.get $D) (i32.const 0))
      (i32.and (i32.eqz (local.get $bias)) (i32.eq (local.get $flags) (i32.const 2)))))
    (loop $rows
      (local.set $a0 (i32.add (local.get $A) (i32.mul (local.get $i) (local.get $lda4))))
      (local.set $a1 (i32.add (local.get $A) (i32.mul (call $min (i32.add (local.get $i) (i32.const 1)) (local.get $lastRow)) (local.get $lda4))))
      (local.set $j (i32.const 0))
      (loop $cols
        (local.set $b0 (i32.add (local.get $B) (i32.mul (local.get $j) (local.get $ldb4))))
        (local.set $b1 (i32.add (local.get $B) (i32.mul (call $min (i32.add (local.get $j) (i32.const 1)) (local.get $lastCol)) (local.get $ldb4))))
        (local.set $b2 (i32.add (local.get $B) (i32.mul (call $min (i32.add (local.get $j) (i32.const 2)) (local.get $lastCol)) (local.get $ldb4))))
        (local.set $b3 (i32.add (local.get $B) (i32.mul (call $min (i32.add (local.get $j) (i32.const 3)) (local.get $lastCol)) (local.get $ldb4))))
        (local.set $c00 (v128.const i32x4 0 0 0 0))
        (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c02 (v128.const i32x4 0 0 0 0))
        (local.set $c03 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0))
        (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c12 (v128.const i32x4 0 0 0 0))
        (local.set $c13 (v128.const i32x4 0 0 0 0))
        (local.set $o (i32.const 0))
        (block $kDone
          (loop $kLoop
            (br_if $kDone (i32.ge_u (local.get $o) (local.get $kv)))
            (local.set $x0 (v128.load (i32.add (local.get $a0) (local.get $o))))
            (local.set $x1 (v128.load (i32.add (local.get $a1) (local.get $o))))
            (local.set $y (v128.load (i32.add (local.get $b0) (local.get $o))))
            (local.set $c00 (f32x4.relaxed_madd (local.get $x0) (local.get $y) (local.get $c00)))
            (local.set $c10 (f32x4.relaxed_madd (local.get $x1) (local.get $y) (local.get $c10)))
            (local.set $y (v128.load (i32.add (local.get $b1) (local.get $o))))
            (local.set $c01 (f32x4.relaxed_madd (local.get $x0) (local.get $y) (local.get $c01)))
            (local.set $c11 (f32x4.relaxed_madd (local.get $x1) (local.get $y) (local.get $c11)))
            (local.set $y (v128.load (i32.add (local.get $b2) (local.get $o))))
            (local.set $c02 (f32x4.relaxed_madd (local.get $x0) (local.get $y) (local.get $c02)))
            (local.set $c12 (f32x4.relaxed_madd (local.get $x1) (local.get $y) (local.get $c12)))
            (local.set $y (v128.load (i32.add (local.get $b3) (local.get $o))))
            (local.set $c03 (f32x4.relaxed_madd (local.get $x0) (local.get $y) (local.get $c03)))
            (local.set $c13 (f32x4.relaxed_madd (local.get $x1) (local.get $y) (local.get $c13)))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $kLoop)))
        (if (i32.and (local.get $k) (i32.const 3))
          (then
            (local.set $x0 (v128.and (local.get $mask) (v128.load (i32.add (local.get $a0) (local.get $o)))))
            (local.set $x1 (v128.and (local.get $mask) (v128.load (i32.add (local.get $a1) (local.get $o)))))
            (local.set $y (v128.and (local.get $mask) (v128.load (i32.add (local.get $b0) (local.get $o)))))
            (local.set $c00 (f32x4.relaxed_madd (local.get $x0) (local.get $y) (local.get $c00)))
            (local.set $c10 (f32x4.relaxed_madd (local.get $x1) (local.get $y) (local.get $c10)))
            (local.set $y (v128.and (local.get $mask) (v128.load (i32.add (local.get $b1) (local.get $o)))))
            (local.set $c01 (f32x4.relaxed_madd (local.get $x0) (local.get $y) (local.get $c01)))
            (local.set $c11 (f32x4.relaxed_madd (local.get $x1) (local.get $y) (local.get $c11)))
            (local.set $y (v128.and (local.get $mask) (v128.load (i32.add (local.get $b2) (local.get $o)))))
            (local.set $c02 (f32x4.relaxed_madd (local.get $x0) (local.get $y) (local.get $c02)))
            (local.set $c12 (f32x4.relaxed_madd (local.get $x1) (local.get $y) (local.get $c12)))
            (local.set $y (v128.and (local.get $mask) (v128.load (i32.add (local.get $b3) (local.get $o)))))
            (local.set $c03 (f32x4.relaxed_madd (local.get $x0) (local.get $y) (local.get $c03)))
            (local.set $c13 (f32x4.relaxed_madd (local.get $x1) (local.get $y) (local.get $c13)))))
        (local.set $cols (call $min (i32.sub (local.get $n) (local.get $j)) (i32.const 4)))
        (if (local.get $bias) (then (local.set $bj (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $at (i32.add (i32.mul (local.get $i) (local.get $ldc4)) (i32.shl (local.get $j) (i32.const 2))))
        (if (local.get $D) (then (local.set $d (i32.add (local.get $D) (local.get $at)))))
        (if (i32.and (local.get $backward) (i32.eq (local.get $cols) (i32.const 4)))
          (then
            (v128.store (i32.add (local.get $C) (local.get $at)) (v128.and (call $hsum4 (local.get $c00) (local.get $c01) (local.get $c02) (local.get $c03))
              (f32x4.gt (v128.load (local.get $d)) (v128.const f32x4 0 0 0 0))))
            (if (i32.lt_s (local.get $i) (local.get $lastRow))
              (then
                (local.set $at (i32.add (local.get $at) (local.get $ldc4)))
                (v128.store (i32.add (local.get $C) (local.get $at)) (v128.and (call $hsum4 (local.get $c10) (local.get $c11) (local.get $c12) (local.get $c13))
                  (f32x4.gt (v128.load (i32.add (local.get $D) (local.get $at))) (v128.const f32x4 0 0 0 0)))))))
          (else
        (call $finish (call $hsum4 (local.get $c00) (local.get $c01) (local.get $c02) (local.get $c03))
          (i32.add (local.get $C) (local.get $at)) (local.get $bj) (local.get $d) (local.get $cols) (local.get $flags) (local.get $slope))
        (if (i32.lt_s (local.get $i) (local.get $lastRow))
          (then
            (local.set $at (i32.add (local.get $at) (local.get $ldc4)))
            (if (local.get $D) (then (local.set $d (i32.add (local.get $D) (local.get $at)))))
            (call $finish (call $hsum4 (local.get $c10) (local.get $c11) (local.get $c12) (local.get $c13))
              (i32.add (local.get $C) (local.get $at)) (local.get $bj) (local.get $d) (local.get $cols) (local.get $flags) (local.get $slope))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br_if $cols (i32.lt_s (local.get $j) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br_if $rows (i32.lt_s (local.get $i) (local.get $m)))))

  ;; a = f(z) on rows×units (row-major, contiguous, a may be z for f = copy/relu/leaky); see the
  ;; header. acc holds four f64 (Σz, Σz², Σa, Σa²) that are added to; umax holds units f32.
  (func (export "act_stats") (param $z i32) (param $a i32) (param $rows i32) (param $units i32)
      (param $act i32) (param $slope f32) (param $acc i32) (param $umax i32)
    (local $r i32) (local $j i32) (local $vec i32) (local $zp i32) (local $ap i32) (local $mp i32)
    (local $v v128) (local $w v128) (local $lo v128) (local $hi v128) (local $slopes v128)
    (local $sz v128) (local $szz v128) (local $sa v128) (local $saa v128)
    (local $x f32) (local $y f32) (local $xd f64) (local $yd f64)
    (local $tz f64) (local $tzz f64) (local $ta f64) (local $taa f64)
    (local.set $vec (i32.and (local.get $units) (i32.const -4)))
    (local.set $slopes (f32x4.splat (local.get $slope)))
    (local.set $zp (local.get $z))
    (local.set $ap (local.get $a))
    (block $done
      (loop $rowsLoop
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $mp (local.get $umax))
        (local.set $j (i32.const 0))
        (block $vDone
          (loop $vLoop
            (br_if $vDone (i32.ge_s (local.get $j) (local.get $vec)))
            (local.set $v (v128.load (local.get $zp)))
            (if (i32.eq (local.get $act) (i32.const 3))
              (then (local.set $w (v128.load (local.get $ap))))
              (else
                (local.set $w (local.get $v))
                (if (i32.eq (local.get $act) (i32.const 1))
                  (then (local.set $w (v128.and (local.get $v) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))))
                (if (i32.eq (local.get $act) (i32.const 2))
                  (then (local.set $w (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $slopes))
                    (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))))
                (v128.store (local.get $ap) (local.get $w))))
            (v128.store (local.get $mp) (f32x4.max (v128.load (local.get $mp)) (local.get $v)))
            (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
            (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
            (local.set $sz (f64x2.add (local.get $sz) (f64x2.add (local.get $lo) (local.get $hi))))
            (local.set $szz (f64x2.add (local.get $szz) (f64x2.add (f64x2.mul (local.get $lo) (local.get $lo)) (f64x2.mul (local.get $hi) (local.get $hi)))))
            (local.set $lo (f64x2.promote_low_f32x4 (local.get $w)))
            (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $w) (local.get $w))))
            (local.set $sa (f64x2.add (local.get $sa) (f64x2.add (local.get $lo) (local.get $hi))))
            (local.set $saa (f64x2.add (local.get $saa) (f64x2.add (f64x2.mul (local.get $lo) (local.get $lo)) (f64x2.mul (local.get $hi) (local.get $hi)))))
            (local.set $zp (i32.add (local.get $zp) (i32.const 16)))
            (local.set $ap (i32.add (local.get $ap) (i32.const 16)))
            (local.set $mp (i32.add (local.get $mp) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $vLoop)))
        (block $sDone
          (loop $sLoop
            (br_if $sDone (i32.ge_s (local.get $j) (local.get $units)))
            (local.set $x (f32.load (local.get $zp)))
            (if (i32.eq (local.get $act) (i32.const 3))
              (then (local.set $y (f32.load (local.get $ap))))
              (else
                (local.set $y (local.get $x))
                (if (i32.eq (local.get $act) (i32.const 1))
                  (then (local.set $y (select (local.get $x) (f32.const 0) (f32.gt (local.get $x) (f32.const 0))))))
                (if (i32.eq (local.get $act) (i32.const 2))
                  (then (local.set $y (select (local.get $x) (f32.mul (local.get $x) (local.get $slope)) (f32.gt (local.get $x) (f32.const 0))))))
                (f32.store (local.get $ap) (local.get $y))))
            (f32.store (local.get $mp) (f32.max (f32.load (local.get $mp)) (local.get $x)))
            (local.set $xd (f64.promote_f32 (local.get $x)))
            (local.set $yd (f64.promote_f32 (local.get $y)))
            (local.set $tz (f64.add (local.get $tz) (local.get $xd)))
            (local.set $tzz (f64.add (local.get $tzz) (f64.mul (local.get $xd) (local.get $xd))))
            (local.set $ta (f64.add (local.get $ta) (local.get $yd)))
            (local.set $taa (f64.add (local.get $taa) (f64.mul (local.get $yd) (local.get $yd))))
            (local.set $zp (i32.add (local.get $zp) (i32.const 4)))
            (local.set $ap (i32.add (local.get $ap) (i32.const 4)))
            (local.set $mp (i32.add (local.get $mp) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $sLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsLoop)))
    (f64.store (local.get $acc) (f64.add (f64.load (local.get $acc))
      (f64.add (local.get $tz) (f64.add (f64x2.extract_lane 0 (local.get $sz)) (f64x2.extract_lane 1 (local.get $sz))))))
    (f64.store offset=8 (local.get $acc) (f64.add (f64.load offset=8 (local.get $acc))
      (f64.add (local.get $tzz) (f64.add (f64x2.extract_lane 0 (local.get $szz)) (f64x2.extract_lane 1 (local.get $szz))))))
    (f64.store offset=16 (local.get $acc) (f64.add (f64.load offset=16 (local.get $acc))
      (f64.add (local.get $ta) (f64.add (f64x2.extract_lane 0 (local.get $sa)) (f64x2.extract_lane 1 (local.get $sa))))))
    (f64.store offset=24 (local.get $acc) (f64.add (f64.load offset=24 (local.get $acc))
      (f64.add (local.get $taa) (f64.add (f64x2.extract_lane 0 (local.get $saa)) (f64x2.extract_lane 1 (local.get $saa)))))))

  ;; Adds the n values at p to `bins` i32 counts at counts: bin floor((v − lo) / width) clamped to
  ;; [0, bins − 1], NaN as 0, in float64; returns how many have |v| < limit.
  (func (export "histogram") (param $p i32) (param $n i32) (param $lo f64) (param $width f64) (param $bins i32) (param $limit f64) (param $counts i32) (result i32)
    (local $end i32) (local $v f64) (local $k i32) (local $near i32) (local $at i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (f64.promote_f32 (f32.load (local.get $p))))
        (if (f64.ne (local.get $v) (local.get $v)) (then (local.set $v (f64.const 0))))
        (local.set $k (i32.trunc_sat_f64_s (f64.floor (f64.div (f64.sub (local.get $v) (local.get $lo)) (local.get $width)))))
        (if (i32.ge_s (local.get $k) (local.get $bins)) (then (local.set $k (i32.sub (local.get $bins) (i32.const 1)))))
        (if (i32.lt_s (local.get $k) (i32.const 0)) (then (local.set $k (i32.const 0))))
        (local.set $at (i32.add (local.get $counts) (i32.shl (local.get $k) (i32.const 2))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (local.set $near (i32.add (local.get $near) (f64.lt (f64.abs (local.get $v)) (local.get $limit))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $each)))
    (local.get $near))

  ;; out[j] = Σ_r d[r·units + j] for j < units, in float32, rows in order (out is overwritten).
  (func (export "col_sums") (param $d i32) (param $rows i32) (param $units i32) (param $out i32)
    (local $j i32) (local $r i32) (local $p i32) (local $s v128) (local $x f32) (local $stride i32) (local $vec i32)
    (local.set $stride (i32.shl (local.get $units) (i32.const 2)))
    (local.set $vec (i32.and (local.get $units) (i32.const -4)))
    (block $vDone
      (loop $vLoop
        (br_if $vDone (i32.ge_s (local.get $j) (local.get $vec)))
        (local.set $s (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $d) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rDone
          (loop $rLoop
            (br_if $rDone (i32.ge_s (local.get $r) (local.get $rows)))
            (local.set $s (f32x4.add (local.get $s) (v128.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rLoop)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))) (local.get $s))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vLoop)))
    (block $sDone
      (loop $sLoop
        (br_if $sDone (i32.ge_s (local.get $j) (local.get $units)))
        (local.set $x (f32.const 0))
        (local.set $p (i32.add (local.get $d) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rDone2
          (loop $rLoop2
            (br_if $rDone2 (i32.ge_s (local.get $r) (local.get $rows)))
            (local.set $x (f32.add (local.get $x) (f32.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rLoop2)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))) (local.get $x))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sLoop))))

  ;; Σ x² over the n float32 at p, in float64.
  (func (export "sum_squares") (param $p i32) (param $n i32) (result f64)
    (local $end i32) (local $vend i32) (local $v v128) (local $lo v128) (local $hi v128) (local $s0 v128) (local $s1 v128) (local $x f64) (local $t f64)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vDone
      (loop $vLoop
        (br_if $vDone (i32.ge_u (local.get $p) (local.get $vend)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
        (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $lo) (local.get $lo))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $hi) (local.get $hi))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vLoop)))
    (block $sDone
      (loop $sLoop
        (br_if $sDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (f64.promote_f32 (f32.load (local.get $p))))
        (local.set $t (f64.add (local.get $t) (f64.mul (local.get $x) (local.get $x))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $sLoop)))
    (local.set $s0 (f64x2.add (local.get $s0) (local.get $s1)))
    (f64.add (local.get $t) (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0)))))

  ;; The nonzeros of x (rows×width floats, row stride ldx): entry e gets col[e] = map[c] (an i32
  ;; per column of x) and val[e] = x[r][c], rows in order; ptr[r] = row r's first entry,
  ;; ptr[rows] = the count, which is returned. NaN counts as nonzero.
  (func (export "csr_build") (param $x i32) (param $rows i32) (param $width i32) (param $ldx i32)
      (param $map i32) (param $ptr i32) (param $col i32) (param $val i32) (result i32)
    (local $r i32) (local $c i32) (local $e i32) (local $p i32) (local $v f32) (local $ldx4 i32)
    (local.set $ldx4 (i32.shl (local.get $ldx) (i32.const 2)))
    (block $done
      (loop $rowsLoop
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (i32.store (i32.add (local.get $ptr) (i32.shl (local.get $r) (i32.const 2))) (local.get $e))
        (local.set $p (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $ldx4))))
        (local.set $c (i32.const 0))
        (block $cDone
          (loop $cLoop
            (br_if $cDone (i32.ge_s (local.get $c) (local.get $width)))
            ;; four zeros at once: the common case for pixels
            (if (i32.and
                  (i32.le_s (i32.add (local.get $c) (i32.const 4)) (local.get $width))
                  (i32.eqz (v128.any_true (f32x4.ne (v128.load (local.get $p)) (v128.const f32x4 0 0 0 0)))))
              (then
                (local.set $c (i32.add (local.get $c) (i32.const 4)))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $cLoop)))
            (local.set $v (f32.load (local.get $p)))
            (if (f32.ne (local.get $v) (f32.const 0))
              (then
                (i32.store (i32.add (local.get $col) (i32.shl (local.get $e) (i32.const 2)))
                  (i32.load (i32.add (local.get $map) (i32.shl (local.get $c) (i32.const 2)))))
                (f32.store (i32.add (local.get $val) (i32.shl (local.get $e) (i32.const 2))) (local.get $v))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $cLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsLoop)))
    (i32.store (i32.add (local.get $ptr) (i32.shl (local.get $rows) (i32.const 2))) (local.get $e))
    (local.get $e))

  ;; The CSR (rows, ptr, col, val) column by column: tptr (cols + 1 i32) and, per entry, its row
  ;; in tcol and value in tval; within a column the rows come in increasing order.
  (func (export "csr_transpose") (param $rows i32) (param $ptr i32) (param $col i32) (param $val i32)
      (param $cols i32) (param $tptr i32) (param $tcol i32) (param $tval i32)
    (local $r i32) (local $e i32) (local $end i32) (local $c i32) (local $at i32) (local $sum i32) (local $next i32)
    ;; counts per column in tptr[c + 1]
    (memory.fill (local.get $tptr) (i32.const 0) (i32.shl (i32.add (local.get $cols) (i32.const 1)) (i32.const 2)))
    (local.set $end (i32.load (i32.add (local.get $ptr) (i32.shl (local.get $rows) (i32.const 2)))))
    (block $cDone
      (loop $count
        (br_if $cDone (i32.ge_s (local.get $e) (local.get $end)))
        (local.set $at (i32.add (local.get $tptr)
          (i32.shl (i32.add (i32.load (i32.add (local.get $col) (i32.shl (local.get $e) (i32.const 2)))) (i32.const 1)) (i32.const 2))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $count)))
    ;; prefix sums: tptr[c] = first entry of column c
    (local.set $c (i32.const 1))
    (block $pDone
      (loop $prefix
        (br_if $pDone (i32.gt_s (local.get $c) (local.get $cols)))
        (local.set $at (i32.add (local.get $tptr) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $at))))
        (i32.store (local.get $at) (local.get $sum))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $prefix)))
    ;; scatter, column c's cursor in tptr[c] (each ends at the next column's start), then shift back
    (local.set $r (i32.const 0))
    (block $sDone
      (loop $rowsLoop
        (br_if $sDone (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $e (i32.load (i32.add (local.get $ptr) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $end (i32.load (i32.add (local.get $ptr) (i32.shl (i32.add (local.get $r) (i32.const 1)) (i32.const 2)))))
        (block $eDone
          (loop $entries
            (br_if $eDone (i32.ge_s (local.get $e) (local.get $end)))
            (local.set $c (i32.load (i32.add (local.get $col) (i32.shl (local.get $e) (i32.const 2)))))
            (local.set $at (i32.add (local.get $tptr) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $next (i32.load (local.get $at)))
            (i32.store (i32.add (local.get $tcol) (i32.shl (local.get $next) (i32.const 2))) (local.get $r))
            (f32.store (i32.add (local.get $tval) (i32.shl (local.get $next) (i32.const 2)))
              (f32.load (i32.add (local.get $val) (i32.shl (local.get $e) (i32.const 2)))))
            (i32.store (local.get $at) (i32.add (local.get $next) (i32.const 1)))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $entries)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsLoop)))
    ;; each cursor now sits at the next column's start: shift them up by one, tptr[0] = 0
    (local.set $c (local.get $cols))
    (block $hDone
      (loop $shift
        (br_if $hDone (i32.le_s (local.get $c) (i32.const 0)))
        (i32.store (i32.add (local.get $tptr) (i32.shl (local.get $c) (i32.const 2)))
          (i32.load (i32.add (local.get $tptr) (i32.shl (i32.sub (local.get $c) (i32.const 1)) (i32.const 2)))))
        (local.set $c (i32.sub (local.get $c) (i32.const 1)))
        (br $shift)))
    (i32.store (local.get $tptr) (i32.const 0)))

  ;; C = S·B with the epilogue (header), S rows×(rows of B) in CSR (ptr, col, val): C[r][j] = Σ
  ;; val[e]·B[col[e]][j] over row r's entries in order; a row without entries gets the epilogue of 0.
  (func (export "spmm") (param $rows i32) (param $n i32) (param $ptr i32) (param $col i32) (param $val i32)
      (param $B i32) (param $ldb i32) (param $C i32) (param $ldc i32) (param $bias i32) (param $D i32) (param $flags i32) (param $slope f32)
    (local $r i32) (local $j i32) (local $e i32) (local $e0 i32) (local $e1 i32) (local $ldb4 i32) (local $ldc4 i32)
    (local $pb i32) (local $q i32) (local $x v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $plain i32)
    (local.set $ldb4 (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $ldc4 (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $plain (i32.eqz (i32.or (local.get $flags) (i32.or (local.get $bias) (local.get $D)))))
    (block $done
      (loop $rowsLoop
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $e0 (i32.load (i32.add (local.get $ptr) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $e1 (i32.load (i32.add (local.get $ptr) (i32.shl (i32.add (local.get $r) (i32.const 1)) (i32.const 2)))))
        (local.set $j (i32.const 0))
        ;; 16 columns at a time in four accumulators: every multiply-add needs its own load of B
        ;; here, and more accumulators make V8 spill registers (measured: 8 run at a third the speed)
        (block $wideDone
          (loop $wide
            (br_if $wideDone (i32.gt_s (i32.add (local.get $j) (i32.const 16)) (local.get $n)))
            (local.set $c0 (v128.const i32x4 0 0 0 0))
            (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0))
            (local.set $c3 (v128.const i32x4 0 0 0 0))
            (local.set $e (local.get $e0))
            (block $eDone
              (loop $entries
                (br_if $eDone (i32.ge_s (local.get $e) (local.get $e1)))
                (local.set $q (i32.shl (local.get $e) (i32.const 2)))
                (local.set $x (v128.load32_splat (i32.add (local.get $val) (local.get $q))))
                (local.set $pb (i32.add (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2)))
                  (i32.mul (i32.load (i32.add (local.get $col) (local.get $q))) (local.get $ldb4))))
                (local.set $c0 (f32x4.relaxed_madd (local.get $x) (v128.load (local.get $pb)) (local.get $c0)))
                (local.set $c1 (f32x4.relaxed_madd (local.get $x) (v128.load offset=16 (local.get $pb)) (local.get $c1)))
                (local.set $c2 (f32x4.relaxed_madd (local.get $x) (v128.load offset=32 (local.get $pb)) (local.get $c2)))
                (local.set $c3 (f32x4.relaxed_madd (local.get $x) (v128.load offset=48 (local.get $pb)) (local.get $c3)))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))
                (br $entries)))
            (if (local.get $plain)
              (then
                ;; nothing to add or apply (weight gradients): four plain stores
                (local.set $pb (i32.add (i32.add (local.get $C) (i32.mul (local.get $r) (local.get $ldc4))) (i32.shl (local.get $j) (i32.const 2))))
                (v128.store (local.get $pb) (local.get $c0))
                (v128.store offset=16 (local.get $pb) (local.get $c1))
                (v128.store offset=32 (local.get $pb) (local.get $c2))
                (v128.store offset=48 (local.get $pb) (local.get $c3)))
              (else
                (call $rowOut (local.get $c0) (local.get $c1) (local.get $r) (local.get $j) (i32.const 8)
                  (local.get $C) (local.get $ldc4) (local.get $bias) (local.get $D) (local.get $flags) (local.get $slope))
                (call $rowOut (local.get $c2) (local.get $c3) (local.get $r) (i32.add (local.get $j) (i32.const 8)) (i32.const 8)
                  (local.get $C) (local.get $ldc4) (local.get $bias) (local.get $D) (local.get $flags) (local.get $slope))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $wide)))
        ;; the rest four columns at a time (the last vector partly: reads past B's row, stores only n - j)
        (block $narrowDone
          (loop $narrow
            (br_if $narrowDone (i32.ge_s (local.get $j) (local.get $n)))
            (local.set $c0 (v128.const i32x4 0 0 0 0))
            (local.set $e (local.get $e0))
            (block $e2Done
              (loop $entries2
                (br_if $e2Done (i32.ge_s (local.get $e) (local.get $e1)))
                (local.set $q (i32.shl (local.get $e) (i32.const 2)))
                (local.set $pb (i32.add (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2)))
                  (i32.mul (i32.load (i32.add (local.get $col) (local.get $q))) (local.get $ldb4))))
                (local.set $c0 (f32x4.relaxed_madd (v128.load32_splat (i32.add (local.get $val) (local.get $q))) (v128.load (local.get $pb)) (local.get $c0)))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))
                (br $entries2)))
            (call $rowOut (local.get $c0) (local.get $c0) (local.get $r) (local.get $j) (call $min (i32.sub (local.get $n) (local.get $j)) (i32.const 4))
              (local.get $C) (local.get $ldc4) (local.get $bias) (local.get $D) (local.get $flags) (local.get $slope))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $narrow)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsLoop))))

  ;; The nonzero bytes of `rows` rows of `size` bytes at src as a CSR (ptr, col, val): col = the
  ;; byte's place in its row, val = table[byte] (256 float32). Returns the number of entries.
  (func (export "csr_from_bytes") (param $src i32) (param $rows i32) (param $size i32) (param $table i32)
      (param $ptr i32) (param $col i32) (param $val i32) (result i32)
    (local $r i32) (local $c i32) (local $e i32) (local $p i32) (local $b i32) (local $stop i32)
    (block $done
      (loop $rowsLoop
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (i32.store (i32.add (local.get $ptr) (i32.shl (local.get $r) (i32.const 2))) (local.get $e))
        (local.set $p (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $size))))
        (local.set $c (i32.const 0))
        (block $cDone
          (loop $cLoop
            (br_if $cDone (i32.ge_s (local.get $c) (local.get $size)))
            ;; sixteen black pixels at once
            (if (i32.and
                  (i32.le_s (i32.add (local.get $c) (i32.const 16)) (local.get $size))
                  (i32.eqz (v128.any_true (v128.load (i32.add (local.get $p) (local.get $c))))))
              (then
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $cLoop)))
            (local.set $stop (call $min (i32.add (local.get $c) (i32.const 16)) (local.get $size)))
            (block $bDone
              (loop $bLoop
                (br_if $bDone (i32.ge_s (local.get $c) (local.get $stop)))
                (local.set $b (i32.load8_u (i32.add (local.get $p) (local.get $c))))
                (if (local.get $b)
                  (then
                    (i32.store (i32.add (local.get $col) (i32.shl (local.get $e) (i32.const 2))) (local.get $c))
                    (f32.store (i32.add (local.get $val) (i32.shl (local.get $e) (i32.const 2)))
                      (f32.load (i32.add (local.get $table) (i32.shl (local.get $b) (i32.const 2)))))
                    (local.set $e (i32.add (local.get $e) (i32.const 1)))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $bLoop)))
            (br $cLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsLoop)))
    (i32.store (i32.add (local.get $ptr) (i32.shl (local.get $rows) (i32.const 2))) (local.get $e))
    (local.get $e))

  ;; Adds Σ x and Σ x² (float64) over the n float32 at p to the two float64 at acc.
  (func (export "moments") (param $p i32) (param $n i32) (param $acc i32)
    (local $end i32) (local $vend i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local $s v128) (local $ss v128) (local $x f64) (local $t f64) (local $tt f64)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vDone
      (loop $vLoop
        (br_if $vDone (i32.ge_u (local.get $p) (local.get $vend)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
        (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
        (local.set $s (f64x2.add (local.get $s) (f64x2.add (local.get $lo) (local.get $hi))))
        (local.set $ss (f64x2.add (local.get $ss) (f64x2.add (f64x2.mul (local.get $lo) (local.get $lo)) (f64x2.mul (local.get $hi) (local.get $hi)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vLoop)))
    (block $sDone
      (loop $sLoop
        (br_if $sDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (f64.promote_f32 (f32.load (local.get $p))))
        (local.set $t (f64.add (local.get $t) (local.get $x)))
        (local.set $tt (f64.add (local.get $tt) (f64.mul (local.get $x) (local.get $x))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $sLoop)))
    (f64.store (local.get $acc) (f64.add (f64.load (local.get $acc))
      (f64.add (local.get $t) (f64.add (f64x2.extract_lane 0 (local.get $s)) (f64x2.extract_lane 1 (local.get $s))))))
    (f64.store offset=8 (local.get $acc) (f64.add (f64.load offset=8 (local.get $acc))
      (f64.add (local.get $tt) (f64.add (f64x2.extract_lane 0 (local.get $ss)) (f64x2.extract_lane 1 (local.get $ss)))))))
)
