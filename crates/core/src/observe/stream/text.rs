//! The text a stream brought, for the worker to show as it appears. It is
//! never part of the record.

/// All text received so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceivedText {
    /// The visible answer.
    pub answer: String,
    /// Reasoning text (`reasoning_content` / `reasoning`).
    pub reasoning: String,
    answer_taken: usize,
    reasoning_taken: usize,
}

/// Text received since the last [`ReceivedText::take_new`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewText {
    pub answer: String,
    pub reasoning: String,
}

impl NewText {
    pub fn is_empty(&self) -> bool {
        self.answer.is_empty() && self.reasoning.is_empty()
    }
}

impl ReceivedText {
    pub(super) fn append(&mut self, answer: &str, reasoning: &str) {
        self.answer.push_str(answer);
        self.reasoning.push_str(reasoning);
    }

    /// The text added since the last call.
    pub fn take_new(&mut self) -> NewText {
        let new = NewText {
            answer: self.answer[self.answer_taken..].to_owned(),
            reasoning: self.reasoning[self.reasoning_taken..].to_owned(),
        };
        self.answer_taken = self.answer.len();
        self.reasoning_taken = self.reasoning.len();
        new
    }
}
