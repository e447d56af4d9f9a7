//! What each figure means, in one sentence a newcomer understands, and how
//! each is shown (its unit). The same words appear beside the headline
//! cards, in the percentile table and on the run screen.

use crate::present::chart::{format_rate, format_seconds, format_share, significant};

/// A word-piece, the unit every rate and deadline counts in.
pub const TOKEN_EXPLANATION: &str =
    "A token is a piece of a word: a model writes its answer a few \
     characters at a time, and each piece is one token.";

/// The figures the app reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    Ttft,
    Tbt,
    Tpot,
    NormalizedLatency,
    EndToEndLatency,
    OutputThroughput,
    FluidityIndex,
    FluidRate,
    DeadlineMiss,
    DeadlineMissRate,
    Stall,
    ErrorRate,
    TimeToFirstVisibleToken,
    MinTbtDeadline,
    /// What the whole run delivered per second (output tokens, answers).
    Throughput,
    /// Answers per second that met both deadlines.
    Goodput,
}

/// How a figure's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Seconds, shown in µs, ms or s.
    Seconds,
    /// Tokens per second.
    TokensPerSecond,
    /// A share in 0..=1, shown in %.
    Share,
    /// A count.
    Count,
    /// Answers per second.
    AnswersPerSecond,
}

impl Unit {
    /// `value` in this unit, as a person reads it.
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Seconds => format_seconds(value),
            Unit::TokensPerSecond => format_rate(value),
            Unit::Share => format_share(value),
            Unit::Count => significant(value, 3),
            Unit::AnswersPerSecond => format!("{} answers/s", significant(value, 3)),
        }
    }
}

impl Metric {
    /// Its name, as a heading says it.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Ttft => "Time to first token (TTFT)",
            Metric::Tbt => "Time between tokens (TBT)",
            Metric::Tpot => "Time per output token (TPOT)",
            Metric::NormalizedLatency => "Normalized latency",
            Metric::EndToEndLatency => "End-to-end latency",
            Metric::OutputThroughput => "Output speed per request",
            Metric::FluidityIndex => "Fluidity-index",
            Metric::FluidRate => "Fluid token generation rate",
            Metric::DeadlineMiss => "Missed deadline",
            Metric::DeadlineMissRate => "Deadline miss rate",
            Metric::Stall => "Stall",
            Metric::ErrorRate => "Error rate",
            Metric::TimeToFirstVisibleToken => "Time to first visible token",
            Metric::MinTbtDeadline => "Smallest TBT deadline met",
            Metric::Throughput => "Throughput",
            Metric::Goodput => "Goodput",
        }
    }

    /// Its short name, for tables and chart titles.
    pub fn short_name(self) -> &'static str {
        match self {
            Metric::Ttft => "TTFT",
            Metric::Tbt => "TBT",
            Metric::Tpot => "TPOT",
            Metric::NormalizedLatency => "Normalized latency",
            Metric::EndToEndLatency => "End-to-end latency",
            Metric::OutputThroughput => "Output speed",
            Metric::FluidityIndex => "Fluidity-index",
            Metric::FluidRate => "Fluid rate",
            Metric::DeadlineMiss => "Missed deadline",
            Metric::DeadlineMissRate => "Deadline miss rate",
            Metric::Stall => "Stall",
            Metric::ErrorRate => "Error rate",
            Metric::TimeToFirstVisibleToken => "First visible token",
            Metric::MinTbtDeadline => "Smallest TBT deadline",
            Metric::Throughput => "Throughput",
            Metric::Goodput => "Goodput",
        }
    }

    /// How its values are shown.
    pub fn unit(self) -> Unit {
        match self {
            Metric::Ttft
            | Metric::Tbt
            | Metric::Tpot
            | Metric::NormalizedLatency
            | Metric::EndToEndLatency
            | Metric::Stall
            | Metric::TimeToFirstVisibleToken
            | Metric::MinTbtDeadline
            | Metric::DeadlineMiss => Unit::Seconds,
            Metric::OutputThroughput | Metric::FluidRate | Metric::Throughput => {
                Unit::TokensPerSecond
            }
            Metric::Goodput => Unit::AnswersPerSecond,
            Metric::FluidityIndex | Metric::DeadlineMissRate | Metric::ErrorRate => Unit::Share,
        }
    }

    /// One sentence that says what it means, for someone who has never
    /// heard of it.
    pub fn explanation(self) -> &'static str {
        match self {
            Metric::Ttft => {
                "How long you wait, after sending a question, before the first piece of \
                 the answer appears."
            }
            Metric::Tbt => {
                "The pause between one piece of the answer and the next while the text \
                 streams in; long pauses look like the answer freezing."
            }
            Metric::Tpot => {
                "The average pause between pieces of one answer, not counting the wait for \
                 the first one: lower means the text flows faster."
            }
            Metric::NormalizedLatency => {
                "The time a whole answer took divided by its length in tokens, so that \
                 long and short answers can be compared."
            }
            Metric::EndToEndLatency => {
                "The time from sending a question to receiving the last piece of its answer."
            }
            Metric::OutputThroughput => {
                "How many tokens one answer delivered per second, from sending the question \
                 to its last piece."
            }
            Metric::FluidityIndex => {
                "The share of pieces that arrived in time for a steady reading pace, where \
                 time saved by early pieces may cover later delays: 100 % means the text \
                 never stuttered."
            }
            Metric::FluidRate => {
                "The fastest steady pace, in tokens per second, that 99 % of answers keep up \
                 while missing at most 1 in 10 of their deadlines."
            }
            Metric::DeadlineMiss => {
                "A piece of the answer that came later than a steady pace promised, after \
                 any time saved earlier was used up."
            }
            Metric::DeadlineMissRate => {
                "The share of an answer's deadlines that its pieces missed: the opposite of \
                 the fluidity-index."
            }
            Metric::Stall => {
                "A pause in the text much longer than its usual rhythm, which a reader sees \
                 as the answer freezing unless earlier pieces came far enough ahead to cover it."
            }
            Metric::ErrorRate => {
                "The share of requests that failed (no answer, an error from the server, or \
                 a broken stream), not counting those you stopped."
            }
            Metric::TimeToFirstVisibleToken => {
                "How long you wait before the first piece of the answer you can read, after \
                 any hidden reasoning the model does first."
            }
            Metric::MinTbtDeadline => {
                "The tightest pause allowed between pieces that an answer still meets often \
                 enough for the target miss rate."
            }
            Metric::Throughput => {
                "What the whole run delivered to this page, from the first question sent to \
                 the end of the last answer: tokens and whole answers per second."
            }
            Metric::Goodput => {
                "Answers per second that met both deadlines: the first piece in time, then \
                 on average a piece at least as often as the reading pace asks."
            }
        }
    }
}
