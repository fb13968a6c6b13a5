//! The misbehaviours, shared by the hostile dialect (`src/lib.rs`) and the hostile strategy
//! (`examples/hostile_strategy.rs`). Each tries something the sandbox must stop or refuse.

/// Something a hostile plugin can try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misbehaviour {
    /// Spins forever: only the host's time limit ends it.
    Loop,
    /// Asks for 2 GiB of memory: the host's memory limit stops it.
    Alloc,
    /// Reads `/etc/passwd`: the sandbox has no files.
    ReadFile,
    /// Counts the environment variables it sees: the sandbox has none.
    Env,
    /// Opens a TCP connection to 127.0.0.1:5432: the sandbox has no network.
    Connect,
    /// Panics.
    Panic,
}

/// What happened when a misbehaviour that can end did end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The sandbox refused; the text says what was refused and how.
    Refused(String),
    /// It went through; the text says what the plugin got.
    Done(String),
}

impl Misbehaviour {
    /// Every misbehaviour with its name.
    pub const ALL: [(&'static str, Misbehaviour); 6] = [
        ("loop", Misbehaviour::Loop),
        ("alloc", Misbehaviour::Alloc),
        ("read-file", Misbehaviour::ReadFile),
        ("env", Misbehaviour::Env),
        ("connect", Misbehaviour::Connect),
        ("panic", Misbehaviour::Panic),
    ];

    /// The misbehaviour called `name` (`read-file` may also be spelled `read_file`).
    pub fn named(name: &str) -> Option<Misbehaviour> {
        let name = name.replace('_', "-");
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }

    /// The misbehaviour a table name selects: `hostile_loop`, `hostile_alloc`, `hostile_read_file`...
    pub fn for_table(table: &str) -> Option<Misbehaviour> {
        Self::named(table.strip_prefix("hostile_")?)
    }

    /// Tries it.
    pub fn run(self) -> Outcome {
        match self {
            Misbehaviour::Loop => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            Misbehaviour::Alloc => {
                // 2 GiB (less one wasm page: a Rust allocation must stay below isize::MAX), touched so that
                // it cannot be optimised away.
                let v = vec![7u8; (1usize << 31) - (1 << 16)];
                Outcome::Done(format!(
                    "allocated {} bytes, last {}",
                    v.len(),
                    v[v.len() - 1]
                ))
            }
            Misbehaviour::ReadFile => match std::fs::read_to_string("/etc/passwd") {
                Ok(text) => Outcome::Done(format!("read {} bytes: {}", text.len(), text)),
                Err(e) => Outcome::Refused(format!(
                    "the sandbox refused to read the host file /etc/passwd ({})",
                    e.kind()
                )),
            },
            Misbehaviour::Env => Outcome::Done(format!("{} variables", std::env::vars().count())),
            Misbehaviour::Connect => match std::net::TcpStream::connect("127.0.0.1:5432") {
                Ok(_) => Outcome::Done("connected to 127.0.0.1:5432".into()),
                Err(e) => Outcome::Refused(format!(
                    "the sandbox refused a network connection to 127.0.0.1:5432 ({})",
                    e.kind()
                )),
            },
            Misbehaviour::Panic => panic!("the hostile plugin panics on purpose"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_table_names_select_a_misbehaviour() {
        assert_eq!(
            Misbehaviour::named("read-file"),
            Some(Misbehaviour::ReadFile)
        );
        assert_eq!(
            Misbehaviour::named("read_file"),
            Some(Misbehaviour::ReadFile)
        );
        assert_eq!(
            Misbehaviour::for_table("hostile_loop"),
            Some(Misbehaviour::Loop)
        );
        assert_eq!(
            Misbehaviour::for_table("hostile_read_file"),
            Some(Misbehaviour::ReadFile)
        );
        assert_eq!(Misbehaviour::for_table("loop"), None);
        assert_eq!(Misbehaviour::for_table("hostile_fine"), None);
        assert_eq!(Misbehaviour::named("fine"), None);
    }
}
