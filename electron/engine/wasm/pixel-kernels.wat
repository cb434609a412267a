;; The engine's pixel kernels in WebAssembly, each the JS loop's result bit for bit:
;; - halve (SIMD): interleaved RGB rows at half size, each output pixel the rounded mean of a 2x2
;;   block, (a + b + c + d + 2) >> 2, as halveRectInto in pixels.ts computes it, about 3x faster;
;; - ycbcr_to_rgb (SIMD): full-range YCbCr to RGB in place, in libjpeg's fixed point, as ycbcrToRgbInPlace;
;; - paint_whole, paint_bilinear, over_white: the stitching compositor's pixel loops
;;   (formats/tile-compositor.ts: pixman's 8-bit and float paths, float32 rounding included);
;; - lzw_decode, unpredict8: TIFF's LZW (codecs/bounded-decoders.ts' lzwDecodeInto, bounded by its
;;   output) and Predictor 2 on 8-bit samples (as geotiff undoes it).
;; Compiled into pixel-kernels-wasm.ts by scripts/make-pixel-kernels-wasm.ts.
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
        (br $row))))
  ;; `blocks` runs of 16 interleaved YCbCr pixels at $p become RGB in place. Per pixel, with
  ;; Cb and Cr less 128 as i16: R = Y + ((91881 Cr + 32768) >> 16), B = Y + ((116130 Cb + 32768) >> 16),
  ;; G = Y + ((-22554 Cb - 46802 Cr + 32768) >> 16), saturated to 0..255. The multipliers past i16 are
  ;; split (91881 = 3 x 30627, 116130 = 5 x 23226, 46802 = 2 x 23401) so the products are exact in i32.
  (func $term (param $d v128) (param $k v128) (result v128)
    ;; ((d * k + 32768) >> 16) for eight i16 lanes, the products in i32.
    (i16x8.narrow_i32x4_s
      (i32x4.shr_s (i32x4.add (i32x4.extmul_low_i16x8_s (local.get $d) (local.get $k)) (v128.const i32x4 32768 32768 32768 32768)) (i32.const 16))
      (i32x4.shr_s (i32x4.add (i32x4.extmul_high_i16x8_s (local.get $d) (local.get $k)) (v128.const i32x4 32768 32768 32768 32768)) (i32.const 16))))
  (func $green (param $cb v128) (param $cr2 v128) (result v128)
    (i16x8.narrow_i32x4_s
      (i32x4.shr_s (i32x4.add (i32x4.add
        (i32x4.extmul_low_i16x8_s (local.get $cb) (v128.const i16x8 -22554 -22554 -22554 -22554 -22554 -22554 -22554 -22554))
        (i32x4.extmul_low_i16x8_s (local.get $cr2) (v128.const i16x8 -23401 -23401 -23401 -23401 -23401 -23401 -23401 -23401)))
        (v128.const i32x4 32768 32768 32768 32768)) (i32.const 16))
      (i32x4.shr_s (i32x4.add (i32x4.add
        (i32x4.extmul_high_i16x8_s (local.get $cb) (v128.const i16x8 -22554 -22554 -22554 -22554 -22554 -22554 -22554 -22554))
        (i32x4.extmul_high_i16x8_s (local.get $cr2) (v128.const i16x8 -23401 -23401 -23401 -23401 -23401 -23401 -23401 -23401)))
        (v128.const i32x4 32768 32768 32768 32768)) (i32.const 16))))
  (func (export "ycbcr_to_rgb") (param $p i32) (param $blocks i32)
    (local $k i32) (local $v0 v128) (local $v1 v128) (local $v2 v128)
    (local $y v128) (local $cb v128) (local $cr v128) (local $r v128) (local $g v128) (local $b v128)
    (local $yl v128) (local $yh v128) (local $cbl v128) (local $cbh v128) (local $crl v128) (local $crh v128)
    (block $done
      (loop $blk
        (br_if $done (i32.ge_u (local.get $k) (local.get $blocks)))
        (local.set $v0 (v128.load (local.get $p)))
        (local.set $v1 (v128.load offset=16 (local.get $p)))
        (local.set $v2 (v128.load offset=32 (local.get $p)))
        ;; Each channel's 16 bytes: its first 10 or 11 from the first two vectors, the rest from the third.
        (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 17 20 23 26 29
          (i8x16.shuffle 0 3 6 9 12 15 18 21 24 27 30 0 0 0 0 0 (local.get $v0) (local.get $v1)) (local.get $v2)))
        (local.set $cb (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 18 21 24 27 30
          (i8x16.shuffle 1 4 7 10 13 16 19 22 25 28 31 0 0 0 0 0 (local.get $v0) (local.get $v1)) (local.get $v2)))
        (local.set $cr (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 16 19 22 25 28 31
          (i8x16.shuffle 2 5 8 11 14 17 20 23 26 29 0 0 0 0 0 0 (local.get $v0) (local.get $v1)) (local.get $v2)))
        (local.set $yl (i16x8.extend_low_i8x16_u (local.get $y)))
        (local.set $yh (i16x8.extend_high_i8x16_u (local.get $y)))
        (local.set $cbl (i16x8.sub (i16x8.extend_low_i8x16_u (local.get $cb)) (v128.const i16x8 128 128 128 128 128 128 128 128)))
        (local.set $cbh (i16x8.sub (i16x8.extend_high_i8x16_u (local.get $cb)) (v128.const i16x8 128 128 128 128 128 128 128 128)))
        (local.set $crl (i16x8.sub (i16x8.extend_low_i8x16_u (local.get $cr)) (v128.const i16x8 128 128 128 128 128 128 128 128)))
        (local.set $crh (i16x8.sub (i16x8.extend_high_i8x16_u (local.get $cr)) (v128.const i16x8 128 128 128 128 128 128 128 128)))
        (local.set $r (i8x16.narrow_i16x8_u
          (i16x8.add (local.get $yl) (call $term (i16x8.mul (local.get $crl) (v128.const i16x8 3 3 3 3 3 3 3 3)) (v128.const i16x8 30627 30627 30627 30627 30627 30627 30627 30627)))
          (i16x8.add (local.get $yh) (call $term (i16x8.mul (local.get $crh) (v128.const i16x8 3 3 3 3 3 3 3 3)) (v128.const i16x8 30627 30627 30627 30627 30627 30627 30627 30627)))))
        (local.set $b (i8x16.narrow_i16x8_u
          (i16x8.add (local.get $yl) (call $term (i16x8.mul (local.get $cbl) (v128.const i16x8 5 5 5 5 5 5 5 5)) (v128.const i16x8 23226 23226 23226 23226 23226 23226 23226 23226)))
          (i16x8.add (local.get $yh) (call $term (i16x8.mul (local.get $cbh) (v128.const i16x8 5 5 5 5 5 5 5 5)) (v128.const i16x8 23226 23226 23226 23226 23226 23226 23226 23226)))))
        (local.set $g (i8x16.narrow_i16x8_u
          (i16x8.add (local.get $yl) (call $green (local.get $cbl) (i16x8.shl (local.get $crl) (i32.const 1))))
          (i16x8.add (local.get $yh) (call $green (local.get $cbh) (i16x8.shl (local.get $crh) (i32.const 1))))))
        ;; Interleaved again: R and G first, then B into every third byte.
        (v128.store (local.get $p) (i8x16.shuffle 0 1 16 3 4 17 6 7 18 9 10 19 12 13 20 15
          (i8x16.shuffle 0 16 0 1 17 0 2 18 0 3 19 0 4 20 0 5 (local.get $r) (local.get $g)) (local.get $b)))
        (v128.store offset=16 (local.get $p) (i8x16.shuffle 0 21 2 3 22 5 6 23 8 9 24 11 12 25 14 15
          (i8x16.shuffle 21 0 6 22 0 7 23 0 8 24 0 9 25 0 10 26 (local.get $r) (local.get $g)) (local.get $b)))
        (v128.store offset=32 (local.get $p) (i8x16.shuffle 26 1 2 27 4 5 28 7 8 29 10 11 30 13 14 31
          (i8x16.shuffle 0 11 27 0 12 28 0 13 29 0 14 30 0 15 31 0 (local.get $r) (local.get $g)) (local.get $b)))
        (local.set $p (i32.add (local.get $p) (i32.const 48)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $blk))))

  ;; --- The compositor (formats/tile-compositor.ts). Canvas pixels are premultiplied RGBA, sources
  ;; opaque RGB. Modes: 0 source (a copy; paint_bilinear only), 1 over-reverse (pixman's 8-bit
  ;; SATURATE of an opaque source), 2 float saturate (pixman's float path).
  ;; pixman's 8-bit value as float32: u x float32(1/255), one rounding (as UNORM in the JS).
  (func $unorm (param $u i32) (result f32)
    (f32.mul (f32.convert_i32_u (local.get $u)) (f32.const 0x1.010102p-8)))
  ;; pixman's MUL_UN8: a x b / 255, rounded.
  (func $mul8 (param $a i32) (param $b i32) (result i32)
    (local $t i32)
    (local.set $t (i32.add (i32.mul (local.get $a) (local.get $b)) (i32.const 0x80)))
    (i32.shr_u (i32.add (i32.shr_u (local.get $t) (i32.const 8)) (local.get $t)) (i32.const 8)))
  (func $min255 (param $v i32) (result i32)
    (select (i32.const 255) (local.get $v) (i32.gt_u (local.get $v) (i32.const 255))))
  ;; combine: one premultiplied 8-bit pixel onto the canvas pixel at $d.
  (func $combine (param $d i32) (param $r i32) (param $g i32) (param $b i32) (param $a i32) (param $mode i32)
    (local $room i32)
    (local.set $room (i32.sub (i32.const 255) (i32.load8_u offset=3 (local.get $d))))
    (if (i32.or (i32.eqz (local.get $mode)) (i32.eq (local.get $room) (i32.const 255))) (then
      (i32.store8 (local.get $d) (local.get $r))
      (i32.store8 offset=1 (local.get $d) (local.get $g))
      (i32.store8 offset=2 (local.get $d) (local.get $b))
      (i32.store8 offset=3 (local.get $d) (local.get $a))
      (return)))
    (if (i32.eqz (local.get $room)) (then (return)))
    (if (i32.eq (local.get $mode) (i32.const 1)) (then
      (i32.store8 (local.get $d) (call $min255 (i32.add (i32.load8_u (local.get $d)) (call $mul8 (local.get $r) (local.get $room)))))
      (i32.store8 offset=1 (local.get $d) (call $min255 (i32.add (i32.load8_u offset=1 (local.get $d)) (call $mul8 (local.get $g) (local.get $room)))))
      (i32.store8 offset=2 (local.get $d) (call $min255 (i32.add (i32.load8_u offset=2 (local.get $d)) (call $mul8 (local.get $b) (local.get $room)))))
      (i32.store8 offset=3 (local.get $d) (call $min255 (i32.add (i32.load8_u offset=3 (local.get $d)) (call $mul8 (local.get $a) (local.get $room)))))
      (return)))
    (call $saturate4 (local.get $d) (f32x4.mul
      (f32x4.convert_i32x4_u (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1
        (i32x4.splat (local.get $r)) (local.get $g)) (local.get $b)) (local.get $a)))
      (v128.const f32x4 0x1.010102p-8 0x1.010102p-8 0x1.010102p-8 0x1.010102p-8))))
  ;; paintWhole's opaque-RGB loop: h rows of w pixels, RGB at $src (row stride $srcStride bytes) onto
  ;; RGBA at $dst ($dstStride); an empty canvas pixel takes the source, a full one keeps its own.
  (func (export "paint_whole") (param $dst i32) (param $dstStride i32) (param $src i32) (param $srcStride i32)
    (param $w i32) (param $h i32) (param $mode i32)
    (local $y i32) (local $x i32) (local $s i32) (local $d i32) (local $da i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $y) (local.get $h)))
        (local.set $s (i32.add (local.get $src) (i32.mul (local.get $y) (local.get $srcStride))))
        (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $dstStride))))
        (local.set $x (i32.const 0))
        (block $rowdone
          (loop $px
            (br_if $rowdone (i32.ge_u (local.get $x) (local.get $w)))
            (local.set $da (i32.load8_u offset=3 (local.get $d)))
            (if (i32.eqz (local.get $da))
              (then
                (i32.store16 (local.get $d) (i32.load16_u (local.get $s)))
                (i32.store8 offset=2 (local.get $d) (i32.load8_u offset=2 (local.get $s)))
                (i32.store8 offset=3 (local.get $d) (i32.const 255)))
              (else (if (i32.ne (local.get $da) (i32.const 255))
                (then (call $combine (local.get $d) (i32.load8_u (local.get $s)) (i32.load8_u offset=1 (local.get $s))
                  (i32.load8_u offset=2 (local.get $s)) (i32.const 255) (local.get $mode))))))
            (local.set $s (i32.add (local.get $s) (i32.const 3)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $px)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row))))
  ;; saturateFloat of a float32 premultiplied pixel (lanes r, g, b, a) onto a canvas pixel whose
  ;; alpha is not 255: each channel, alpha too, min(1, source x fa + the canvas's own as float32)
  ;; (onto nothing, fa = 1 and the sum is the source), then pixman_float_to_unorm.
  (func $saturate4 (param $d i32) (param $px v128)
    (local $da i32) (local $daf f32) (local $a f32) (local $fa f32) (local $u v128)
    (local.set $da (i32.load8_u offset=3 (local.get $d)))
    (if (local.get $da) (then
      (local.set $daf (call $unorm (local.get $da)))
      (local.set $a (f32x4.extract_lane 3 (local.get $px)))
      (local.set $fa (f32.const 1))
      ;; FLOAT_IS_ZERO(sa): the factor stays 1.
      (if (i32.eqz (i32.and (f32.gt (local.get $a) (f32.const -0x1p-126)) (f32.lt (local.get $a) (f32.const 0x1p-126))))
        (then (local.set $fa (f32.min (f32.const 1) (f32.max (f32.const 0)
          (f32.div (f32.sub (f32.const 1) (local.get $daf)) (local.get $a)))))))
      (local.set $px (f32x4.min (v128.const f32x4 1 1 1 1) (f32x4.add (f32x4.mul (local.get $px) (f32x4.splat (local.get $fa)))
        (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $d))))) (v128.const f32x4 0x1.010102p-8 0x1.010102p-8 0x1.010102p-8 0x1.010102p-8)))))))
    (local.set $u (i32x4.trunc_sat_f32x4_s (f32x4.mul
      (f32x4.min (v128.const f32x4 1 1 1 1) (f32x4.max (v128.const f32x4 0 0 0 0) (local.get $px)))
      (v128.const f32x4 256 256 256 256))))
    (local.set $u (i32x4.sub (local.get $u) (i32x4.shr_s (local.get $u) (i32.const 8))))
    (v128.store32_lane 0 (local.get $d) (i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_u (local.get $u) (local.get $u)) (local.get $u))))
  ;; paintResampled's inside block: canvas pixel (x, y) of h rows of w samples the RGB at $src at
  ;; (x, y) and its right, lower and lower-right neighbours (4-byte loads: the byte after a pixel is
  ;; read, and its lane replaced) with weights $w0..$w3 (float32 on the float path, whose source alpha
  ;; is $alpha; 7-bit products on the 8-bit one, whose sums lose 14 bits), in pixman's order, as the
  ;; JS sums them.
  (func (export "paint_bilinear") (param $dst i32) (param $dstStride i32) (param $src i32) (param $srcStride i32)
    (param $w i32) (param $h i32) (param $mode i32) (param $alpha f32)
    (param $w0 f32) (param $w1 f32) (param $w2 f32) (param $w3 f32)
    (local $y i32) (local $x i32) (local $p0 i32) (local $p2 i32) (local $d i32) (local $room i32)
    (local $f0 v128) (local $f1 v128) (local $f2 v128) (local $f3 v128) (local $i0 v128) (local $i1 v128) (local $i2 v128) (local $i3 v128)
    (local $inv v128) (local $v v128) (local $t v128)
    (local.set $f0 (f32x4.splat (local.get $w0)))
    (local.set $f1 (f32x4.splat (local.get $w1)))
    (local.set $f2 (f32x4.splat (local.get $w2)))
    (local.set $f3 (f32x4.splat (local.get $w3)))
    (local.set $i0 (i32x4.splat (i32.trunc_f32_s (local.get $w0))))
    (local.set $i1 (i32x4.splat (i32.trunc_f32_s (local.get $w1))))
    (local.set $i2 (i32x4.splat (i32.trunc_f32_s (local.get $w2))))
    (local.set $i3 (i32x4.splat (i32.trunc_f32_s (local.get $w3))))
    (local.set $inv (v128.const f32x4 0x1.010102p-8 0x1.010102p-8 0x1.010102p-8 0x1.010102p-8))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $y) (local.get $h)))
        (local.set $p0 (i32.add (local.get $src) (i32.mul (local.get $y) (local.get $srcStride))))
        (local.set $p2 (i32.add (local.get $p0) (local.get $srcStride)))
        (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $dstStride))))
        (local.set $x (i32.const 0))
        (block $rowdone
          (loop $px
            (br_if $rowdone (i32.ge_u (local.get $x) (local.get $w)))
            (local.set $room (i32.sub (i32.const 255) (i32.load8_u offset=3 (local.get $d))))
            ;; A full canvas pixel keeps its own, except under a copy.
            (if (i32.or (local.get $room) (i32.eqz (local.get $mode))) (then
              (if (i32.eq (local.get $mode) (i32.const 2))
                (then
                  ;; Each corner as float32 UNORM x its weight, summed corner by corner.
                  (local.set $v (f32x4.add (f32x4.add (f32x4.add
                    (f32x4.mul (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p0))))) (local.get $inv)) (local.get $f0))
                    (f32x4.mul (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $p0) (i32.const 3)))))) (local.get $inv)) (local.get $f1)))
                    (f32x4.mul (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p2))))) (local.get $inv)) (local.get $f2)))
                    (f32x4.mul (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $p2) (i32.const 3)))))) (local.get $inv)) (local.get $f3))))
                  (call $saturate4 (local.get $d) (f32x4.replace_lane 3 (local.get $v) (local.get $alpha))))
                (else
                  (local.set $v (i32x4.replace_lane 3 (i32x4.shr_s (i32x4.add (i32x4.add (i32x4.add
                    (i32x4.mul (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p0)))) (local.get $i0))
                    (i32x4.mul (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $p0) (i32.const 3))))) (local.get $i1)))
                    (i32x4.mul (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p2)))) (local.get $i2)))
                    (i32x4.mul (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (i32.add (local.get $p2) (i32.const 3))))) (local.get $i3))) (i32.const 14)) (i32.const 255)))
                  (if (i32.and (local.get $mode) (i32.ne (local.get $room) (i32.const 255)))
                    (then
                      ;; OVER_REVERSE: the canvas plus MUL_UN8(source, room), saturated.
                      (local.set $t (i32x4.add (i32x4.mul (local.get $v) (i32x4.splat (local.get $room))) (v128.const i32x4 0x80 0x80 0x80 0x80)))
                      (local.set $v (i32x4.min_u (v128.const i32x4 255 255 255 255) (i32x4.add (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $d))))
                        (i32x4.shr_u (i32x4.add (i32x4.shr_u (local.get $t) (i32.const 8)) (local.get $t)) (i32.const 8)))))))
                  (v128.store32_lane 0 (local.get $d) (i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_u (local.get $v) (local.get $v)) (local.get $v)))))))
            (local.set $p0 (i32.add (local.get $p0) (i32.const 3)))
            (local.set $p2 (i32.add (local.get $p2) (i32.const 3)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $px)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row))))
  ;; overWhite: $n premultiplied RGBA pixels at $src over white into RGB at $dst; 1 when any was painted.
  (func (export "over_white") (param $src i32) (param $dst i32) (param $n i32) (result i32)
    (local $end i32) (local $a i32) (local $clear i32) (local $painted i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $px
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $a (i32.load8_u offset=3 (local.get $src)))
        (if (i32.eq (local.get $a) (i32.const 255))
          (then
            (local.set $painted (i32.const 1))
            (i32.store16 (local.get $dst) (i32.load16_u (local.get $src)))
            (i32.store8 offset=2 (local.get $dst) (i32.load8_u offset=2 (local.get $src))))
          (else (if (i32.eqz (local.get $a))
            (then
              (i32.store16 (local.get $dst) (i32.const 0xffff))
              (i32.store8 offset=2 (local.get $dst) (i32.const 255)))
            (else
              (local.set $clear (i32.sub (i32.const 255) (local.get $a)))
              (local.set $painted (i32.const 1))
              (i32.store8 (local.get $dst) (call $min255 (i32.add (i32.load8_u (local.get $src)) (local.get $clear))))
              (i32.store8 offset=1 (local.get $dst) (call $min255 (i32.add (i32.load8_u offset=1 (local.get $src)) (local.get $clear))))
              (i32.store8 offset=2 (local.get $dst) (call $min255 (i32.add (i32.load8_u offset=2 (local.get $src)) (local.get $clear))))))))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 3)))
        (br $px)))
    (local.get $painted))

  ;; --- TIFF LZW, as lzwDecodeInto: MSB-first codes of 9 to 12 bits, the width growing one code
  ;; early, Clear 256 and EOI 257, strings from 258; running out of input ends the block. The string
  ;; table's 4096 entries from byte 8: prefixes (u16) at 8, last bytes at 8200, first bytes at 12296,
  ;; lengths (u16) at 16392, up to byte 24584; a failure's code and table size at bytes 0 and 4.
  (global $in_at (mut i32) (i32.const 0))
  (global $in_end (mut i32) (i32.const 0))
  (global $bit_buf (mut i32) (i32.const 0))
  (global $bit_count (mut i32) (i32.const 0))
  (global $nbits (mut i32) (i32.const 9))
  (global $out_at (mut i32) (i32.const 0))
  (global $out_end (mut i32) (i32.const 0))
  ;; The next code, or EOI (257) when the input has run out.
  (func $lzw_read (result i32)
    (local $code i32)
    (block $enough
      (loop $more
        (br_if $enough (i32.ge_u (global.get $bit_count) (global.get $nbits)))
        (if (i32.ge_u (global.get $in_at) (global.get $in_end)) (then (return (i32.const 257))))
        (global.set $bit_buf (i32.or (i32.shl (global.get $bit_buf) (i32.const 8)) (i32.load8_u (global.get $in_at))))
        (global.set $in_at (i32.add (global.get $in_at) (i32.const 1)))
        (global.set $bit_count (i32.add (global.get $bit_count) (i32.const 8)))
        (br $more)))
    (global.set $bit_count (i32.sub (global.get $bit_count) (global.get $nbits)))
    (local.set $code (i32.and (i32.shr_u (global.get $bit_buf) (global.get $bit_count))
      (i32.sub (i32.shl (i32.const 1) (global.get $nbits)) (i32.const 1))))
    (global.set $bit_buf (i32.and (global.get $bit_buf) (i32.sub (i32.shl (i32.const 1) (global.get $bit_count)) (i32.const 1))))
    (local.get $code))
  ;; Writes the string of $code (its last byte last); 0 when it would pass the output's end.
  (func $lzw_emit (param $code i32) (result i32)
    (local $n i32) (local $at i32)
    (local.set $n (i32.load16_u offset=16392 (i32.shl (local.get $code) (i32.const 1))))
    (if (i32.gt_u (i32.add (global.get $out_at) (local.get $n)) (global.get $out_end)) (then (return (i32.const 0))))
    (local.set $at (i32.sub (i32.add (global.get $out_at) (local.get $n)) (i32.const 1)))
    (block $done
      (loop $byte
        (br_if $done (i32.lt_s (local.get $at) (global.get $out_at)))
        (i32.store8 (local.get $at) (i32.load8_u offset=8200 (local.get $code)))
        (local.set $code (i32.load16_u offset=8 (i32.shl (local.get $code) (i32.const 1))))
        (local.set $at (i32.sub (local.get $at) (i32.const 1)))
        (br $byte)))
    (global.set $out_at (i32.add (global.get $out_at) (local.get $n)))
    (i32.const 1))
  ;; Adds string $next: string $old and then the byte $byte.
  (func $lzw_add (param $next i32) (param $old i32) (param $byte i32)
    (i32.store16 offset=8 (i32.shl (local.get $next) (i32.const 1)) (local.get $old))
    (i32.store8 offset=8200 (local.get $next) (local.get $byte))
    (i32.store8 offset=12296 (local.get $next) (i32.load8_u offset=12296 (local.get $old)))
    (i32.store16 offset=16392 (i32.shl (local.get $next) (i32.const 1))
      (i32.add (i32.load16_u offset=16392 (i32.shl (local.get $old) (i32.const 1))) (i32.const 1))))
  ;; Decodes $inLen bytes at $in into at most $cap bytes at $out: the bytes written, or -1 when the
  ;; output would pass $cap, -2 for a code above Clear right after a Clear, -3 for a code not in the
  ;; table (the code at byte 0, the table's size at byte 4).
  (func (export "lzw_decode") (param $in i32) (param $inLen i32) (param $out i32) (param $cap i32) (result i32)
    (local $i i32) (local $code i32) (local $next i32) (local $old i32)
    (loop $init
      (i32.store16 offset=8 (i32.shl (local.get $i) (i32.const 1)) (i32.const 0))
      (i32.store8 offset=8200 (local.get $i) (local.get $i))
      (i32.store8 offset=12296 (local.get $i) (local.get $i))
      (i32.store16 offset=16392 (i32.shl (local.get $i) (i32.const 1)) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $init (i32.lt_u (local.get $i) (i32.const 256))))
    (global.set $in_at (local.get $in))
    (global.set $in_end (i32.add (local.get $in) (local.get $inLen)))
    (global.set $bit_buf (i32.const 0))
    (global.set $bit_count (i32.const 0))
    (global.set $nbits (i32.const 9))
    (global.set $out_at (local.get $out))
    (global.set $out_end (i32.add (local.get $out) (local.get $cap)))
    (local.set $next (i32.const 258))
    (local.set $old (i32.const -1))
    (block $end
      (loop $codes
        (local.set $code (call $lzw_read))
        (br_if $end (i32.eq (local.get $code) (i32.const 257)))
        (if (i32.eq (local.get $code) (i32.const 256))
          (then
            (local.set $next (i32.const 258))
            (global.set $nbits (i32.const 9))
            (loop $clears
              (local.set $code (call $lzw_read))
              (br_if $clears (i32.eq (local.get $code) (i32.const 256))))
            (br_if $end (i32.eq (local.get $code) (i32.const 257)))
            (if (i32.gt_u (local.get $code) (i32.const 256)) (then
              (i32.store (i32.const 0) (local.get $code))
              (return (i32.const -2))))
            (if (i32.eqz (call $lzw_emit (local.get $code))) (then (return (i32.const -1))))
            (local.set $old (local.get $code))
            (br $codes)))
        (if (i32.lt_u (local.get $code) (local.get $next))
          (then
            (if (i32.eqz (call $lzw_emit (local.get $code))) (then (return (i32.const -1))))
            (if (i32.ge_s (local.get $old) (i32.const 0)) (then
              (call $lzw_add (local.get $next) (local.get $old) (i32.load8_u offset=12296 (local.get $code)))
              (local.set $next (i32.add (local.get $next) (i32.const 1))))))
          (else
            (if (i32.and (i32.eq (local.get $code) (local.get $next)) (i32.ge_s (local.get $old) (i32.const 0)))
              (then
                ;; The string being defined: the previous one and its own first byte.
                (if (i32.gt_u (i32.add (global.get $out_at) (i32.add (i32.load16_u offset=16392 (i32.shl (local.get $old) (i32.const 1))) (i32.const 1)))
                  (global.get $out_end)) (then (return (i32.const -1))))
                (call $lzw_add (local.get $next) (local.get $old) (i32.load8_u offset=12296 (local.get $old)))
                (local.set $next (i32.add (local.get $next) (i32.const 1)))
                (drop (call $lzw_emit (local.get $code))))
              (else
                (i32.store (i32.const 0) (local.get $code))
                (i32.store (i32.const 4) (local.get $next))
                (return (i32.const -3))))))
        (local.set $old (local.get $code))
        (if (i32.ge_u (i32.add (local.get $next) (i32.const 1)) (i32.shl (i32.const 1) (global.get $nbits)))
          (then
            ;; At 12 bits the table is full: no more strings until the next Clear.
            (if (i32.eq (global.get $nbits) (i32.const 12))
              (then (local.set $old (i32.const -1)))
              (else (global.set $nbits (i32.add (global.get $nbits) (i32.const 1)))))))
        (br $codes)))
    (i32.sub (global.get $out_at) (local.get $out)))
  ;; TIFF Predictor 2 undone on 8-bit samples: in each of $rows rows of $rowBytes bytes at $p, each
  ;; byte plus the one $stride before it (the pixel to its left), modulo 256.
  (func (export "unpredict8") (param $p i32) (param $rowBytes i32) (param $rows i32) (param $stride i32)
    (local $r i32) (local $i i32) (local $row i32)
    (block $done
      (loop $rowloop
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $p) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $i (local.get $stride))
        (block $rowdone
          (loop $b
            (br_if $rowdone (i32.ge_u (local.get $i) (local.get $rowBytes)))
            (i32.store8 (i32.add (local.get $row) (local.get $i)) (i32.add (i32.load8_u (i32.add (local.get $row) (local.get $i)))
              (i32.load8_u (i32.sub (i32.add (local.get $row) (local.get $i)) (local.get $stride)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $b)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowloop))))
)
