//! Constructors for the planner's refusals. `Plan`, `Refusal` and `RefusalKind` are the shared types of
//! `crate::changes`, re-exported here.

pub use crate::changes::{Plan, Refusal, RefusalKind};

impl Refusal {
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> Refusal {
        Refusal {
            kind,
            message: message.into(),
            suggestions: vec![],
            example: None,
        }
    }

    pub fn ambiguous(message: impl Into<String>) -> Refusal {
        Refusal::new(RefusalKind::Ambiguous, message)
    }

    pub fn not_found(message: impl Into<String>) -> Refusal {
        Refusal::new(RefusalKind::NotFound, message)
    }

    pub fn unsupported(message: impl Into<String>) -> Refusal {
        Refusal::new(RefusalKind::Unsupported, message)
    }

    pub fn unsafe_(message: impl Into<String>) -> Refusal {
        Refusal::new(RefusalKind::Unsafe, message)
    }

    pub fn not_schema(message: impl Into<String>) -> Refusal {
        Refusal::new(RefusalKind::NotASchemaChange, message)
    }

    pub fn suggest(mut self, suggestions: Vec<String>) -> Refusal {
        self.suggestions = suggestions;
        self
    }

    pub fn example(mut self, example: impl Into<String>) -> Refusal {
        self.example = Some(example.into());
        self
    }

    /// The refusal as it leaves the planner: user text it quotes cut short (each run of more than
    /// 64 characters without a space, then the whole text past 1,000 characters) and at most 10
    /// suggestions, so a refusal stays readable whatever the request held.
    pub fn shortened(mut self) -> Refusal {
        self.message = short_text(&self.message);
        self.example = self.example.as_deref().map(short_text);
        if self.suggestions.len() > MAX_SUGGESTIONS {
            let more = self.suggestions.len() - MAX_SUGGESTIONS;
            self.suggestions.truncate(MAX_SUGGESTIONS);
            self.suggestions.push(format!("…and {more} more"));
        }
        self.suggestions = self.suggestions.iter().map(|s| short_text(s)).collect();
        self
    }
}

const MAX_SUGGESTIONS: usize = 10;
const LONG_RUN: usize = 64;
const LONG_TEXT: usize = 1000;

fn short_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(2 * LONG_TEXT));
    for piece in text.split_inclusive(char::is_whitespace) {
        let run = piece.trim_end_matches(char::is_whitespace);
        if run.chars().count() > LONG_RUN {
            // Quotes and punctuation around the text stay: "`xxxx…(100000 bytes)`;".
            let core = run.trim_matches(|c: char| c.is_ascii_punctuation());
            let start = run.len()
                - run
                    .trim_start_matches(|c: char| c.is_ascii_punctuation())
                    .len();
            let (core, start) = if core.is_empty() {
                (run, 0)
            } else {
                (core, start)
            };
            out.push_str(&run[..start]);
            out.push_str(&super::names::shown(core));
            out.push_str(&run[start + core.len()..]);
            out.push_str(&piece[run.len()..]);
        } else {
            out.push_str(piece);
        }
    }
    if out.chars().count() <= LONG_TEXT {
        return out;
    }
    // The start says what was wrong and the end what to do: keep both.
    let head = out.char_indices().nth(600).map_or(out.len(), |(i, _)| i);
    let tail = out
        .char_indices()
        .rev()
        .nth(299)
        .map_or(head, |(i, _)| i.max(head));
    format!(
        "{} …({} bytes left out)… {}",
        &out[..head],
        tail - head,
        &out[tail..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortened_refusals_quote_a_prefix_of_long_text() {
        let long = "y".repeat(100_000);
        let r = Refusal::not_found(format!("there is no column `{long}`; name one"))
            .example(format!("drop {long} from users"))
            .suggest((0..50).map(|i| format!("c{i}")).collect())
            .shortened();
        assert!(r.message.len() < 200, "{}", r.message);
        assert!(
            r.message
                .contains("`yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy…(100000 bytes)`; name one"),
            "{}",
            r.message
        );
        assert!(r.example.unwrap().len() < 200);
        assert_eq!(r.suggestions.len(), 11);
        // Many short words: the start and the end stay.
        let words = format!("start {} end", "word ".repeat(20_000));
        let s = short_text(&words);
        assert!(
            s.len() < 1_100 && s.starts_with("start") && s.ends_with("end"),
            "{s}"
        );
        assert_eq!(short_text("add email to users"), "add email to users");
    }
}
