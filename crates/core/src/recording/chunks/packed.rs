//! The packed form of [`Chunks`] in the worker's messages to the page.
//!
//! Written as a list of reads, one object per read, a record is about six
//! times larger and far slower to write and read than packed: the reads
//! as the columns the worker already keeps (about 6 bytes per read), in
//! base64, `{"packed": "..."}` (figures in docs/BENCHMARKS.md). Files and
//! share links keep the list of reads; the page reads both forms.
//!
//! Layout, every integer a LEB128 varint:
//! - flags: bit 0, arrival times are ticks; bit 1, there is a server time
//!   column; bit 2, server times are ticks;
//! - the number of reads;
//! - the arrival time column, then the server time column if there is one,
//!   each as its values' count and then either its varint tick differences
//!   (their byte length, then the bytes) or its `f64`s (little-endian);
//! - the token counts, as their count and `(read, tokens)` pairs;
//! - the reasoning ranges, as their count and `(start, end)` pairs.
//!
//! Reading a packed form checks every length and index and rebuilds the
//! reads through [`Chunks::push`], so a damaged one is an error, never a
//! wrong record.

use std::cell::Cell;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;

use super::{unzigzag, write_varint, Chunk, Chunks, TimeColumn, TICKS_PER_SECOND};

thread_local! {
    static PACKED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `write` with every [`Chunks`] it serializes written packed: for the
/// worker's messages, which only this code reads.
pub fn with_packed_chunks<T>(write: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            PACKED.with(|packed| packed.set(self.0));
        }
    }
    let _restore = Restore(PACKED.with(|packed| packed.replace(true)));
    write()
}

/// Whether [`Chunks`] are being written packed now.
pub(super) fn packing() -> bool {
    PACKED.with(Cell::get)
}

const AT_TICKS: u8 = 1;
const HAS_SERVER: u8 = 2;
const SERVER_TICKS: u8 = 4;

fn write_column(out: &mut Vec<u8>, column: &TimeColumn) {
    write_varint(out, column.len() as u64);
    match column {
        TimeColumn::Ticks { bytes, .. } => {
            write_varint(out, bytes.len() as u64);
            out.extend_from_slice(bytes);
        }
        TimeColumn::Seconds(values) => {
            for value in values {
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
    }
}

/// The packed form of `chunks`, base64-encoded.
pub(super) fn pack(chunks: &Chunks) -> String {
    let mut out = Vec::with_capacity(chunks.heap_bytes() + 16);
    let mut flags = 0;
    if matches!(chunks.at, TimeColumn::Ticks { .. }) {
        flags |= AT_TICKS;
    }
    if chunks.server_sent_at.len() > 0 {
        flags |= HAS_SERVER;
        if matches!(chunks.server_sent_at, TimeColumn::Ticks { .. }) {
            flags |= SERVER_TICKS;
        }
    }
    out.push(flags);
    write_varint(&mut out, chunks.len() as u64);
    write_column(&mut out, &chunks.at);
    if flags & HAS_SERVER != 0 {
        write_column(&mut out, &chunks.server_sent_at);
    }
    for pairs in [&chunks.token_counts, &chunks.reasoning] {
        write_varint(&mut out, pairs.len() as u64);
        for &(a, b) in pairs.iter() {
            write_varint(&mut out, u64::from(a));
            write_varint(&mut out, u64::from(b));
        }
    }
    STANDARD_NO_PAD.encode(out)
}

/// Reads a packed form's bytes, checking every step.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let (&first, rest) = self.bytes.split_first().ok_or("it ends too soon")?;
        self.bytes = rest;
        Ok(first)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            n |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Ok(n);
            }
        }
        Err("a number in it is too long".into())
    }

    /// A count or index that must be at most `limit`.
    fn at_most(&mut self, limit: usize) -> Result<usize, String> {
        let n = self.varint()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= limit)
            .ok_or_else(|| format!("it gives {n} where at most {limit} fits"))
    }

    fn take(&mut self, count: usize) -> Result<&[u8], String> {
        if count > self.bytes.len() {
            return Err("it ends too soon".into());
        }
        let (taken, rest) = self.bytes.split_at(count);
        self.bytes = rest;
        Ok(taken)
    }

    /// A time column of `reads` values, as seconds.
    fn column(&mut self, ticks: bool, reads: usize) -> Result<Vec<f64>, String> {
        if self.at_most(reads)? != reads {
            return Err("a time column does not hold one time per read".into());
        }
        if ticks {
            let length = self.at_most(self.bytes.len())?;
            let mut column = Reader {
                bytes: self.take(length)?,
            };
            let mut ticks: i64 = 0;
            let mut values = Vec::with_capacity(reads);
            while !column.bytes.is_empty() {
                ticks = ticks.wrapping_add(unzigzag(column.varint()?));
                values.push(ticks as f64 / TICKS_PER_SECOND);
            }
            if values.len() != reads {
                return Err("a time column does not hold one time per read".into());
            }
            Ok(values)
        } else {
            let bytes = self.take(reads.checked_mul(8).ok_or("it is too long")?)?;
            Ok(bytes
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect())
        }
    }

    /// Pairs of read indices (or counts) in order; `end` allows an index one
    /// past the last read.
    fn pairs(&mut self, reads: usize, second_is_index: bool) -> Result<Vec<(u32, u32)>, String> {
        let count = self.at_most(reads)?;
        let mut pairs = Vec::with_capacity(count);
        for _ in 0..count {
            let first = self.at_most(reads.saturating_sub(1))? as u32;
            let second = if second_is_index {
                self.at_most(reads)? as u32
            } else {
                self.at_most(u32::MAX as usize)? as u32
            };
            pairs.push((first, second));
        }
        Ok(pairs)
    }
}

/// The reads of a packed form (see [`pack`]).
pub(super) fn unpack(text: &str) -> Result<Chunks, String> {
    let bytes = STANDARD_NO_PAD
        .decode(text)
        .map_err(|e| format!("packed reads are not base64: {e}"))?;
    let damaged = |why: String| format!("packed reads are damaged: {why}");
    let mut reader = Reader { bytes: &bytes };
    let flags = reader.byte().map_err(damaged)?;
    if flags & !(AT_TICKS | HAS_SERVER | SERVER_TICKS) != 0 {
        return Err(damaged(format!("unknown flags {flags:#x}")));
    }
    // Every read takes at least one byte of the arrival column.
    let reads = reader.at_most(bytes.len()).map_err(damaged)?;
    let at = reader
        .column(flags & AT_TICKS != 0, reads)
        .map_err(damaged)?;
    let server = if flags & HAS_SERVER != 0 {
        reader
            .column(flags & SERVER_TICKS != 0, reads)
            .map_err(damaged)?
    } else {
        Vec::new()
    };
    let token_counts = reader.pairs(reads, false).map_err(damaged)?;
    let reasoning = reader.pairs(reads, true).map_err(damaged)?;
    if !reader.bytes.is_empty() {
        return Err(damaged("bytes are left over".into()));
    }
    let in_order = |pairs: &[(u32, u32)]| pairs.windows(2).all(|w| w[0].0 < w[1].0);
    if !in_order(&token_counts) || !in_order(&reasoning) {
        return Err(damaged("reads are listed out of order".into()));
    }
    let mut chunks = Chunks::new();
    let (mut listed, mut ranges) = (token_counts.as_slice(), reasoning.as_slice());
    for (index, &at) in at.iter().enumerate() {
        let index = index as u32;
        let tokens = match listed.split_first() {
            Some((&(read, count), rest)) if read == index => {
                listed = rest;
                count
            }
            _ => 1,
        };
        while ranges.first().is_some_and(|&(_, end)| end <= index) {
            ranges = &ranges[1..];
        }
        let reasoning = ranges
            .first()
            .is_some_and(|&(start, end)| start <= index && index < end);
        let server_sent_at = server.get(index as usize).copied().filter(|t| !t.is_nan());
        chunks.push(Chunk {
            at,
            tokens,
            reasoning,
            server_sent_at,
        });
    }
    chunks.shrink_to_fit();
    Ok(chunks)
}
