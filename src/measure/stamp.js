// The measurement worker's stamping loop, in plain JavaScript.
//
// Each body is read by a loop as small as the fidelity benchmark's floor
// reader: await the next read, read the clock, keep the read, ask for the
// next. Nothing else runs between a read settling and its stamp, and the
// loop makes no garbage beyond what the browser's reads make. The same loop
// driven from WebAssembly (a reaction per read, a derived promise per
// `then`, argument arrays in the closure glue, a view per copy) made more:
// in a Chromium trace at 24 streams its worker ran 17 young collections in
// 5 turns of 4 s, against the floor reader's 9 in 6; with this loop, 13 in
// 5. Each collection holds the worker for a millisecond or more while
// reads wait. (The benchmark's p99 ratio did not move measurably with it:
// chance moves that ratio by a fifth.)
//
// The worker's WebAssembly parses the kept reads later, once reads pause
// (see `check` below), so that parsing does not sit between the reads of a
// clump and their stamps.
//
// `etalonStamp.read(reader, reads)` appends three values per read to the
// array `reads`: the time (performance.now(), ms), a kind (0: bytes,
// 1: the body ended, 2: the read failed) and the bytes or the error.
// `etalonStamp.setOnQuiet(f)` names the function called once reads pause.
"use strict";
self.etalonStamp = (() => {
  // A clump of reads is over when no read has settled for this long (ms).
  const QUIET_MS = 1;
  // Hand the reads over after this long at most (ms), clump or not.
  const MOST_WAIT_MS = 4;
  let onQuiet = () => {};
  let first = 0;
  let latest = 0;
  let waiting = false;
  let armed = false;

  // Streams that run at the same rate deliver their reads in clumps (24
  // streams at 50 tokens/s: about 24 reads in a millisecond or two, every
  // 20 ms). Parsing waits for the quiet after the clump, so every read of
  // the clump is stamped as it comes.
  function check() {
    const now = performance.now();
    if (now - latest >= QUIET_MS || now - first >= MOST_WAIT_MS) {
      armed = false;
      waiting = false;
      onQuiet();
    } else {
      setTimeout(check, QUIET_MS);
    }
  }

  function settled(t) {
    if (!waiting) {
      waiting = true;
      first = t;
    }
    latest = t;
    if (!armed) {
      armed = true;
      setTimeout(check, QUIET_MS);
    }
  }

  async function read(reader, reads) {
    for (;;) {
      let result;
      try {
        result = await reader.read();
      } catch (error) {
        const t = performance.now();
        reads.push(t, 2, error);
        settled(t);
        return;
      }
      const t = performance.now();
      if (result.done) {
        reads.push(t, 1, null);
        settled(t);
        return;
      }
      reads.push(t, 0, result.value);
      settled(t);
    }
  }

  return {
    read(reader, reads) {
      read(reader, reads);
    },
    setOnQuiet(f) {
      onQuiet = f;
    },
    // For tests: as if a read had settled at `t` (ms).
    settled,
  };
})();
