;; Keras' Adam update over one variable, four float32 lanes at a time (WebAssembly SIMD).
;; Assembled at build time (scripts/build.mjs, with wabt) and used by src/probe/optimizer.ts.
;;
;;   m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;  d = alpha*m / (sqrt(v) + eps);  w -= d
;;
;; with alpha = lr*sqrt(1-b2^t)/(1-b1^t), c1 = 1-b1 and c2 = 1-b2 computed by the caller in float64
;; (1-b2 in float32 would be 1.3e-5 off). Arguments are byte offsets into the imported memory
;; (16-byte aligned), n the element count. Returns sum of d^2 (in float64) for the
;; update-to-weight ratio. All arithmetic is float32, as TensorFlow's Adam kernel does.
(module
  (import "env" "memory" (memory 1))
  (func (export "adam")
    (param $w i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $alpha f32) (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32) (param $eps f32)
    (result f64)
    (local $i i32) (local $end i32)
    (local $gk v128) (local $mk v128) (local $vk v128) (local $d v128) (local $dd v128)
    (local $vb1 v128) (local $vc1 v128) (local $vb2 v128) (local $vc2 v128) (local $veps v128) (local $valpha v128)
    (local $sg f32) (local $sm f32) (local $sv f32) (local $sd f32) (local $sum f64)
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vc1 (f32x4.splat (local.get $c1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vc2 (f32x4.splat (local.get $c2)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $valpha (f32x4.splat (local.get $alpha)))
    (local.set $dd (f64x2.splat (f64.const 0)))
    ;; Vector part: byte offsets 0 .. 16*floor(n/4).
    (local.set $end (i32.shl (i32.shr_u (local.get $n) (i32.const 2)) (i32.const 4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gk (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $mk (f32x4.add
          (f32x4.mul (local.get $vb1) (v128.load (i32.add (local.get $m) (local.get $i))))
          (f32x4.mul (local.get $vc1) (local.get $gk))))
        (local.set $vk (f32x4.add
          (f32x4.mul (local.get $vb2) (v128.load (i32.add (local.get $v) (local.get $i))))
          (f32x4.mul (local.get $vc2) (f32x4.mul (local.get $gk) (local.get $gk)))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mk))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vk))
        (local.set $d (f32x4.div
          (f32x4.mul (local.get $valpha) (local.get $mk))
          (f32x4.add (f32x4.sqrt (local.get $vk)) (local.get $veps))))
        (v128.store (i32.add (local.get $w) (local.get $i))
          (f32x4.sub (v128.load (i32.add (local.get $w) (local.get $i))) (local.get $d)))
        ;; sum of d^2 in float64: lanes 0-1, then lanes 2-3 moved down.
        (local.set $d (f32x4.mul (local.get $d) (local.get $d)))
        (local.set $dd (f64x2.add (local.get $dd) (f64x2.promote_low_f32x4 (local.get $d))))
        (local.set $dd (f64x2.add (local.get $dd) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $d) (local.get $d)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (local.set $sum (f64.add (f64x2.extract_lane 0 (local.get $dd)) (f64x2.extract_lane 1 (local.get $dd))))
    ;; Scalar tail: the last n mod 4 elements.
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $sg (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $sm (f32.add
          (f32.mul (local.get $b1) (f32.load (i32.add (local.get $m) (local.get $i))))
          (f32.mul (local.get $c1) (local.get $sg))))
        (local.set $sv (f32.add
          (f32.mul (local.get $b2) (f32.load (i32.add (local.get $v) (local.get $i))))
          (f32.mul (local.get $c2) (f32.mul (local.get $sg) (local.get $sg)))))
        (f32.store (i32.add (local.get $m) (local.get $i)) (local.get $sm))
        (f32.store (i32.add (local.get $v) (local.get $i)) (local.get $sv))
        (local.set $sd (f32.div (f32.mul (local.get $alpha) (local.get $sm)) (f32.add (f32.sqrt (local.get $sv)) (local.get $eps))))
        (f32.store (i32.add (local.get $w) (local.get $i)) (f32.sub (f32.load (i32.add (local.get $w) (local.get $i))) (local.get $sd)))
        (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32.mul (local.get $sd) (local.get $sd)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))
    (local.get $sum)))
