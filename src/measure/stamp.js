// The measurement worker's stamping loop, in plain JavaScript.
//
// Each body is read by a minimal loop: await the next read, read the clock,
// keep the read, ask for the next. Nothing else runs between a read
// settling and its stamp, and it makes less garbage than the same loop
// driven from WebAssembly (each collection holds back every read).
//
// The worker's WebAssembly parses the kept reads later, all bodies' at
// once, in one task (the drain) DRAIN_MS after the first read kept since
// the last drain: one timer per drain, not one per read. See "How a read
// is stamped" in docs/BROWSER.md.
//
// `etalonStamp.read(reader, reads)` appends three values per read to the
// array `reads`: the time (performance.now(), ms), a kind (0: bytes,
// 1: the body ended, 2: the read failed) and the bytes or the error.
// `etalonStamp.setOnDrain(f)` names the function the drain calls.
"use strict";
self.etalonStamp = (() => {
  // How long kept reads wait for the drain, at most (ms). Live text and
  // progress need nothing faster; each drain costs a timer and a call into
  // WebAssembly, whatever it parses.
  const DRAIN_MS = 10;
  let onDrain = () => {};
  let armed = false;

  function drain() {
    armed = false;
    onDrain();
  }

  // A read was kept: make sure a drain is coming.
  function kept() {
    if (!armed) {
      armed = true;
      setTimeout(drain, DRAIN_MS);
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
        kept();
        return;
      }
      const t = performance.now();
      if (result.done) {
        reads.push(t, 1, null);
        kept();
        return;
      }
      reads.push(t, 0, result.value);
      kept();
    }
  }

  return {
    read(reader, reads) {
      read(reader, reads);
    },
    setOnDrain(f) {
      onDrain = f;
    },
    DRAIN_MS,
  };
})();
