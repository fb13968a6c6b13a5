//! The command line's side of the executor's [`Reporter`]: phase and batch lines on stdout (a progress bar
//! on stderr when that is a terminal), warnings on stderr, and a gate's question asked at the prompt when
//! stdin is a terminal. With `--json`, only warnings are written, and nothing is asked.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::executor::{Event, Reporter};
use crate::rollout::{Kind, show};

/// Reports to the terminal.
pub struct Terminal {
    /// Phase and batch progress on stdout.
    progress: bool,
    /// Gates are asked at the prompt.
    ask: bool,
    bar: Mutex<Option<indicatif::ProgressBar>>,
    last_decile: AtomicU64,
}

impl Terminal {
    /// Progress on stdout and questions at the prompt, unless the command's output is `json`.
    pub fn new(json: bool) -> Terminal {
        Terminal {
            progress: !json,
            ask: !json && std::io::stdin().is_terminal(),
            bar: Mutex::new(None),
            last_decile: AtomicU64::new(0),
        }
    }

    fn bar(&self) -> std::sync::MutexGuard<'_, Option<indicatif::ProgressBar>> {
        self.bar.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Reporter for Terminal {
    fn event(&self, event: Event<'_>) {
        match event {
            Event::WaitingForLock => {
                eprintln!("Waiting for another ai-shell run to release the migration lock...")
            }
            Event::Warning(text) => eprintln!("warning: {text}"),
            _ if !self.progress => {}
            Event::PhaseStarted {
                number,
                total,
                description,
            } => println!("Phase {number}/{total}: {description}..."),
            Event::PhaseFinished(run) => {
                let rows = if run.kind == Kind::Backfill {
                    format!(", {} rows", run.rows)
                } else {
                    String::new()
                };
                let retried = if run.lock_retries > 0 {
                    format!(", {} lock retries", run.lock_retries)
                } else {
                    String::new()
                };
                println!("  ✓ ({}{rows}{retried})", show::duration(run.duration_ms));
            }
            Event::Resuming { key, at } => println!("  resuming at {key} = {at} (checkpoint)"),
            Event::BackfillStarted { batches, done } => {
                self.last_decile
                    .store(done * 10 / batches.max(1), Ordering::Relaxed);
                if std::io::stderr().is_terminal() {
                    let bar = indicatif::ProgressBar::new(batches);
                    bar.set_style(
                        indicatif::ProgressStyle::with_template(
                            "  Batch {pos}/{len} ({percent}%) [{bar:30}] {msg} ETA {eta}",
                        )
                        .expect("valid template")
                        .progress_chars("=> "),
                    );
                    bar.set_position(done);
                    *self.bar() = Some(bar);
                }
            }
            Event::Batch {
                done,
                total,
                rows,
                elapsed,
            } => {
                let rate = rows as f64 / elapsed.as_secs_f64().max(0.001);
                if let Some(bar) = &*self.bar() {
                    bar.set_position(done);
                    bar.set_message(format!("{rate:.0} rows/s"));
                    return;
                }
                // Without a terminal, a line every 10 %.
                let decile = done * 10 / total.max(1);
                if decile > self.last_decile.load(Ordering::Relaxed) || done == total {
                    self.last_decile.store(decile, Ordering::Relaxed);
                    let left = total.saturating_sub(done);
                    let per_batch = elapsed.as_secs_f64() / done.max(1) as f64;
                    println!(
                        "  Batch {done}/{total} ({}%) ✓ {rate:.0} rows/s, ETA {}",
                        done * 100 / total.max(1),
                        show::duration((left as f64 * per_batch * 1000.0) as u64)
                    );
                }
            }
            Event::BackfillEnded => {
                if let Some(bar) = self.bar().take() {
                    bar.finish_and_clear();
                }
            }
            Event::Note(text) => match &*self.bar() {
                Some(bar) => bar.set_message(text.to_string()),
                None => println!("  {text}"),
            },
        }
    }

    fn confirm(&self, question: &str) -> Option<bool> {
        if !self.ask {
            return None;
        }
        super::confirm_plain(&format!("Confirm: {question}?")).ok()
    }
}
