//! A request's output reads, stored by column so that a long run fits in a
//! browser tab (issue 5: 10,000 requests of 1,000 tokens under 100 MB).
//!
//! A read is a [`Chunk`] to everyone who uses it; only the storage differs.
//! A `Vec<Chunk>` spent 32 bytes per read (an `f64` arrival time, a token
//! count, a flag and an optional server time). Here:
//!
//! - Arrival times are kept as differences of whole *ticks* of 0.1 µs, as
//!   variable-length integers: 2 or 3 bytes per read at the speeds LLM
//!   servers stream. A tick is 50 times finer than the finest timer a
//!   browser grants (5 µs), and the measurement puts its times on the tick
//!   grid ([`on_tick_grid`]), so nothing measured is lost.
//! - A time that is not on the grid (a file from elsewhere, a hand-made
//!   record) switches its column to plain `f64`s, so storage never changes
//!   a value: what goes in comes out bit for bit.
//! - Token counts are kept only for reads that did not carry exactly one
//!   token; the reasoning flag as ranges of reads; the server's send time
//!   (the testbed's) in a second time column, absent when no read had one.
//!
//! Reads are visited in order ([`Chunks::iter`]); random access walks from
//! the start, which no hot path needs.

use std::fmt;

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Chunk;

mod packed;
pub use packed::with_packed_chunks;

/// Ticks per second of the time grid: 0.1 µs.
pub const TICKS_PER_SECOND: f64 = 1e7;

/// Largest tick count kept as an integer: beyond it (about 28 years) a time
/// is stored as it is.
const MAX_TICKS: f64 = 9.0e15;

/// `seconds` on the 0.1 µs grid: the nearest multiple of a tick, as the
/// `f64` that a time column gives back exactly. Times too large for the
/// grid, and non-finite ones, are returned unchanged.
pub fn on_tick_grid(seconds: f64) -> f64 {
    let ticks = (seconds * TICKS_PER_SECOND).round();
    if ticks.abs() < MAX_TICKS {
        ticks / TICKS_PER_SECOND
    } else {
        seconds
    }
}

/// The tick count whose time is exactly `seconds`, if there is one.
fn exact_ticks(seconds: f64) -> Option<i64> {
    let ticks = (seconds * TICKS_PER_SECOND).round();
    // NaN fails this test too.
    if ticks.abs() >= MAX_TICKS || ticks.is_nan() {
        return None;
    }
    let ticks = ticks as i64;
    ((ticks as f64 / TICKS_PER_SECOND).to_bits() == seconds.to_bits()).then_some(ticks)
}

/// A sequence of times: tick differences while every time is on the grid,
/// plain `f64`s from the first that is not.
#[derive(Clone)]
enum TimeColumn {
    Ticks {
        /// Zigzag LEB128 differences between consecutive tick counts (the
        /// first from 0).
        bytes: Vec<u8>,
        /// Tick count of the last time pushed.
        last: i64,
        len: usize,
    },
    Seconds(Vec<f64>),
}

impl Default for TimeColumn {
    fn default() -> Self {
        TimeColumn::Ticks {
            bytes: Vec::new(),
            last: 0,
            len: 0,
        }
    }
}

impl TimeColumn {
    fn len(&self) -> usize {
        match self {
            TimeColumn::Ticks { len, .. } => *len,
            TimeColumn::Seconds(values) => values.len(),
        }
    }

    fn push(&mut self, seconds: f64) {
        if let TimeColumn::Ticks { bytes, last, len } = self {
            if let Some(ticks) = exact_ticks(seconds) {
                write_varint(bytes, zigzag(ticks - *last));
                *last = ticks;
                *len += 1;
                return;
            }
            let values: Vec<f64> = self.iter().collect();
            *self = TimeColumn::Seconds(values);
        }
        if let TimeColumn::Seconds(values) = self {
            values.push(seconds);
        }
    }

    fn last(&self) -> Option<f64> {
        match self {
            TimeColumn::Ticks { len: 0, .. } => None,
            TimeColumn::Ticks { last, .. } => Some(*last as f64 / TICKS_PER_SECOND),
            TimeColumn::Seconds(values) => values.last().copied(),
        }
    }

    fn iter(&self) -> TimeIter<'_> {
        match self {
            TimeColumn::Ticks { bytes, .. } => TimeIter::Ticks {
                bytes,
                position: 0,
                ticks: 0,
            },
            TimeColumn::Seconds(values) => TimeIter::Seconds(values.iter()),
        }
    }

    fn shrink_to_fit(&mut self) {
        match self {
            TimeColumn::Ticks { bytes, .. } => bytes.shrink_to_fit(),
            TimeColumn::Seconds(values) => values.shrink_to_fit(),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            TimeColumn::Ticks { bytes, .. } => bytes.capacity(),
            TimeColumn::Seconds(values) => values.capacity() * std::mem::size_of::<f64>(),
        }
    }
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

fn write_varint(bytes: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        bytes.push((n as u8) | 0x80);
        n >>= 7;
    }
    bytes.push(n as u8);
}

/// The times of a column, in order.
#[derive(Clone)]
pub enum TimeIter<'a> {
    #[doc(hidden)]
    Ticks {
        bytes: &'a [u8],
        position: usize,
        ticks: i64,
    },
    #[doc(hidden)]
    Seconds(std::slice::Iter<'a, f64>),
}

impl Iterator for TimeIter<'_> {
    type Item = f64;

    #[inline]
    fn next(&mut self) -> Option<f64> {
        match self {
            TimeIter::Ticks {
                bytes,
                position,
                ticks,
            } => {
                let mut n: u64 = 0;
                let mut shift = 0;
                loop {
                    let byte = *bytes.get(*position)?;
                    *position += 1;
                    n |= u64::from(byte & 0x7f) << shift;
                    if byte < 0x80 {
                        break;
                    }
                    shift += 7;
                }
                *ticks += unzigzag(n);
                Some(*ticks as f64 / TICKS_PER_SECOND)
            }
            TimeIter::Seconds(values) => values.next().copied(),
        }
    }
}

/// The output reads of one request, in arrival order.
#[derive(Clone, Default)]
pub struct Chunks {
    at: TimeColumn,
    /// `(read, tokens)` for each read that did not carry exactly one token,
    /// by read.
    token_counts: Vec<(u32, u32)>,
    /// Ranges `[start, end)` of reads whose tokens were reasoning, in order.
    reasoning: Vec<(u32, u32)>,
    /// The server's send time of each read; empty when no read carried
    /// one, NaN for a read without one when others had it.
    server_sent_at: TimeColumn,
}

impl Chunks {
    pub fn new() -> Self {
        Chunks::default()
    }

    /// Reads stored.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a read at the end.
    pub fn push(&mut self, chunk: Chunk) {
        let index = self.len() as u32;
        self.at.push(chunk.at);
        if chunk.tokens != 1 {
            self.token_counts.push((index, chunk.tokens));
        }
        if chunk.reasoning {
            match self.reasoning.last_mut() {
                Some((_, end)) if *end == index => *end += 1,
                _ => self.reasoning.push((index, index + 1)),
            }
        }
        match chunk.server_sent_at {
            Some(sent) => {
                while self.server_sent_at.len() < index as usize {
                    self.server_sent_at.push(f64::NAN);
                }
                self.server_sent_at.push(sent);
            }
            None if self.server_sent_at.len() > 0 => self.server_sent_at.push(f64::NAN),
            None => {}
        }
    }

    /// Adds `tokens` to the last read (events of one read merged into it).
    /// Does nothing when there is no read.
    pub fn add_tokens_to_last(&mut self, tokens: u32) {
        let Some(index) = self.len().checked_sub(1) else {
            return;
        };
        let index = index as u32;
        match self.token_counts.last_mut() {
            Some((read, count)) if *read == index => *count = count.saturating_add(tokens),
            _ => self.token_counts.push((index, 1u32.saturating_add(tokens))),
        }
    }

    /// The reads in order.
    pub fn iter(&self) -> ChunkIter<'_> {
        ChunkIter {
            index: 0,
            at: self.at.iter(),
            token_counts: &self.token_counts,
            reasoning: &self.reasoning,
            server_sent_at: (self.server_sent_at.len() > 0).then(|| self.server_sent_at.iter()),
        }
    }

    /// Arrival times in order: the cheapest walk, for the metrics.
    pub fn arrival_times(&self) -> TimeIter<'_> {
        self.at.iter()
    }

    /// Each read's arrival time and token count, in order: what the
    /// metrics need, without the rest of each read.
    pub fn arrivals_and_tokens(&self) -> impl Iterator<Item = (f64, u32)> + '_ {
        let mut listed = self.token_counts.as_slice();
        self.at.iter().enumerate().map(move |(index, at)| {
            let tokens = match listed.split_first() {
                Some((&(read, count), rest)) if read as usize == index => {
                    listed = rest;
                    count
                }
                _ => 1,
            };
            (at, tokens)
        })
    }

    /// The reads as values, for code that edits them (tests, rounding).
    pub fn to_vec(&self) -> Vec<Chunk> {
        self.iter().collect()
    }

    /// Read `index` (walks from the first read).
    pub fn get(&self, index: usize) -> Option<Chunk> {
        self.iter().nth(index)
    }

    pub fn first(&self) -> Option<Chunk> {
        self.iter().next()
    }

    /// The last read, without walking the others.
    pub fn last(&self) -> Option<Chunk> {
        let at = self.at.last()?;
        let index = (self.len() - 1) as u32;
        Some(Chunk {
            at,
            tokens: match self.token_counts.last() {
                Some(&(read, count)) if read == index => count,
                _ => 1,
            },
            reasoning: self
                .reasoning
                .last()
                .is_some_and(|&(_, end)| end == index + 1),
            server_sent_at: self.server_sent_at.last().filter(|t| !t.is_nan()),
        })
    }

    /// Whether every read carried exactly one token (then the arrival times
    /// are the whole timeline).
    pub fn one_token_each(&self) -> bool {
        self.token_counts.is_empty()
    }

    /// Output tokens over all reads.
    pub fn total_tokens(&self) -> u64 {
        let listed: u64 = self.token_counts.iter().map(|&(_, t)| u64::from(t)).sum();
        (self.len() - self.token_counts.len()) as u64 + listed
    }

    /// Gives back memory reserved for reads that never came.
    pub fn shrink_to_fit(&mut self) {
        self.at.shrink_to_fit();
        self.token_counts.shrink_to_fit();
        self.reasoning.shrink_to_fit();
        self.server_sent_at.shrink_to_fit();
    }

    /// Bytes these reads hold on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.at.heap_bytes()
            + self.server_sent_at.heap_bytes()
            + (self.token_counts.capacity() + self.reasoning.capacity())
                * std::mem::size_of::<(u32, u32)>()
    }
}

/// The reads of a [`Chunks`], in order.
pub struct ChunkIter<'a> {
    index: u32,
    at: TimeIter<'a>,
    token_counts: &'a [(u32, u32)],
    reasoning: &'a [(u32, u32)],
    server_sent_at: Option<TimeIter<'a>>,
}

impl Iterator for ChunkIter<'_> {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        let at = self.at.next()?;
        let index = self.index;
        self.index += 1;
        let tokens = match self.token_counts.split_first() {
            Some((&(read, count), rest)) if read == index => {
                self.token_counts = rest;
                count
            }
            _ => 1,
        };
        while self.reasoning.first().is_some_and(|&(_, end)| end <= index) {
            self.reasoning = &self.reasoning[1..];
        }
        let reasoning = self
            .reasoning
            .first()
            .is_some_and(|&(start, _)| start <= index);
        let server_sent_at = self
            .server_sent_at
            .as_mut()
            .and_then(Iterator::next)
            .filter(|t| !t.is_nan());
        Some(Chunk {
            at,
            tokens,
            reasoning,
            server_sent_at,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // Each time is at least one byte (ticks) or exactly one f64.
        match &self.at {
            TimeIter::Seconds(values) => (values.len(), Some(values.len())),
            TimeIter::Ticks {
                bytes, position, ..
            } => {
                let left = bytes.len() - position;
                (left.div_ceil(10), Some(left))
            }
        }
    }
}

impl<'a> IntoIterator for &'a Chunks {
    type Item = Chunk;
    type IntoIter = ChunkIter<'a>;

    fn into_iter(self) -> ChunkIter<'a> {
        self.iter()
    }
}

impl FromIterator<Chunk> for Chunks {
    fn from_iter<I: IntoIterator<Item = Chunk>>(iter: I) -> Self {
        let mut chunks = Chunks::new();
        chunks.extend(iter);
        chunks.shrink_to_fit();
        chunks
    }
}

impl Extend<Chunk> for Chunks {
    fn extend<I: IntoIterator<Item = Chunk>>(&mut self, iter: I) {
        for chunk in iter {
            self.push(chunk);
        }
    }
}

impl From<Vec<Chunk>> for Chunks {
    fn from(chunks: Vec<Chunk>) -> Self {
        chunks.into_iter().collect()
    }
}

/// Equal when they hold the same reads, however they are stored.
impl PartialEq for Chunks {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for Chunks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Written as the list of reads a `Vec<Chunk>` was, so files keep their
/// shape; in the worker's messages, packed (see [`with_packed_chunks`]).
impl Serialize for Chunks {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if packed::packing() {
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry("packed", &packed::pack(self))?;
            return map.end();
        }
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for chunk in self.iter() {
            seq.serialize_element(&chunk)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Chunks {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ChunksVisitor;

        impl<'de> Visitor<'de> for ChunksVisitor {
            type Value = Chunks;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of chunks, or packed chunks")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Chunks, A::Error> {
                use serde::de::Error;
                let mut chunks = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "packed" || chunks.is_some() {
                        return Err(A::Error::custom(format!(
                            "unexpected field {key:?} in packed chunks"
                        )));
                    }
                    let text: String = map.next_value()?;
                    chunks = Some(packed::unpack(&text).map_err(A::Error::custom)?);
                }
                chunks.ok_or_else(|| A::Error::missing_field("packed"))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Chunks, A::Error> {
                let mut chunks = Chunks::new();
                while let Some(chunk) = seq.next_element::<Chunk>()? {
                    chunks.push(chunk);
                }
                chunks.shrink_to_fit();
                Ok(chunks)
            }
        }

        // Either form: a list, or a map with the packed reads.
        deserializer.deserialize_any(ChunksVisitor)
    }
}
