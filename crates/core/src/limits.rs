//! Every bound on what comes from outside (a server, a link, a file, a
//! set-up), in one place. Each number that could size an allocation or a
//! loop is checked against one of these before it does; beyond a bound the
//! user gets one sentence and what was measured is kept. docs/LIMITS.md
//! lists them with the reason for each.

// ---- Links and files ----

/// The most bytes a link's payload may inflate to (1 MiB): inflating stops
/// there, so a small "zip bomb" cannot fill the memory of the page.
pub const MAX_INFLATED_BYTES: usize = 1 << 20;

/// The most a test link's set-up may inflate to (64 KiB).
pub const MAX_SETUP_BYTES: usize = 64 << 10;

/// The largest file the page or the command line reads (32 MiB): the
/// largest the page reads and works out within 2 s.
pub const MAX_IMPORT_BYTES: usize = 32 << 20;

/// The longest fragment (the part after `#`) this page makes.
pub const MAX_FRAGMENT_CHARS: usize = 32_000;

/// The longest fragment this page reads.
pub const MAX_READ_CHARS: usize = 64_000;

/// The longest demo link this page plays: a demo link names a load, two
/// systems and a seed in a few dozen characters.
pub const MAX_DEMO_LINK_CHARS: usize = 200;

/// The largest seed a demo link may give (2^32 - 1): enough for any demo,
/// and it keeps the link short.
pub const MAX_DEMO_SEED: u64 = u32::MAX as u64;

/// The most requests a run may hold, planned, shared or imported: the
/// largest the page opens within 2 s and 512 MB (docs/BENCHMARKS.md,
/// "Opening the largest inputs").
pub const MAX_REQUESTS: usize = 20_000;

/// The most output tokens a shared or imported run may hold in all: each
/// becomes a number in memory when the figures are worked out.
pub const MAX_TOKENS: u64 = 10_000_000;

/// The most tokens one chunk of a shared or imported run may carry.
pub const MAX_TOKENS_PER_CHUNK: u32 = 1_000_000;

/// The most tokens one request of a shared or imported run may hold: what
/// a request may ask for ([`MAX_OUTPUT_TOKENS`]). The token timeline of one
/// request is drawn token by token, so this bounds the largest chart.
pub const MAX_TOKENS_PER_REQUEST: u64 = MAX_OUTPUT_TOKENS as u64;

/// No time in a shared or imported run is longer than a week.
pub const MAX_SECONDS: f64 = 7.0 * 86_400.0;

/// The most headers a set-up holds.
pub const MAX_HEADERS: usize = 64;

/// The longest text (a model name, an address, a message) a shared or
/// imported run may carry, in bytes.
pub const MAX_TEXT_CHARS: usize = 4096;

// ---- What a server sends ----

/// Most bytes of a non-stream body kept (enough for any error message),
/// and the most a body that has not shown what it is may hold undecided.
pub const MAX_KEPT_BYTES: usize = 256 * 1024;

/// The longest line, and the longest event (its `data:` lines together),
/// of a stream, in bytes (1 MiB). The parser holds a line until its end and
/// an event until its blank line, so a server that never ends one would fill
/// the tab's memory; a token's event is a few hundred bytes, and the largest
/// honest ones (a whole tool call, a usage or logprobs object) stay far
/// below. Beyond it the request ends with one sentence, its tokens kept.
pub const MAX_EVENT_BYTES: usize = 1 << 20;

/// Longest server message kept, in characters.
pub const MAX_MESSAGE_CHARS: usize = 400;

/// A server's token count is believed up to one token per byte of the
/// events that carried it: no tokenizer emits a token in less than a byte
/// of JSON. A claim beyond that is kept as the server's figure but never
/// put on the timeline.
pub const MAX_TOKENS_PER_BYTE: u64 = 1;

// ---- What a set-up asks for ----

/// The most requests one plan may hold: as many as a run may hold, so that
/// every run the page makes can be opened again.
pub const MAX_PLANNED_REQUESTS: usize = MAX_REQUESTS;

/// The widest range a Zipf distribution may span (preparing one sums a
/// term per value).
pub const MAX_ZIPF_VALUES: u32 = 1_000_000;

/// The longest prompt a request may ask for, in tokens (about 4 MB of
/// text; the longest contexts served today are of this order).
pub const MAX_PROMPT_TOKENS: u32 = 1 << 20;

/// The most output tokens a request may ask for.
pub const MAX_OUTPUT_TOKENS: u32 = 1 << 20;

/// The longest time limit per request: a day.
pub const MAX_TIMEOUT_SECONDS: f64 = 86_400.0;

// ---- What the page shows ----

/// Most characters of an answer shown live while a run goes on.
pub const LIVE_TEXT_MAX_CHARS: usize = 2_000;

/// The most chunks (reads) in one block of a kept run: a block then packs
/// in about 10 ms natively (so the page keeps a run a short task at a time)
/// and inflates to well under [`MAX_INFLATED_BYTES`].
pub const MAX_BLOCK_CHUNKS: usize = 8_000;

/// The most blocks a kept run may have: more than a run of [`MAX_TOKENS`]
/// needs, so an entry claiming more is damaged.
pub const MAX_HISTORY_BLOCKS: usize = 4096;

/// The longest index entry of a kept run read back from storage, in bytes
/// (an entry is about 1 KB).
pub const MAX_HISTORY_ENTRY_BYTES: usize = 64 << 10;

/// The longest name of a kept run, in characters.
pub const MAX_RUN_NAME_CHARS: usize = 120;

/// The longest id of a kept run (in an address, `/results/<id>`).
pub const MAX_RUN_ID_CHARS: usize = 32;

/// The most kept runs one compare address (`/compare?runs=...`) opens.
pub const MAX_COMPARED_RUNS: usize = 16;
