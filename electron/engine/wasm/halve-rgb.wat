;; Halves interleaved RGB rows with WebAssembly SIMD: each output pixel is the rounded mean of a
;; 2x2 block, (a + b + c + d + 2) >> 2, as halveRectInto in pixels.ts computes it, about 3x faster.
;; Compiled into halve-rgb-wasm.ts by scripts/make-halve-rgb-wasm.ts.
(module
  (memory (export "memory") 1)
  ;; For v in [0, h): source rows min(2v, rows-1) and min(2v+1, rows-1) of the band at `src`
  ;; (row stride `stride`), output row v at dst + v * dstStride; `blocks` runs of 8 output pixels.
  (func (export "halve") (param $src i32) (param $stride i32) (param $rows i32) (param $dst i32) (param $dstStride i32) (param $h i32) (param $blocks i32)
    (local $v i32) (local $a i32) (local $b i32) (local $o i32) (local $k i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $b0 v128) (local $b1 v128) (local $b2 v128)
    (local $lo v128) (local $hi v128) (local $t v128) (local $two v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128)
    (local.set $two (i16x8.splat (i32.const 2)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $v) (local.get $h)))
        (local.set $a (i32.add (local.get $src) (i32.mul (local.get $stride)
          (select (i32.shl (local.get $v) (i32.const 1)) (i32.sub (local.get $rows) (i32.const 1))
            (i32.lt_u (i32.shl (local.get $v) (i32.const 1)) (local.get $rows))))))
        (local.set $b (i32.add (local.get $src) (i32.mul (local.get $stride)
          (select (i32.add (i32.shl (local.get $v) (i32.const 1)) (i32.const 1)) (i32.sub (local.get $rows) (i32.const 1))
            (i32.lt_u (i32.add (i32.shl (local.get $v) (i32.const 1)) (i32.const 1)) (local.get $rows))))))
        (local.set $o (i32.add (local.get $dst) (i32.mul (local.get $v) (local.get $dstStride))))
        (local.set $k (i32.const 0))
        (block $rowdone
          (loop $blk
            (br_if $rowdone (i32.ge_u (local.get $k) (local.get $blocks)))
            (local.set $a0 (v128.load (local.get $a)))
            (local.set $a1 (v128.load offset=16 (local.get $a)))
            (local.set $a2 (v128.load offset=32 (local.get $a)))
            (local.set $b0 (v128.load (local.get $b)))
            (local.set $b1 (v128.load offset=16 (local.get $b)))
            (local.set $b2 (v128.load offset=32 (local.get $b)))
            ;; Even pixels' bytes 0..15 (E_lo) and odd pixels' (O_lo), of both rows, widened and summed.
            (local.set $lo (i8x16.shuffle 0 1 2 6 7 8 12 13 14 18 19 20 24 25 26 30 (local.get $a0) (local.get $a1)))
            (local.set $t (i8x16.shuffle 3 4 5 9 10 11 15 16 17 21 22 23 27 28 29 0 (local.get $a0) (local.get $a1)))
            (local.set $hi (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 17 (local.get $t) (local.get $a2)))
            (local.set $s0 (i16x8.add (i16x8.extend_low_i8x16_u (local.get $lo)) (i16x8.extend_low_i8x16_u (local.get $hi))))
            (local.set $s1 (i16x8.add (i16x8.extend_high_i8x16_u (local.get $lo)) (i16x8.extend_high_i8x16_u (local.get $hi))))
            (local.set $lo (i8x16.shuffle 0 1 2 6 7 8 12 13 14 18 19 20 24 25 26 30 (local.get $b0) (local.get $b1)))
            (local.set $t (i8x16.shuffle 3 4 5 9 10 11 15 16 17 21 22 23 27 28 29 0 (local.get $b0) (local.get $b1)))
            (local.set $hi (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 17 (local.get $t) (local.get $b2)))
            (local.set $s0 (i16x8.add (local.get $s0) (i16x8.add (i16x8.extend_low_i8x16_u (local.get $lo)) (i16x8.extend_low_i8x16_u (local.get $hi)))))
            (local.set $s1 (i16x8.add (local.get $s1) (i16x8.add (i16x8.extend_high_i8x16_u (local.get $lo)) (i16x8.extend_high_i8x16_u (local.get $hi)))))
            ;; Bytes 16..23: even pixels from (a1, a2), odd from a2 alone.
            (local.set $s2 (i16x8.add
              (i16x8.add
                (i16x8.extend_low_i8x16_u (i8x16.shuffle 15 16 20 21 22 26 27 28 0 0 0 0 0 0 0 0 (local.get $a1) (local.get $a2)))
                (i16x8.extend_low_i8x16_u (i8x16.shuffle 2 3 7 8 9 13 14 15 0 0 0 0 0 0 0 0 (local.get $a2) (local.get $a2))))
              (i16x8.add
                (i16x8.extend_low_i8x16_u (i8x16.shuffle 15 16 20 21 22 26 27 28 0 0 0 0 0 0 0 0 (local.get $b1) (local.get $b2)))
                (i16x8.extend_low_i8x16_u (i8x16.shuffle 2 3 7 8 9 13 14 15 0 0 0 0 0 0 0 0 (local.get $b2) (local.get $b2))))))
            (v128.store (local.get $o) (i8x16.narrow_i16x8_u
              (i16x8.shr_u (i16x8.add (local.get $s0) (local.get $two)) (i32.const 2))
              (i16x8.shr_u (i16x8.add (local.get $s1) (local.get $two)) (i32.const 2))))
            (v128.store64_lane offset=16 0 (local.get $o) (i8x16.narrow_i16x8_u
              (i16x8.shr_u (i16x8.add (local.get $s2) (local.get $two)) (i32.const 2)) (local.get $two)))
            (local.set $a (i32.add (local.get $a) (i32.const 48)))
            (local.set $b (i32.add (local.get $b) (i32.const 48)))
            (local.set $o (i32.add (local.get $o) (i32.const 24)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $blk)))
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br $row)))))
