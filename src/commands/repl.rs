//! `sev repl`: reads inputs and hands them to a `repl::Session`. At a terminal the lines come
//! from a line editor (editing, history, a prompt, continuation lines for JSON); from a pipe
//! they are read plainly, without prompts or colour, one result per input, and the exit status
//! is 1 when any input failed (so a script can be checked). At a terminal, Ctrl-C while an
//! input runs stops that input (the fault `interrupted`) and the session goes on. Files named
//! on the command line and by `:load` are read here; the session itself is pure.

use crate::cli::repl_args::ReplArgs;
use crate::repl::{Action, Reply, Session, is_complete};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const PROMPT: &str = "sev> ";
const CONTINUATION: &str = "...> ";

pub fn run(args: &ReplArgs) -> ExitCode {
    let files: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    let interactive = std::io::stdin().is_terminal();
    super::infer_sampler::install();
    // The interpreter recurses as deeply as the program does: give the session a big stack.
    let worker = std::thread::Builder::new().name("sev-repl".into()).stack_size(crate::interp::STACK_BYTES).spawn(move || session(&files, interactive));
    match worker.map(|handle| handle.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(_)) | Err(_) => {
            eprintln!("error: the REPL stopped unexpectedly");
            ExitCode::from(super::EXIT_INTERNAL)
        }
    }
}

/// Where inputs come from.
enum Lines {
    /// The line editor and the file its history is kept in.
    Editor(Box<rustyline::DefaultEditor>, Option<PathBuf>),
    Pipe(std::io::StdinLock<'static>),
}

enum Read {
    Line(String),
    /// Ctrl-C at the prompt: drop the input being typed.
    Interrupted,
    End,
}

impl Lines {
    fn read(&mut self, prompt: &str) -> Read {
        match self {
            Lines::Editor(editor, _) => match editor.readline(prompt) {
                Ok(line) => Read::Line(line),
                Err(rustyline::error::ReadlineError::Interrupted) => Read::Interrupted,
                Err(_) => Read::End,
            },
            Lines::Pipe(stdin) => {
                let mut line = String::new();
                match stdin.read_line(&mut line) {
                    Ok(0) | Err(_) => Read::End,
                    Ok(_) => Read::Line(line.trim_end_matches(['\n', '\r']).to_string()),
                }
            }
        }
    }

    /// Adds an input to the history (and to its file: a history that cannot be written is
    /// only lost, never an error).
    fn remember(&mut self, input: &str) {
        if let Lines::Editor(editor, file) = self {
            let _ = editor.add_history_entry(input);
            if let Some(file) = file {
                let _ = editor.append_history(file);
            }
        }
    }
}

fn session(files: &[String], interactive: bool) -> u8 {
    let mut lines = match interactive.then(rustyline::DefaultEditor::new) {
        Some(Ok(mut editor)) => {
            let file = history_file();
            if let Some(file) = &file {
                let _ = editor.load_history(file);
            }
            Lines::Editor(Box::new(editor), file)
        }
        _ => Lines::Pipe(std::io::stdin().lock()),
    };
    let interactive = matches!(lines, Lines::Editor(..));
    if !interactive {
        // The script is on stdin, held by `Lines::Pipe`: a program's `stdin_read_line` reads an
        // empty input (None) instead of waiting on that lock for ever.
        crate::interp::set_stdin(Vec::new());
    }
    let mut session = Session::new(interactive && super::use_color());
    // At a terminal Ctrl-C stops the input that is running, not the session (while a line is
    // read, the editor takes Ctrl-C as a key and drops the line).
    if interactive {
        let flag = Arc::new(AtomicBool::new(false));
        if signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&flag)).is_ok() {
            session.interrupt = Some(flag);
        }
    }
    let mut failed = false;
    if interactive {
        println!("sev repl — :help for help, :quit or Ctrl-D to leave");
    }
    for file in files {
        let reply = load(&mut session, file);
        failed |= reply.failed;
        print_reply(&reply);
    }
    while let Some(input) = next_input(&mut lines, interactive) {
        lines.remember(&input);
        if let Some(flag) = &session.interrupt {
            flag.store(false, Ordering::Relaxed);
        }
        let mut reply = session.eval(&input);
        if let Some(Action::Load(path)) = &reply.action {
            reply = load(&mut session, path);
        }
        failed |= reply.failed;
        print_reply(&reply);
        if reply.action == Some(Action::Quit) {
            break;
        }
    }
    u8::from(failed && !interactive)
}

/// Where the history of terminal sessions is kept: `$XDG_STATE_HOME/sev/repl_history`, or
/// `~/.local/state/sev/repl_history` (the folder is made when missing).
fn history_file() -> Option<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let state = non_empty("XDG_STATE_HOME").or_else(|| non_empty("HOME").map(|home| home.join(".local").join("state")))?;
    let folder = state.join("sev");
    std::fs::create_dir_all(&folder).ok()?;
    Some(folder.join("repl_history"))
}

/// Reads one complete input: a line, or for JSON as many lines as it takes to close it.
fn next_input(lines: &mut Lines, interactive: bool) -> Option<String> {
    let mut input = String::new();
    loop {
        let prompt = match (interactive, input.is_empty()) {
            (false, _) => "",
            (true, true) => PROMPT,
            (true, false) => CONTINUATION,
        };
        match lines.read(prompt) {
            Read::Line(line) => {
                if !input.is_empty() {
                    input.push('\n');
                }
                input.push_str(&line);
                if input.trim().is_empty() {
                    input.clear();
                    continue;
                }
                if is_complete(&input) {
                    return Some(input);
                }
            }
            Read::Interrupted => input.clear(),
            Read::End if input.trim().is_empty() => return None,
            // The input ends in the middle of JSON: evaluate it so that the error is shown.
            Read::End => return Some(input),
        }
    }
}

fn load(session: &mut Session, path: &str) -> Reply {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => session.load(path, &text),
            Err(_) => session.load_failed(path, "the file is not valid UTF-8"),
        },
        Err(e) => session.load_failed(path, &e.to_string()),
    }
}

fn print_reply(reply: &Reply) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(reply.out.as_bytes());
    let _ = stdout.flush();
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(reply.err.as_bytes());
    let _ = stderr.flush();
}
