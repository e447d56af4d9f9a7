//! The compact form of a recording that a result link carries. Every field
//! of the recording is kept, so the figures it gives are the sender's:
//!
//! - byte 0: [`PACKED_VERSION`], then nine sections (eight in version 1),
//!   each compressed on its own with deflate (so that each gets its own
//!   codes) and preceded by its compressed length;
//! - first, as JSON, the deadlines the run was shown under and the recording
//!   with its times and chunks taken out (so every other field, present or
//!   future, travels as serde writes it);
//! - then the times, as integer ticks of a quantum (which opens the first
//!   column; in version 2 followed by the clock's quantum, of which it is a
//!   multiple: larger when the times were rounded to fit a link), in
//!   columns: per request (varints) when it was due,
//!   sent, its headers, first chunk and end, and its median gap between
//!   chunks; per later chunk, the gap's difference from that median
//!   (zigzag), split into a column of low bytes and one of high bytes (a
//!   difference of 65,535 ticks or more is marked and written in full in a
//!   column of its own); per chunk, its tokens and flags; and the server's
//!   send times when it told them (each gap less the gap the browser saw,
//!   in µs: the two nearly agree).
//!
//! Token gaps jitter around their median, so most differences are small:
//! the low bytes carry the jitter and the high bytes are nearly all 0.
//!
//! Rebuilt from ticks, a time can differ from the browser's by float
//! rounding (1e-14 s); a deadline comparison that was an exact tie on the
//! clock's grid could then go the other way. The requests named `exact`
//! (see `exact.rs`) also carry their measured times bit for bit, in an
//! eighth section, and come back identical. When the times were rounded,
//! the requests named `fine` carry, in a ninth section, each time's clock
//! ticks less the rounded time's (a few bits each), and come back on the
//! clock's grid.
//!
//! The quantum is the largest of the browser's timer resolution, 100, 20,
//! 10, 5 and 1 µs on which every measured time lies: a browser rounds
//! `performance.now()` to its resolution (5 µs cross-origin isolated, 100
//! µs otherwise), so nothing it measured is lost. Times on no such grid
//! (made up, or from a finer clock) are rounded to 1 µs. When a request was
//! due (the plan's time) and the server's own send times are kept to 1 µs.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::bytes::{ByteReader, ByteWriter, Damaged};
use super::{ShareError, MAX_INFLATED_BYTES};
use crate::metrics::DeadlineConfig;
use crate::recording::{Chunk, Chunks, Recording, RequestRecord};

/// Version of the compact form this page writes: 2 carries the grid the
/// browser measured on besides the one the times are written on (coarser
/// when they were rounded to fit a link), and a column of clock ticks for
/// the requests kept at the clock's precision. Version 1 (links made
/// before) is still read.
pub const PACKED_VERSION: u8 = 2;

const MICROSECOND_NS: u64 = 1_000;
const CANDIDATE_QUANTA_NS: [u64; 5] = [100_000, 20_000, 10_000, 5_000, 1_000];

const HAS_HEADERS: u64 = 1;
const HAS_END: u64 = 2;
const EXACT_TIMES: u64 = 4;
const CLOCK_TIMES: u64 = 8;

const CHUNK_REASONING: u64 = 1;
const CHUNK_SERVER_TIME: u64 = 2;

/// Marks, in the low and high byte columns, a difference written in full.
const WIDE: u64 = 0xffff;

/// The columns of the times.
#[derive(Default)]
struct Columns<W> {
    head: W,
    low: W,
    high: W,
    wide: W,
    tokens: W,
    server: W,
    exact: W,
    fine: W,
}

/// A run as a result link carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedRun {
    pub recording: Recording,
    /// The deadlines its figures were shown under, when the sender said.
    pub deadlines: Option<DeadlineConfig>,
    /// Seconds the times were rounded to so that the run fits a link, when
    /// coarser than the browser's clock (`None`: the times are as measured).
    pub rounded_to: Option<f64>,
}

/// How a run is packed: the grid its times are written on, and the
/// requests carried more finely.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Packing {
    /// The grid of the times, ns: the clock's, or coarser (a multiple of
    /// it) to fit a link.
    pub quantum_ns: u64,
    /// Requests whose times are carried on the clock's grid.
    pub fine: HashSet<u64>,
    /// Requests whose times are carried bit for bit.
    pub exact: HashSet<u64>,
}

#[derive(Serialize)]
struct HeadOut<'a> {
    deadlines: Option<&'a DeadlineConfig>,
    recording: &'a Recording,
}

#[derive(Deserialize)]
struct HeadIn {
    #[serde(default)]
    deadlines: Option<DeadlineConfig>,
    recording: Recording,
}

/// `run` in its compact form, compressed; the requests in `exact` keep
/// their measured times bit for bit.
pub fn pack_run(run: &SharedRun, exact: &HashSet<u64>) -> Vec<u8> {
    let packing = Packing {
        quantum_ns: clock_quantum_ns(&run.recording),
        fine: HashSet::new(),
        exact: exact.clone(),
    };
    pack_run_with(run, &packing)
}

/// `run` in its compact form as `packing` says: times on its grid (rounded
/// when it is coarser than the clock's; it must then be a multiple of
/// [`clock_quantum_ns`]), the requests it names more finely.
pub fn pack_run_with(run: &SharedRun, packing: &Packing) -> Vec<u8> {
    let recording = &run.recording;
    let clock_ns = clock_quantum_ns(recording);
    let quantum_ns =
        if packing.quantum_ns >= clock_ns && packing.quantum_ns.is_multiple_of(clock_ns) {
            packing.quantum_ns
        } else {
            clock_ns
        };
    let grid = Grid {
        quantum_ns,
        clock_ns,
    };
    let mut columns = Columns::<ByteWriter>::default();
    columns.head.unsigned(quantum_ns);
    columns.head.unsigned(clock_ns);
    let mut previous = (0i64, 0i64);
    for record in &recording.requests {
        let detail = if packing.exact.contains(&record.id) {
            EXACT_TIMES
        } else if packing.fine.contains(&record.id) && quantum_ns != clock_ns {
            CLOCK_TIMES
        } else {
            0
        };
        pack_request(record, grid, detail, &mut previous, &mut columns);
    }
    let Columns {
        head,
        low,
        high,
        wide,
        tokens,
        server,
        exact,
        fine,
    } = columns;
    let mut out = ByteWriter::default();
    out.bytes.push(PACKED_VERSION);
    let head_json = head_json(run);
    let columns = [
        head.bytes,
        low.bytes,
        high.bytes,
        wide.bytes,
        tokens.bytes,
        server.bytes,
        exact.bytes,
        fine.bytes,
    ];
    for section in std::iter::once(head_json).chain(columns) {
        out.section(&miniz_oxide::deflate::compress_to_vec(&section, 10));
    }
    out.bytes
}

/// The grid the times are written on, and the clock's (equal, or a
/// divisor of it).
#[derive(Debug, Clone, Copy)]
struct Grid {
    quantum_ns: u64,
    clock_ns: u64,
}

/// The times of a request that `EXACT_TIMES` and `CLOCK_TIMES` carry, in
/// order: sent, headers, end, each chunk.
fn detailed_times(record: &RequestRecord) -> impl Iterator<Item = f64> + '_ {
    [Some(record.sent_at), record.headers_at, record.ended_at]
        .into_iter()
        .flatten()
        .chain(record.chunks.iter().map(|c| c.at))
}

fn pack_request(
    record: &RequestRecord,
    grid: Grid,
    detail: u64,
    (previous_due, previous_sent): &mut (i64, i64),
    columns: &mut Columns<ByteWriter>,
) {
    let quantum_ns = grid.quantum_ns;
    let ticks = |seconds: f64| to_ticks(seconds, quantum_ns);
    let head = &mut columns.head;
    let due = to_ticks(record.scheduled_at, MICROSECOND_NS);
    head.signed(due.wrapping_sub(*previous_due));
    *previous_due = due;
    let sent = ticks(record.sent_at);
    head.signed(sent.wrapping_sub(*previous_sent));
    *previous_sent = sent;
    let flags = u64::from(record.headers_at.is_some()) * HAS_HEADERS
        + u64::from(record.ended_at.is_some()) * HAS_END
        + detail;
    head.unsigned(flags);
    if detail == EXACT_TIMES {
        for time in detailed_times(record) {
            columns.exact.float(time);
        }
    } else if detail == CLOCK_TIMES {
        // Each time's clock ticks less the grid's ticks it was rounded to.
        let per_tick = (grid.quantum_ns / grid.clock_ns) as i64;
        for time in detailed_times(record) {
            let rounded = ticks(time).wrapping_mul(per_tick);
            columns
                .fine
                .signed(to_ticks(time, grid.clock_ns).wrapping_sub(rounded));
        }
    }
    if let Some(at) = record.headers_at {
        head.signed(ticks(at));
    }
    head.unsigned(record.chunks.len() as u64);
    let chunk_ticks: Vec<i64> = record.chunks.iter().map(|c| ticks(c.at)).collect();
    let gaps: Vec<i64> = chunk_ticks
        .windows(2)
        .map(|w| w[1].wrapping_sub(w[0]))
        .collect();
    let median = median_gap(&gaps);
    if let Some(&first) = chunk_ticks.first() {
        head.signed(first);
        head.signed(median);
    }
    if let Some(at) = record.ended_at {
        head.signed(ticks(at).wrapping_sub(chunk_ticks.last().copied().unwrap_or(0)));
    }
    for gap in gaps {
        let difference = zigzag(gap.wrapping_sub(median));
        let shown = difference.min(WIDE);
        columns.low.bytes.push(shown as u8);
        columns.high.bytes.push((shown >> 8) as u8);
        if shown == WIDE {
            columns.wide.unsigned(difference);
        }
    }
    let (mut first_server, mut previous_server, mut previous_at) = (None::<f64>, 0i64, 0i64);
    for (chunk, &at) in record.chunks.iter().zip(&chunk_ticks) {
        let flags = u64::from(chunk.reasoning) * CHUNK_REASONING
            + u64::from(chunk.server_sent_at.is_some()) * CHUNK_SERVER_TIME;
        columns
            .tokens
            .unsigned((u64::from(chunk.tokens) << 2) | flags);
        let Some(sent) = chunk.server_sent_at else {
            previous_at = at;
            continue;
        };
        match first_server {
            None => {
                columns.server.float(sent);
                first_server = Some(sent);
            }
            Some(first) => {
                let tick = to_ticks(sent - first, MICROSECOND_NS);
                let seen = browser_micros(at, quantum_ns) - browser_micros(previous_at, quantum_ns);
                columns
                    .server
                    .signed(tick.wrapping_sub(previous_server).wrapping_sub(seen));
                previous_server = tick;
            }
        }
        previous_at = at;
    }
}

/// Ticks of the clock in whole µs (the server's send times are kept to 1 µs).
fn browser_micros(ticks: i64, quantum_ns: u64) -> i64 {
    ticks.wrapping_mul(quantum_ns as i64) / MICROSECOND_NS as i64
}

fn median_gap(gaps: &[i64]) -> i64 {
    let mut sorted = gaps.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or(0)
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(raw: u64) -> i64 {
    ((raw >> 1) as i64) ^ -((raw & 1) as i64)
}

/// The deadlines and the recording as JSON, without the times the columns
/// carry.
fn head_json(run: &SharedRun) -> Vec<u8> {
    let mut rest = run.recording.clone();
    for record in &mut rest.requests {
        record.scheduled_at = 0.0;
        record.sent_at = 0.0;
        record.headers_at = None;
        record.ended_at = None;
        record.chunks = Chunks::new();
    }
    let head = HeadOut {
        deadlines: run.deadlines.as_ref(),
        recording: &rest,
    };
    serde_json::to_vec(&head).unwrap_or_default()
}

/// The largest quantum on whose grid every measured time lies (1 µs when
/// none does): the browser's clock.
pub fn clock_quantum_ns(recording: &Recording) -> u64 {
    let resolution_ns = recording
        .environment
        .timer_resolution
        .filter(|r| r.is_finite() && *r > 0.0)
        .map(|r| (r * 1e9).round() as u64)
        .filter(|ns| *ns >= MICROSECOND_NS && *ns <= 1_000_000);
    let candidates = resolution_ns.into_iter().chain(CANDIDATE_QUANTA_NS);
    for quantum_ns in candidates {
        if measured_times(recording).all(|t| on_grid(t, quantum_ns)) {
            return quantum_ns;
        }
    }
    MICROSECOND_NS
}

fn measured_times(recording: &Recording) -> impl Iterator<Item = f64> + '_ {
    recording.requests.iter().flat_map(|r| {
        [Some(r.sent_at), r.headers_at, r.ended_at]
            .into_iter()
            .flatten()
            .chain(r.chunks.iter().map(|c| c.at))
    })
}

fn on_grid(seconds: f64, quantum_ns: u64) -> bool {
    let units = seconds * 1e9 / quantum_ns as f64;
    (units - units.round()).abs() <= 1e-4
}

fn to_ticks(seconds: f64, quantum_ns: u64) -> i64 {
    let units = (seconds * 1e9 / quantum_ns as f64).round();
    if units.is_finite() {
        units as i64
    } else {
        0
    }
}

fn from_ticks(ticks: i64, quantum_ns: u64) -> f64 {
    (ticks as f64 * quantum_ns as f64) / 1e9
}

/// A run from its compact form; the error says what is wrong.
pub fn unpack_run(bytes: &[u8]) -> Result<SharedRun, ShareError> {
    let damaged = |_: Damaged| {
        ShareError::new(
            "This link is damaged: its data ends too early or holds impossible numbers. \
             Ask for the link again, or for the recording file.",
        )
    };
    let mut input = ByteReader::new(bytes);
    let version = input.byte().map_err(damaged)?;
    if !(1..=PACKED_VERSION).contains(&version) {
        return Err(ShareError::new(format!(
            "This result link holds data of version {version}, and this page reads version \
             {PACKED_VERSION}: open it with the etalon-web that made it, or ask for the recording file."
        )));
    }
    let mut budget = MAX_INFLATED_BYTES;
    // Version 1 has no column of clock ticks.
    let count = if version == 1 { 8 } else { 9 };
    let mut sections = Vec::with_capacity(count);
    for _ in 0..count {
        let compressed = input.section().map_err(damaged)?;
        let section = inflate_section(compressed.rest(), budget)?;
        budget -= section.len();
        sections.push(section);
    }
    if input.remaining() > 0 {
        return Err(damaged(Damaged));
    }
    let head: HeadIn = serde_json::from_slice(&sections[0]).map_err(|e| {
        ShareError::new(format!(
            "This result link's recording is not valid ({e}); ask for the recording file instead."
        ))
    })?;
    let (mut recording, deadlines) = (head.recording, head.deadlines);
    let mut columns = Columns {
        head: ByteReader::new(&sections[1]),
        low: ByteReader::new(&sections[2]),
        high: ByteReader::new(&sections[3]),
        wide: ByteReader::new(&sections[4]),
        tokens: ByteReader::new(&sections[5]),
        server: ByteReader::new(&sections[6]),
        exact: ByteReader::new(&sections[7]),
        fine: ByteReader::new(sections.get(8).map_or(&[][..], Vec::as_slice)),
    };
    let quantum_ns = columns.head.unsigned().map_err(damaged)?;
    let clock_ns = if version == 1 {
        quantum_ns
    } else {
        columns.head.unsigned().map_err(damaged)?
    };
    let sane = |ns: u64| (1..=1_000_000_000).contains(&ns);
    if !sane(quantum_ns) || !sane(clock_ns) || !quantum_ns.is_multiple_of(clock_ns) {
        return Err(damaged(Damaged));
    }
    let grid = Grid {
        quantum_ns,
        clock_ns,
    };
    let mut previous = (0i64, 0i64);
    for record in &mut recording.requests {
        unpack_request(record, grid, &mut previous, &mut columns).map_err(damaged)?;
    }
    let Columns {
        head,
        low,
        high,
        wide,
        tokens,
        server,
        exact,
        fine,
    } = &columns;
    let left = [head, low, high, wide, tokens, server, exact, fine].map(|c| c.remaining());
    if left.iter().any(|n| *n > 0) {
        return Err(damaged(Damaged));
    }
    Ok(SharedRun {
        recording,
        deadlines,
        rounded_to: (quantum_ns != clock_ns).then(|| quantum_ns as f64 / 1e9),
    })
}

/// One section inflated, within what is left of the budget.
fn inflate_section(compressed: &[u8], budget: usize) -> Result<Vec<u8>, ShareError> {
    miniz_oxide::inflate::decompress_to_vec_with_limit(compressed, budget).map_err(|e| {
        ShareError::new(if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
            format!(
                "This link unpacks to more than {} KiB, more than any link etalon-web makes: it was not opened.",
                MAX_INFLATED_BYTES >> 10
            )
        } else {
            "This link is damaged: its data cannot be unpacked. Was it cut short when it was copied?"
                .to_string()
        })
    })
}

fn unpack_request(
    record: &mut RequestRecord,
    grid: Grid,
    (previous_due, previous_sent): &mut (i64, i64),
    columns: &mut Columns<ByteReader>,
) -> Result<(), Damaged> {
    let quantum_ns = grid.quantum_ns;
    let from = |ticks: i64| from_ticks(ticks, quantum_ns);
    let head = &mut columns.head;
    *previous_due = previous_due.wrapping_add(head.signed()?);
    record.scheduled_at = from_ticks(*previous_due, MICROSECOND_NS);
    *previous_sent = previous_sent.wrapping_add(head.signed()?);
    record.sent_at = from(*previous_sent);
    let flags = head.unsigned()?;
    if flags & HAS_HEADERS != 0 {
        record.headers_at = Some(from(head.signed()?));
    }
    let count = usize::try_from(head.unsigned()?).map_err(|_| Damaged)?;
    // Every chunk takes at least one byte of the tokens column.
    if count > columns.tokens.remaining() {
        return Err(Damaged);
    }
    let (mut at, mut median) = (0i64, 0i64);
    if count > 0 {
        at = head.signed()?;
        median = head.signed()?;
    }
    let end_offset = if flags & HAS_END != 0 {
        Some(head.signed()?)
    } else {
        None
    };
    let mut chunks = Vec::with_capacity(count);
    let (mut first_server, mut server_ticks) = (None::<f64>, 0i64);
    let mut previous_at = 0i64;
    for i in 0..count {
        if i > 0 {
            let low = u64::from(columns.low.byte()?);
            let high = u64::from(columns.high.byte()?);
            let mut difference = low | (high << 8);
            if difference == WIDE {
                difference = columns.wide.unsigned()?;
            }
            at = at.wrapping_add(median.wrapping_add(unzigzag(difference)));
        }
        let packed = columns.tokens.unsigned()?;
        let server_sent_at = if packed & CHUNK_SERVER_TIME == 0 {
            None
        } else if let Some(first) = first_server {
            let seen = browser_micros(at, quantum_ns) - browser_micros(previous_at, quantum_ns);
            let delta = columns.server.signed()?.wrapping_add(seen);
            server_ticks = server_ticks.wrapping_add(delta);
            Some(first + from_ticks(server_ticks, MICROSECOND_NS))
        } else {
            let first = columns.server.float()?;
            first_server = Some(first);
            Some(first)
        };
        previous_at = at;
        chunks.push(Chunk {
            at: from(at),
            tokens: u32::try_from(packed >> 2).map_err(|_| Damaged)?,
            reasoning: packed & CHUNK_REASONING != 0,
            server_sent_at,
        });
    }
    if let Some(offset) = end_offset {
        record.ended_at = Some(from(at.wrapping_add(offset)));
    }
    if flags & EXACT_TIMES != 0 {
        let exact = &mut columns.exact;
        for time in detailed_times_mut(record, &mut chunks) {
            *time = exact.float()?;
        }
    } else if flags & CLOCK_TIMES != 0 {
        let per_tick = (grid.quantum_ns / grid.clock_ns) as i64;
        let fine = &mut columns.fine;
        for time in detailed_times_mut(record, &mut chunks) {
            let rounded = to_ticks(*time, quantum_ns).wrapping_mul(per_tick);
            *time = from_ticks(rounded.wrapping_add(fine.signed()?), grid.clock_ns);
        }
    }
    record.chunks = chunks.into();
    Ok(())
}

/// The record's own times and its reads' arrival times (`chunks`, still
/// being decoded), in the order the link's time columns carry them.
fn detailed_times_mut<'a>(
    record: &'a mut RequestRecord,
    chunks: &'a mut [Chunk],
) -> impl Iterator<Item = &'a mut f64> + 'a {
    [
        Some(&mut record.sent_at),
        record.headers_at.as_mut(),
        record.ended_at.as_mut(),
    ]
    .into_iter()
    .flatten()
    .chain(chunks.iter_mut().map(|c| &mut c.at))
}
