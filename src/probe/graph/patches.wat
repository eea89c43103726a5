;; The convolutional probe's data movement in WebAssembly SIMD, on the matmul arena's memory
;; (graph/patchKernels.ts binds it; kernels.ts has the same loops in JS, used where these can't
;; run and as the reference the unit tests compare against). Channels-last (NHWC) float32 data;
;; addresses are byte offsets, sizes are in elements.
;;
;;   im2col   copies each window row (a run of up to kw·c contiguous inputs) into its patch row
;;            (row stride ld); the caller zero-fills first where windows reach into padding.
;;   col2im   adds each patch row's runs back onto the input gradient (zeroed by the caller).
;;   maxpool  max over each window, 4 channels per vector (c must be a multiple of 4), with the
;;            index it took (argmax ≠ 0) and then relu (act 1) or leaky relu (act 2, slope).
;;   maxpool_back  scatters the pooled gradient to the argmax inputs (with the activation's derivative).
;;   activate out = relu (1) / leaky relu (2) of z, n elements.
(module
  (import "env" "memory" (memory 1))

  ;; dst[0..len) (+)= src[0..len), float32; add = 0 copies.
  (func $run (param $dst i32) (param $src i32) (param $len i32) (param $add i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.and (local.get $len) (i32.const -4)))
    (if (i32.eqz (local.get $add))
      (then (memory.copy (local.get $dst) (local.get $src) (i32.shl (local.get $len) (i32.const 2))) (return)))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (v128.store (local.get $dst)
          (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    (block $done2
      (loop $tail
        (br_if $done2 (i32.ge_u (local.get $i) (local.get $len)))
        (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  ;; Both directions of the patch matrix: back = 0 copies x → cols (im2col), back = 1 adds cols → x (col2im).
  (func $patches (param $x i32) (param $cols i32) (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (param $oh i32) (param $ow i32) (param $ld i32) (param $back i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $y i32)
    (local $kx0 i32) (local $kx1 i32) (local $len i32) (local $img i32) (local $row i32) (local $xo i32) (local $co i32)
    (local.set $b (i32.const 0))
    (loop $images
      (local.set $img (i32.mul (local.get $b) (i32.mul (i32.mul (local.get $h) (local.get $w)) (local.get $c))))
      (local.set $oy (i32.const 0))
      (loop $rows
        (local.set $ox (i32.const 0))
        (loop $cols_
          ;; kx0 = max(0, pl − ox·sw), kx1 = min(kw, w + pl − ox·sw)
          (local.set $kx0 (i32.sub (local.get $pl) (i32.mul (local.get $ox) (local.get $sw))))
          (if (i32.lt_s (local.get $kx0) (i32.const 0)) (then (local.set $kx0 (i32.const 0))))
          (local.set $kx1 (i32.sub (i32.add (local.get $w) (local.get $pl)) (i32.mul (local.get $ox) (local.get $sw))))
          (if (i32.gt_s (local.get $kx1) (local.get $kw)) (then (local.set $kx1 (local.get $kw))))
          (if (i32.gt_s (local.get $kx1) (local.get $kx0))
            (then
              (local.set $len (i32.mul (i32.sub (local.get $kx1) (local.get $kx0)) (local.get $c)))
              (local.set $ky (i32.const 0))
              (loop $window
                (local.set $y (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $sh)) (local.get $ky)) (local.get $pt)))
                (if (i32.and (i32.ge_s (local.get $y) (i32.const 0)) (i32.lt_s (local.get $y) (local.get $h)))
                  (then
                    ;; x element: img + (y·w + ox·sw + kx0 − pl)·c; patch element: row·ld + (ky·kw + kx0)·c
                    (local.set $xo (i32.add (local.get $x) (i32.shl
                      (i32.add (local.get $img) (i32.mul (local.get $c)
                        (i32.sub (i32.add (i32.add (i32.mul (local.get $y) (local.get $w)) (i32.mul (local.get $ox) (local.get $sw))) (local.get $kx0)) (local.get $pl))))
                      (i32.const 2))))
                    (local.set $co (i32.add (local.get $cols) (i32.shl
                      (i32.add (i32.mul (local.get $row) (local.get $ld))
                        (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $kw)) (local.get $kx0)) (local.get $c)))
                      (i32.const 2))))
                    (if (local.get $back)
                      (then (call $run (local.get $xo) (local.get $co) (local.get $len) (i32.const 1)))
                      (else (call $run (local.get $co) (local.get $xo) (local.get $len) (i32.const 0))))))
                (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
                (br_if $window (i32.lt_s (local.get $ky) (local.get $kh))))))
          (local.set $row (i32.add (local.get $row) (i32.const 1)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br_if $cols_ (i32.lt_s (local.get $ox) (local.get $ow))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br_if $rows (i32.lt_s (local.get $oy) (local.get $oh))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $images (i32.lt_s (local.get $b) (local.get $n)))))

  (func (export "im2col") (param $x i32) (param $cols i32) (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (param $oh i32) (param $ow i32) (param $ld i32)
    (call $patches (local.get $x) (local.get $cols) (local.get $n) (local.get $h) (local.get $w) (local.get $c)
      (local.get $kh) (local.get $kw) (local.get $sh) (local.get $sw) (local.get $pt) (local.get $pl)
      (local.get $oh) (local.get $ow) (local.get $ld) (i32.const 0)))

  (func (export "col2im") (param $cols i32) (param $x i32) (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (param $oh i32) (param $ow i32) (param $ld i32)
    (call $patches (local.get $x) (local.get $cols) (local.get $n) (local.get $h) (local.get $w) (local.get $c)
      (local.get $kh) (local.get $kw) (local.get $sh) (local.get $sw) (local.get $pt) (local.get $pl)
      (local.get $oh) (local.get $ow) (local.get $ld) (i32.const 1)))

  (func (export "maxpool") (param $x i32) (param $out i32) (param $argmax i32) (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (param $oh i32) (param $ow i32) (param $act i32) (param $slope f32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $y i32) (local $xx i32) (local $ch i32)
    (local $y0 i32) (local $y1 i32) (local $x0 i32) (local $x1 i32) (local $img i32) (local $e i32) (local $o i32)
    (local $v v128) (local $u v128) (local $idx v128) (local $mask v128) (local $iota v128)
    (local.set $iota (v128.const i32x4 0 1 2 3))
    (local.set $o (i32.const 0))
    (loop $images
      (local.set $img (i32.mul (local.get $b) (i32.mul (i32.mul (local.get $h) (local.get $w)) (local.get $c))))
      (local.set $oy (i32.const 0))
      (loop $rows
        (local.set $y0 (i32.sub (i32.mul (local.get $oy) (local.get $sh)) (local.get $pt)))
        (local.set $y1 (i32.add (local.get $y0) (local.get $kh)))
        (if (i32.lt_s (local.get $y0) (i32.const 0)) (then (local.set $y0 (i32.const 0))))
        (if (i32.gt_s (local.get $y1) (local.get $h)) (then (local.set $y1 (local.get $h))))
        (local.set $ox (i32.const 0))
        (loop $cols_
          (local.set $x0 (i32.sub (i32.mul (local.get $ox) (local.get $sw)) (local.get $pl)))
          (local.set $x1 (i32.add (local.get $x0) (local.get $kw)))
          (if (i32.lt_s (local.get $x0) (i32.const 0)) (then (local.set $x0 (i32.const 0))))
          (if (i32.gt_s (local.get $x1) (local.get $w)) (then (local.set $x1 (local.get $w))))
          (local.set $ch (i32.const 0))
          (loop $channels
            ;; The first element, not −∞: a NaN input still flows through.
            (local.set $e (i32.add (i32.add (local.get $img) (i32.mul (i32.add (i32.mul (local.get $y0) (local.get $w)) (local.get $x0)) (local.get $c))) (local.get $ch)))
            (local.set $v (v128.load (i32.add (local.get $x) (i32.shl (local.get $e) (i32.const 2)))))
            (local.set $idx (i32x4.add (i32x4.splat (local.get $e)) (local.get $iota)))
            (local.set $y (local.get $y0))
            (loop $wy
              (local.set $xx (local.get $x0))
              (loop $wx
                (local.set $e (i32.add (i32.add (local.get $img) (i32.mul (i32.add (i32.mul (local.get $y) (local.get $w)) (local.get $xx)) (local.get $c))) (local.get $ch)))
                (local.set $u (v128.load (i32.add (local.get $x) (i32.shl (local.get $e) (i32.const 2)))))
                (local.set $mask (f32x4.gt (local.get $u) (local.get $v)))
                (local.set $v (v128.bitselect (local.get $u) (local.get $v) (local.get $mask)))
                (local.set $idx (v128.bitselect (i32x4.add (i32x4.splat (local.get $e)) (local.get $iota)) (local.get $idx) (local.get $mask)))
                (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
                (br_if $wx (i32.lt_s (local.get $xx) (local.get $x1))))
              (local.set $y (i32.add (local.get $y) (i32.const 1)))
              (br_if $wy (i32.lt_s (local.get $y) (local.get $y1))))
            (if (i32.eq (local.get $act) (i32.const 1))
              (then (local.set $v (v128.bitselect (local.get $v) (v128.const f32x4 0 0 0 0)
                (v128.or (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)) (f32x4.ne (local.get $v) (local.get $v)))))))
            (if (i32.eq (local.get $act) (i32.const 2))
              (then (local.set $v (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (f32x4.splat (local.get $slope)))
                (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))))
            (v128.store (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 2))) (local.get $v))
            (if (local.get $argmax)
              (then (v128.store (i32.add (local.get $argmax) (i32.shl (local.get $o) (i32.const 2))) (local.get $idx))))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
            (br_if $channels (i32.lt_s (local.get $ch) (local.get $c))))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br_if $cols_ (i32.lt_s (local.get $ox) (local.get $ow))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br_if $rows (i32.lt_s (local.get $oy) (local.get $oh))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $images (i32.lt_s (local.get $b) (local.get $n)))))

  ;; Max pooling's backward pass: dx (insize, zeroed here) gets dy[o] at argmax[o], times the
  ;; activation's derivative read from the pooled output y (y = 0: none; else y > 0 ? 1 : low).
  (func (export "maxpool_back") (param $dy i32) (param $argmax i32) (param $dx i32) (param $insize i32) (param $count i32) (param $y i32) (param $low f32)
    (local $o i32) (local $g f32) (local $at i32)
    (memory.fill (local.get $dx) (i32.const 0) (i32.shl (local.get $insize) (i32.const 2)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $o) (local.get $count)))
        (local.set $g (f32.load (i32.add (local.get $dy) (i32.shl (local.get $o) (i32.const 2)))))
        (if (local.get $y)
          (then (local.set $g (select (local.get $g) (f32.mul (local.get $g) (local.get $low))
            (f32.gt (f32.load (i32.add (local.get $y) (i32.shl (local.get $o) (i32.const 2)))) (f32.const 0))))))
        (local.set $at (i32.add (local.get $dx) (i32.shl (i32.load (i32.add (local.get $argmax) (i32.shl (local.get $o) (i32.const 2)))) (i32.const 2))))
        (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (local.get $g)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $each))))

  (func (export "activate") (param $z i32) (param $out i32) (param $n i32) (param $act i32) (param $slope f32)
    (local $i i32) (local $v v128) (local $end i32)
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (local.get $z)))
        (if (i32.eq (local.get $act) (i32.const 1))
          (then (local.set $v (v128.and (local.get $v) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))))
        (if (i32.eq (local.get $act) (i32.const 2))
          (then (local.set $v (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (f32x4.splat (local.get $slope)))
            (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))))
        (v128.store (local.get $out) (local.get $v))
        (local.set $z (i32.add (local.get $z) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    (block $done2
      (loop $tail
        (br_if $done2 (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (f32x4.splat (f32.load (local.get $z))))
        (if (i32.eq (local.get $act) (i32.const 1))
          (then (local.set $v (v128.and (local.get $v) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))))
        (if (i32.eq (local.get $act) (i32.const 2))
          (then (local.set $v (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (f32x4.splat (local.get $slope)))
            (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))))
        (f32.store (local.get $out) (f32x4.extract_lane 0 (local.get $v)))
        (local.set $z (i32.add (local.get $z) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))
)
