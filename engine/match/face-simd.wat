;; The wasm-simd face-scoring kernels, as text. engine/match/face-simd.ts builds this same
;; module byte by byte at run time (no build step, no .wasm file to ship); this file is its
;; readable source, and test/unit/face-simd-wat.test.ts assembles it with wabt (SIMD on) and
;; checks that the result is byte for byte what face-simd.ts emits. Change both together.
;;
;; What is scored. Every embedding is L2-normalised float32, so a cosine similarity is a plain
;; dot product. A list's rows sit one after another in the imported memory, each padded with
;; zeros to `stride` floats, the dim rounded up to a multiple of four; the faces (queries) of a
;; batch are copied just after the lists with the same stride and zero padding. The padding adds
;; 0 * 0 to every sum, so a row can be read sixteen bytes (one v128, four f32 lanes) at a time
;; with no remainder loop.
;;
;; How. A kernel meets R rows with F faces per pass ("register blocking"): for each sixteen
;; bytes d of the stride it loads the F face vectors and the R row vectors once and does R * F
;; lane-wise multiply-adds, R + F loads for R * F products. Accumulator a<k><j> holds, in its
;; lane i, the sum over the chunks d of row[k][d + i] * face[j][d + i]: four partial sums, one
;; per lane. At the end of a row the lanes are added as (l0 + l1) + (l2 + l3) and stored.
;; The multiply and the add are separate instructions (two roundings, no fused multiply-add).
;;
;; The three kernels (k42: R = 4, F = 2; k41: R = 4, F = 1; k11: R = 1, F = 1) differ only in
;; blocking: each (row, face) pair gets the same lane sums in the same order and the same final
;; addition, so a score is the same to the last bit whichever kernel computes it (and so
;; FaceMatcher.match and matchMany agree exactly). SimdScorer.scan calls k42 on the rows of a
;; tile in fours with the faces in pairs, k41 on those rows with the odd last face, and k11 on
;; the one to three rows left over, with every face.
;;
;; Every kernel has the signature
;;   (rows, nRows, q, nq, strideBytes, out, outStride) -> ()
;; rows        byte offset of the first row (a tile of a list) in memory
;; nRows       rows to score: a positive multiple of R
;; q           byte offset of the first face
;; nq          faces to score: a positive multiple of F
;; strideBytes bytes per row and per face: stride * 4, a positive multiple of 16
;; out         byte offset of the scores
;; outStride   floats per face in the scores (the tile's row count)
;; and writes out[f * outStride + r] (a float32) = row r . face f for every r < nRows, f < nq.
;; The loops test at the bottom (do ... while), which is why the counts must be positive.
;;
;; Locals, in this order in every kernel (the order is part of the binary: the i32 locals come
;; first, then the v128s, each group one run in the code section's local declarations):
;;   $f            first face of the current pass (0, F, 2F, ...)
;;   $r            first row of the current pass (0, R, 2R, ...)
;;   $d            byte offset within a row / face: 0, 16, 32, ... < strideBytes
;;   $pr0..        byte address of row r + k (k < R)
;;   $pq0..        byte address of face f + j (j < F)
;;   $a00..        v128 accumulator for row r + k with face f + j ($a<k><j>), k-major
;;   $m            the current sixteen bytes of one row
;;   $x0..         the current sixteen bytes of face f + j
;;
;; The names ($k42, $f, ...) are for reading only: the module has no name section (face-simd.ts
;; emits none, and wabt writes none unless asked to with write_debug_names).
;; Memory accesses use the natural alignment hints (v128: 16, f32: 4), which do not have to hold.

(module
  (type $kernel (func (param i32 i32 i32 i32 i32 i32 i32)))

  ;; The memory belongs to the JavaScript side (SimdScorer creates and grows it); at least a page.
  (import "env" "mem" (memory 1))

  ;; Four rows with two faces per pass: eight accumulators.
  (func $k42 (export "k42") (type $kernel)
    (param $rows i32) (param $nRows i32) (param $q i32) (param $nq i32)
    (param $strideBytes i32) (param $out i32) (param $outStride i32)
    (local $f i32) (local $r i32) (local $d i32)
    (local $pr0 i32) (local $pr1 i32) (local $pr2 i32) (local $pr3 i32)
    (local $pq0 i32) (local $pq1 i32)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local $m v128)
    (local $x0 v128) (local $x1 v128)

    (local.set $f (i32.const 0))
    (loop $faces
      ;; The pass's faces: q + (f + j) * strideBytes.
      (local.set $pq0 (i32.add (local.get $q) (i32.mul (local.get $f) (local.get $strideBytes))))
      (local.set $pq1 (i32.add (local.get $q) (i32.mul (i32.add (local.get $f) (i32.const 1)) (local.get $strideBytes))))

      (local.set $r (i32.const 0))
      (loop $rows
        ;; The pass's rows: rows + (r + k) * strideBytes.
        (local.set $pr0 (i32.add (local.get $rows) (i32.mul (local.get $r) (local.get $strideBytes))))
        (local.set $pr1 (i32.add (local.get $rows) (i32.mul (i32.add (local.get $r) (i32.const 1)) (local.get $strideBytes))))
        (local.set $pr2 (i32.add (local.get $rows) (i32.mul (i32.add (local.get $r) (i32.const 2)) (local.get $strideBytes))))
        (local.set $pr3 (i32.add (local.get $rows) (i32.mul (i32.add (local.get $r) (i32.const 3)) (local.get $strideBytes))))
        (local.set $a00 (v128.const f32x4 0 0 0 0))
        (local.set $a01 (v128.const f32x4 0 0 0 0))
        (local.set $a10 (v128.const f32x4 0 0 0 0))
        (local.set $a11 (v128.const f32x4 0 0 0 0))
        (local.set $a20 (v128.const f32x4 0 0 0 0))
        (local.set $a21 (v128.const f32x4 0 0 0 0))
        (local.set $a30 (v128.const f32x4 0 0 0 0))
        (local.set $a31 (v128.const f32x4 0 0 0 0))

        ;; Over the dimensions, four floats at a time: each face chunk is loaded once and
        ;; used by four rows, each row chunk is loaded once and used by both faces.
        (local.set $d (i32.const 0))
        (loop $dims
          (local.set $x0 (v128.load (i32.add (local.get $pq0) (local.get $d))))
          (local.set $x1 (v128.load (i32.add (local.get $pq1) (local.get $d))))
          (local.set $m (v128.load (i32.add (local.get $pr0) (local.get $d))))
          (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $m) (local.get $x0))))
          (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $m) (local.get $x1))))
          (local.set $m (v128.load (i32.add (local.get $pr1) (local.get $d))))
          (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $m) (local.get $x0))))
          (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $m) (local.get $x1))))
          (local.set $m (v128.load (i32.add (local.get $pr2) (local.get $d))))
          (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $m) (local.get $x0))))
          (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $m) (local.get $x1))))
          (local.set $m (v128.load (i32.add (local.get $pr3) (local.get $d))))
          (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $m) (local.get $x0))))
          (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $m) (local.get $x1))))
          (br_if $dims (i32.lt_u (local.tee $d (i32.add (local.get $d) (i32.const 16))) (local.get $strideBytes))))

        ;; Scores: out + ((f + j) * outStride + r + k) * 4 = (l0 + l1) + (l2 + l3) of $a<k><j>.
        (f32.store
          (i32.add (local.get $out) (i32.shl
            (i32.add (i32.mul (local.get $f) (local.get $outStride)) (local.get $r))
            (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a00)) (f32x4.extract_lane 1 (local.get $a00)))
            (f32.add (f32x4.extract_lane 2 (local.get $a00)) (f32x4.extract_lane 3 (local.get $a00)))))
        (f32.store
          (i32.add (local.get $out) (i32.shl
            (i32.add (i32.mul (i32.add (local.get $f) (i32.const 1)) (local.get $outStride)) (local.get $r))
            (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a01)) (f32x4.extract_lane 1 (local.get $a01)))
            (f32.add (f32x4.extract_lane 2 (local.get $a01)) (f32x4.extract_lane 3 (local.get $a01)))))
        (f32.store
          (i32.add (local.get $out) (i32.shl
            (i32.add (i32.add (i32.mul (local.get $f) (local.get $outStride)) (local.get $r)) (i32.const 1))
            (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a10)) (f32x4.extract_lane 1 (local.get $a10)))
            (f32.add (f32x4.extract_lane 2 (local.get $a10)) (f32x4.extract_lane 3 (local.get $a10)))))
        (f32.store
          (i32.add (local.get $out) (i32.shl
            (i32.add (i32.add (i32.mul (i32.add (local.get $f) (i32.const 1)) (local.get $outStride)) (local.get $r)) (i32.const 1))
            (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a11)) (f32x4.extract_lane 1 (local.get $a11)))
            (f32.add (f32x4.extract_lane 2 (local.get $a11)) (f32x4.extract_lane 3 (local.get $a11)))))
        (f32.store
          (i32.add (local.get $out) (i32.shl
            (i32.add (i32.add (i32.mul (local.get $f) (local.get $outStride)) (local.get $r)) (i32.const 2))
            (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a20)) (f32x4.extract_lane 1 (local.get $a20)))
            (f32.add (f32x4.extract_lane 2 (local.get $a20)) (f32x4.extract_lane 3 (local.get $a20)))))
        (f32.store
          (i32.add (local.get $out) (i32.shl
            (i32.add (i32.add (i32.mul (i32.add (local.get $f) (i32.const 1)) (local.get $outStride)) (local.get $r)) (i32.const 2))
            (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a21)) (f32x4.extract_lane 1 (local.get $a21)))
            (f32.add (f32x4.extract_lane 2 (local.get $a21)) (f32x4.extract_lane 3 (local.get $a21)))))
        (f32.store
          (i32.add (local.get $out) (i32.shl
            (i32.add (i32.add (i32.mul (local.get $f) (local.get $outStride)) (local.get $r)) (i32.const 3))
            (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a30)) (f32x4.extract_lane 1 (local.get $a30)))
            (f32.add (f32x4.extract_lane 2 (local.get $a30)) (f32x4.extract_lane 3 (local.get $a30)))))
        (f32.store
          (i32.add (local.get $out) (i32.shl
            (i32.add (i32.add (i32.mul (i32.add (local.get $f) (i32.const 1)) (local.get $outStride)) (local.get $r)) (i32.const 3))
            (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a31)) (f32x4.extract_lane 1 (local.get $a31)))
            (f32.add (f32x4.extract_lane 2 (local.get $a31)) (f32x4.extract_lane 3 (local.get $a31)))))

        (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 4))) (local.get $nRows))))

      (br_if $faces (i32.lt_u (local.tee $f (i32.add (local.get $f) (i32.const 2))) (local.get $nq)))))

  ;; Four rows with one face per pass (the odd face of a batch): four accumulators.
  (func $k41 (export "k41") (type $kernel)
    (param $rows i32) (param $nRows i32) (param $q i32) (param $nq i32)
    (param $strideBytes i32) (param $out i32) (param $outStride i32)
    (local $f i32) (local $r i32) (local $d i32)
    (local $pr0 i32) (local $pr1 i32) (local $pr2 i32) (local $pr3 i32)
    (local $pq0 i32)
    (local $a00 v128) (local $a10 v128) (local $a20 v128) (local $a30 v128)
    (local $m v128)
    (local $x0 v128)

    (local.set $f (i32.const 0))
    (loop $faces
      (local.set $pq0 (i32.add (local.get $q) (i32.mul (local.get $f) (local.get $strideBytes))))

      (local.set $r (i32.const 0))
      (loop $rows
        (local.set $pr0 (i32.add (local.get $rows) (i32.mul (local.get $r) (local.get $strideBytes))))
        (local.set $pr1 (i32.add (local.get $rows) (i32.mul (i32.add (local.get $r) (i32.const 1)) (local.get $strideBytes))))
        (local.set $pr2 (i32.add (local.get $rows) (i32.mul (i32.add (local.get $r) (i32.const 2)) (local.get $strideBytes))))
        (local.set $pr3 (i32.add (local.get $rows) (i32.mul (i32.add (local.get $r) (i32.const 3)) (local.get $strideBytes))))
        (local.set $a00 (v128.const f32x4 0 0 0 0))
        (local.set $a10 (v128.const f32x4 0 0 0 0))
        (local.set $a20 (v128.const f32x4 0 0 0 0))
        (local.set $a30 (v128.const f32x4 0 0 0 0))

        (local.set $d (i32.const 0))
        (loop $dims
          (local.set $x0 (v128.load (i32.add (local.get $pq0) (local.get $d))))
          (local.set $m (v128.load (i32.add (local.get $pr0) (local.get $d))))
          (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $m) (local.get $x0))))
          (local.set $m (v128.load (i32.add (local.get $pr1) (local.get $d))))
          (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $m) (local.get $x0))))
          (local.set $m (v128.load (i32.add (local.get $pr2) (local.get $d))))
          (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $m) (local.get $x0))))
          (local.set $m (v128.load (i32.add (local.get $pr3) (local.get $d))))
          (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $m) (local.get $x0))))
          (br_if $dims (i32.lt_u (local.tee $d (i32.add (local.get $d) (i32.const 16))) (local.get $strideBytes))))

        (f32.store
          (i32.add (local.get $out) (i32.shl
            (i32.add (i32.mul (local.get $f) (local.get $outStride)) (local.get $r))
            (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a00)) (f32x4.extract_lane 1 (local.get $a00)))
            (f32.add (f32x4.extract_lane 2 (local.get $a00)) (f32x4.extract_lane 3 (local.get $a00)))))
        (f32.store
          (i32.add (local.get $out) (i32.shl
            (i32.add (i32.add (i32.mul (local.get $f) (local.get $outStride)) (local.get $r)) (i32.const 1))
            (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a10)) (f32x4.extract_lane 1 (local.get $a10)))
            (f32.add (f32x4.extract_lane 2 (local.get $a10)) (f32x4.extract_lane 3 (local.get $a10)))))
        (f32.store
          (i32.add (local.get $out) (i32.shl
            (i32.add (i32.add (i32.mul (local.get $f) (local.get $outStride)) (local.get $r)) (i32.const 2))
            (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a20)) (f32x4.extract_lane 1 (local.get $a20)))
            (f32.add (f32x4.extract_lane 2 (local.get $a20)) (f32x4.extract_lane 3 (local.get $a20)))))
        (f32.store
          (i32.add (local.get $out) (i32.shl
            (i32.add (i32.add (i32.mul (local.get $f) (local.get $outStride)) (local.get $r)) (i32.const 3))
            (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a30)) (f32x4.extract_lane 1 (local.get $a30)))
            (f32.add (f32x4.extract_lane 2 (local.get $a30)) (f32x4.extract_lane 3 (local.get $a30)))))

        (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 4))) (local.get $nRows))))

      (br_if $faces (i32.lt_u (local.tee $f (i32.add (local.get $f) (i32.const 1))) (local.get $nq)))))

  ;; One row with one face per pass (the one to three rows left after the fours): one accumulator.
  (func $k11 (export "k11") (type $kernel)
    (param $rows i32) (param $nRows i32) (param $q i32) (param $nq i32)
    (param $strideBytes i32) (param $out i32) (param $outStride i32)
    (local $f i32) (local $r i32) (local $d i32)
    (local $pr0 i32)
    (local $pq0 i32)
    (local $a00 v128)
    (local $m v128)
    (local $x0 v128)

    (local.set $f (i32.const 0))
    (loop $faces
      (local.set $pq0 (i32.add (local.get $q) (i32.mul (local.get $f) (local.get $strideBytes))))

      (local.set $r (i32.const 0))
      (loop $rows
        (local.set $pr0 (i32.add (local.get $rows) (i32.mul (local.get $r) (local.get $strideBytes))))
        (local.set $a00 (v128.const f32x4 0 0 0 0))

        (local.set $d (i32.const 0))
        (loop $dims
          (local.set $x0 (v128.load (i32.add (local.get $pq0) (local.get $d))))
          (local.set $m (v128.load (i32.add (local.get $pr0) (local.get $d))))
          (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $m) (local.get $x0))))
          (br_if $dims (i32.lt_u (local.tee $d (i32.add (local.get $d) (i32.const 16))) (local.get $strideBytes))))

        (f32.store
          (i32.add (local.get $out) (i32.shl
            (i32.add (i32.mul (local.get $f) (local.get $outStride)) (local.get $r))
            (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a00)) (f32x4.extract_lane 1 (local.get $a00)))
            (f32.add (f32x4.extract_lane 2 (local.get $a00)) (f32x4.extract_lane 3 (local.get $a00)))))

        (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $nRows))))

      (br_if $faces (i32.lt_u (local.tee $f (i32.add (local.get $f) (i32.const 1))) (local.get $nq))))))
