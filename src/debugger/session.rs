//! A debugging session: the [`Observer`] that follows the interpreter's calls and statements,
//! decides where to stop (breakpoints, `step`, `next`, `finish`) and, when stopped, reads and
//! answers commands until one lets the program run on.
//!
//! A statement starts when the running frame reaches an instruction of a statement other than
//! the one it was in; that is where the session stops. Before writing anything it writes what
//! the program printed so far, so the two outputs interleave in the order they happened.

use super::command::{self, Command, HELP, Place, Problem};
use super::show;
use super::source::SourceMap;
use crate::cir::{Function, InstKind, LocalId, Program};
use crate::interp::{FrameView, Loc, Observer, Stop, Value};
use crate::span::Span;
use std::collections::HashMap;
use std::io::{BufRead, Write};

/// A long backtrace shows this many innermost calls …
const BACKTRACE_INNER: usize = 20;
/// … and this many outermost ones.
const BACKTRACE_OUTER: usize = 5;

/// How far the program runs before the session stops again.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// Until a breakpoint.
    Continue,
    /// Until the next statement anywhere.
    Step,
    /// Until the next statement at this call depth or shallower.
    Next(usize),
    /// Until control is back in a frame shallower than this depth.
    Finish(usize),
}

/// One call on the stack as the session follows it.
struct CallFrame {
    /// The function's name in the source.
    name: String,
    /// The source function (`SourceMap::functions`), when the map has it.
    source: Option<usize>,
    /// The statement the frame is in (`SourceMap::statements`).
    statement: Option<usize>,
    /// The locals set so far, by source name: the latest local of each name.
    set: HashMap<String, LocalId>,
}

struct Breakpoint {
    number: usize,
    place: Place,
}

/// Why the session stopped.
enum Reason {
    Breakpoint(usize),
    Step,
    Fault(String),
}

pub struct Session<'io> {
    map: SourceMap,
    input: Box<dyn BufRead + 'io>,
    out: Box<dyn Write + 'io>,
    /// Where the program's own stderr goes.
    program_err: Box<dyn Write + 'io>,
    /// Write each command after the prompt (input that is not a terminal).
    echo: bool,
    breakpoints: Vec<Breakpoint>,
    next_number: usize,
    frames: Vec<CallFrame>,
    mode: Mode,
    /// The statement of each instruction seen, by (function's address, instruction): the
    /// instances of a generic function share a span but not their instructions.
    statement_cache: HashMap<(usize, usize), Option<usize>>,
    /// Set by the return `finish` waits for, shown when the session stops.
    returned: Option<String>,
    /// The run is over: a fault was shown, or the user quit.
    ended: bool,
    /// The user ended the run (`quit` or the end of the input while stopped).
    quit: bool,
    /// The first failed write to `out`: the session stops reading and ends the run.
    failure: Option<std::io::Error>,
}

/// Whether the command loop lets the program go on or ends the run.
enum Resume {
    Run,
    Quit,
}

impl<'io> Session<'io> {
    pub fn new(map: SourceMap, input: Box<dyn BufRead + 'io>, out: Box<dyn Write + 'io>, program_err: Box<dyn Write + 'io>, echo: bool) -> Session<'io> {
        Session {
            map,
            input,
            out,
            program_err,
            echo,
            breakpoints: Vec::new(),
            next_number: 1,
            frames: Vec::new(),
            mode: Mode::Continue,
            statement_cache: HashMap::new(),
            returned: None,
            ended: false,
            quit: false,
            failure: None,
        }
    }

    /// The prompt before the program starts: `false` when the user quit instead of running it.
    pub fn before_start(&mut self) -> bool {
        self.say(&format!("Debugging {} — the program has not started; `help` lists the commands.", self.map.file.name));
        matches!(self.command_loop(None), Resume::Run)
    }

    /// Whether the user ended the run before the program ended.
    pub fn quit(&self) -> bool {
        self.quit
    }

    /// Writes what is left of the program's output and how the run ended.
    pub fn after_end(&mut self, stdout: &[u8], stderr: &[u8], status: u8, killed: bool) {
        self.write_program_output(stdout, stderr);
        if let Some(note) = self.returned.take() {
            self.say(&note);
        }
        if killed {
            self.say("The run was ended.");
        } else {
            self.say(&format!("The program exited with status {status}."));
        }
        let flushed = self.out.flush();
        self.note_failure(flushed);
    }

    /// Why writing the session's output failed, if it did (the run was then ended).
    pub fn output_failure(&self) -> Option<&std::io::Error> {
        self.failure.as_ref()
    }

    fn say(&mut self, text: &str) {
        let written = writeln!(self.out, "{text}");
        self.note_failure(written);
    }

    fn note_failure(&mut self, written: std::io::Result<()>) {
        if let (Err(e), None) = (written, &self.failure) {
            self.failure = Some(e);
        }
    }

    fn write_program_output(&mut self, stdout: &[u8], stderr: &[u8]) {
        let written = self.out.write_all(stdout).and_then(|()| self.out.flush());
        self.note_failure(written);
        let _ = self.program_err.write_all(stderr).and_then(|()| self.program_err.flush());
    }

    /// Takes what the program printed since the last stop and writes it.
    fn flush_program(&mut self, frame: &mut FrameView) {
        let stdout = std::mem::take(frame.stdout);
        let stderr = std::mem::take(frame.stderr);
        self.write_program_output(&stdout, &stderr);
    }

    /// Reads and answers commands until one lets the program run on or ends it. `frame` is
    /// the stopped frame (`None` before the start).
    fn command_loop(&mut self, frame: Option<&FrameView>) -> Resume {
        loop {
            if self.failure.is_some() {
                return Resume::Quit;
            }
            let prompt = write!(self.out, "(sev) ").and_then(|()| self.out.flush());
            self.note_failure(prompt);
            let mut bytes = Vec::new();
            match self.input.read_until(b'\n', &mut bytes) {
                Ok(0) | Err(_) => {
                    self.say("");
                    return Resume::Quit;
                }
                Ok(_) => {}
            }
            // A line that is not UTF-8 is shown as read and rejected like any unknown command.
            let line = String::from_utf8_lossy(&bytes);
            if self.echo {
                self.say(line.trim_end());
            }
            let result = command::parse(&line).and_then(|c| self.execute(frame, c));
            match result {
                Ok(Some(resume)) => return resume,
                Ok(None) => {}
                Err(problem) => self.say(&problem.to_string()),
            }
        }
    }

    /// Runs one command; `Some` when the program should go on (or end).
    fn execute(&mut self, frame: Option<&FrameView>, command: Command) -> Result<Option<Resume>, Problem> {
        let running = || frame.ok_or_else(|| Problem::new(command::NOT_STOPPED, "the program has not started yet (`step` or `continue` starts it)"));
        match command {
            Command::Nothing => {}
            Command::Break(place) => self.add_breakpoint(place)?,
            Command::Delete(number) => self.delete(number)?,
            Command::Step => return Ok(Some(self.resume(Mode::Step))),
            Command::Next => return Ok(Some(self.resume(Mode::Next(self.frames.len().max(1))))),
            Command::Finish => {
                running()?;
                return Ok(Some(self.resume(Mode::Finish(self.frames.len()))));
            }
            Command::Continue => return Ok(Some(self.resume(Mode::Continue))),
            Command::Print(name) => self.print(running()?, &name)?,
            Command::Locals => self.locals(running()?),
            Command::Backtrace => self.backtrace(running()?),
            Command::List => self.list(running()?),
            Command::Help => self.help(),
            Command::Quit => return Ok(Some(Resume::Quit)),
        }
        Ok(None)
    }

    fn resume(&mut self, mode: Mode) -> Resume {
        self.mode = mode;
        Resume::Run
    }

    fn add_breakpoint(&mut self, place: Place) -> Result<(), Problem> {
        let description = self.describe_place(&place)?;
        let number = self.next_number;
        self.next_number += 1;
        self.say(&format!("Breakpoint {number} at {description}"));
        self.breakpoints.push(Breakpoint { number, place });
        Ok(())
    }

    /// Where a breakpoint stops, or why it cannot be set.
    fn describe_place(&self, place: &Place) -> Result<String, Problem> {
        match place {
            Place::Function(name) => {
                let f = self.source_function(name)?;
                let first = self.map.functions[f].statements.first().map(|s| self.statement_location(*s));
                Ok(format!("function `{name}`{}", first.map(|l| format!(", {l}")).unwrap_or_default()))
            }
            Place::Statement(name, n) => {
                let f = self.source_function(name)?;
                let statements = &self.map.functions[f].statements;
                let s = statements
                    .get(n.wrapping_sub(1))
                    .ok_or_else(|| Problem::new(command::NO_STATEMENT, format!("`{name}` has {} statement(s), so there is no statement {n}", statements.len())))?;
                Ok(format!("statement {n} of `{name}`, {}", self.statement_location(*s)))
            }
            Place::Line(line) => {
                let on_line = self.map.statements_on_line(*line);
                let Some(s) = on_line.first() else {
                    let next = self.map.statements.iter().map(|s| s.line).filter(|l| l > line).min();
                    let hint = next.map(|l| format!("; the next one starts on line {l}")).unwrap_or_default();
                    return Err(Problem::new(command::NO_STATEMENT, format!("no statement starts on line {line}{hint}")));
                };
                let function = &self.map.functions[self.map.statements[*s].function].name;
                Ok(format!("line {line} in `{function}`, {}", self.statement_location(*s)))
            }
        }
    }

    fn source_function(&self, name: &str) -> Result<usize, Problem> {
        self.map.functions_named(name).next().ok_or_else(|| Problem::new(command::UNKNOWN_FUNCTION, format!("the program has no function `{name}`")))
    }

    fn delete(&mut self, number: Option<usize>) -> Result<(), Problem> {
        match number {
            None => {
                self.breakpoints.clear();
                self.say("Deleted all breakpoints.");
            }
            Some(n) => {
                let at = self.breakpoints.iter().position(|b| b.number == n).ok_or_else(|| Problem::new(command::NO_BREAKPOINT, format!("there is no breakpoint {n}")))?;
                self.breakpoints.remove(at);
                self.say(&format!("Deleted breakpoint {n}."));
            }
        }
        Ok(())
    }

    fn help(&mut self) {
        let width = HELP.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
        let lines: Vec<String> = HELP.iter().map(|(c, what)| format!("  {c:width$}  {what}")).collect();
        self.say(&format!("Commands (short forms in brackets):\n{}", lines.join("\n")));
    }

    /// `file:line:col` of a statement.
    fn statement_location(&self, s: usize) -> String {
        let statement = &self.map.statements[s];
        format!("{}:{}:{}", self.map.file.name, statement.line, statement.col)
    }

    /// The source line of a statement, `  LINE | text` (and the next line when this one only
    /// opens the statement's object).
    fn source_excerpt(&self, line: u32) -> String {
        let text = self.map.line_text(line).trim();
        let mut out = format!("{line:>5} | {text}");
        if matches!(text, "{" | "[") {
            out.push_str(&format!("\n{:>5} | {}", line + 1, self.map.line_text(line + 1).trim()));
        }
        out
    }

    fn print(&mut self, frame: &FrameView, name: &str) -> Result<(), Problem> {
        let shown = self.variable(frame, name)?;
        self.say(&shown);
        Ok(())
    }

    /// `name: type = value` of a variable of the stopped frame.
    fn variable(&self, frame: &FrameView, name: &str) -> Result<String, Problem> {
        let unknown = || {
            let function = &frame.function.source_name;
            Problem::new(command::UNKNOWN_VARIABLE, format!("`{function}` has no variable `{name}` set at this point (`locals` lists those it has)"))
        };
        let local = self.visible_local(frame, name).ok_or_else(unknown)?;
        let ty = &frame.function.locals.get(local.index()).ok_or_else(unknown)?.ty;
        let value = frame.locals.get(local.index()).unwrap_or(&Value::Void);
        Ok(format!("{name}: {} = {}", show::type_name(frame.program, ty), show::value(frame.program, value, ty)))
    }

    /// The local a source name shows in the stopped call: the one set last by an instruction,
    /// or else (a `catch` variable, which the interpreter sets directly) the last local of
    /// that name that holds a value.
    fn visible_local(&self, frame: &FrameView, name: &str) -> Option<LocalId> {
        let call = self.frames.last()?;
        if let Some(local) = call.set.get(name) {
            return Some(*local);
        }
        let declared = self.map.functions.get(call.source?)?.declared.contains(name);
        let holds_value = |i: &usize| !matches!(frame.locals.get(*i), None | Some(Value::Void));
        let found = (0..frame.function.locals.len()).rev().filter(holds_value).find(|i| frame.function.locals[*i].name == name);
        found.filter(|_| declared).map(LocalId::from_index)
    }

    fn locals(&mut self, frame: &FrameView) {
        let Some(declared) = self.frames.last().and_then(|c| c.source).map(|f| &self.map.functions[f].declared) else { return };
        let mut visible: Vec<(LocalId, &String)> = declared.iter().filter_map(|name| Some((self.visible_local(frame, name)?, name))).collect();
        visible.sort();
        let lines: Vec<String> = visible.iter().filter_map(|(_, name)| self.variable(frame, name).ok()).collect();
        if lines.is_empty() {
            self.say("No variables are set yet.");
        } else {
            self.say(&lines.join("\n"));
        }
    }

    fn backtrace(&mut self, frame: &FrameView) {
        let innermost = self.frames.len().saturating_sub(1);
        let line = |i: usize| {
            let call = &self.frames[i];
            let at = call.statement.map(|s| format!(" at {}", self.statement_location(s))).unwrap_or_default();
            let name = if i == innermost { &frame.function.source_name } else { &call.name };
            format!("#{} `{name}`{at}", innermost - i)
        };
        let total = self.frames.len();
        let mut lines: Vec<String> = Vec::new();
        if total <= BACKTRACE_INNER + BACKTRACE_OUTER {
            lines.extend((0..total).rev().map(line));
        } else {
            lines.extend((total - BACKTRACE_INNER..total).rev().map(line));
            lines.push(format!("... {} more calls ...", total - BACKTRACE_INNER - BACKTRACE_OUTER));
            lines.extend((0..BACKTRACE_OUTER).rev().map(line));
        }
        self.say(&lines.join("\n"));
    }

    fn list(&mut self, _frame: &FrameView) {
        let Some(current) = self.frames.last().and_then(|c| c.statement) else {
            self.say("No statement is running.");
            return;
        };
        let line = self.map.statements[current].line;
        let first = line.saturating_sub(3).max(1);
        let last = (line + 3).min(self.map.line_count());
        let lines: Vec<String> = (first..=last).map(|l| format!("{} {l:>4} | {}", if l == line { "=>" } else { "  " }, self.map.line_text(l))).collect();
        self.say(&lines.join("\n"));
    }

    /// The source variable instruction `frame.at` sets, if it sets one (not a hidden local of
    /// the lowering: the name must be one the source function declares).
    fn variable_set_by(&self, source: Option<usize>, frame: &FrameView) -> Option<(String, LocalId)> {
        let (InstKind::InitLocal(local, _) | InstKind::SetLocal(local, _)) = frame.function.inst(frame.at).kind else { return None };
        let name = &frame.function.locals.get(local.index())?.name;
        self.map.functions.get(source?)?.declared.contains(name).then(|| (name.clone(), local))
    }

    /// The statement instruction `frame.at` belongs to.
    fn statement_of(&mut self, call: Option<usize>, function: &Function, at: usize) -> Option<usize> {
        let source = call?;
        let key = (std::ptr::from_ref(function) as usize, at);
        if let Some(s) = self.statement_cache.get(&key) {
            return *s;
        }
        let span: Span = function.insts[at].span;
        let s = self.map.statement_at(source, span);
        self.statement_cache.insert(key, s);
        s
    }

    /// The breakpoint that stops at statement `s`, entered from statement `previous` of the
    /// same call (`None`: it is the call's first). A line stops once when control reaches it
    /// from another line, not again at each statement nested on it.
    fn breakpoint_at(&self, s: usize, previous: Option<usize>) -> Option<usize> {
        let statement = &self.map.statements[s];
        let first_in_frame = previous.is_none();
        let previous_line = previous.map(|p| self.map.statements[p].line);
        let function = &self.map.functions[statement.function].name;
        self.breakpoints
            .iter()
            .find(|b| match &b.place {
                Place::Function(name) => first_in_frame && name == function,
                Place::Statement(name, n) => name == function && *n == statement.ordinal,
                Place::Line(line) => *line == statement.line && previous_line != Some(*line),
            })
            .map(|b| b.number)
    }

    /// Stops: writes the program's output so far, why and where, then reads commands.
    fn stop(&mut self, mut frame: FrameView, reason: Reason) -> Result<(), Stop> {
        self.flush_program(&mut frame);
        if let Some(note) = self.returned.take() {
            self.say(&note);
        }
        let function = frame.function.source_name.clone();
        let statement = self.frames.last().and_then(|c| c.statement);
        let place = statement.map(|s| format!(" at {}", self.statement_location(s))).unwrap_or_default();
        match &reason {
            Reason::Breakpoint(n) => self.say(&format!("Breakpoint {n}, in `{function}`{place}")),
            Reason::Step => self.say(&format!("Stopped in `{function}`{place}")),
            Reason::Fault(report) => self.say(&format!("The program stopped with a runtime fault in `{function}`{place}:\n{}", report.trim_end())),
        }
        if let Some(s) = statement {
            let excerpt = self.source_excerpt(self.map.statements[s].line);
            self.say(&excerpt);
        }
        let program = frame.program;
        match self.command_loop(Some(&frame)) {
            Resume::Run => Ok(()),
            Resume::Quit => {
                self.ended = true;
                self.quit = true;
                Err(Stop::Killed { loc: Loc::of(program, frame.function, frame.at) })
            }
        }
    }
}

impl Observer for Session<'_> {
    fn call(&mut self, function: &Function) {
        let source = self.map.function_with_span(function.span);
        let set = function.params.iter().map(|p| (function.local(*p).name.clone(), *p)).collect();
        self.frames.push(CallFrame { name: function.source_name.clone(), source, statement: None, set });
    }

    fn instruction(&mut self, frame: FrameView) -> Result<(), Stop> {
        if self.ended {
            return Ok(());
        }
        let depth = self.frames.len();
        let Some(call) = self.frames.last() else { return Ok(()) };
        let (source, previous) = (call.source, call.statement);
        let statement = self.statement_of(source, frame.function, frame.at.index());
        let started = statement.filter(|s| Some(*s) != previous);
        if let (Some(s), Some(call)) = (started, self.frames.last_mut()) {
            call.statement = Some(s);
        }
        let hit = started.and_then(|s| self.breakpoint_at(s, previous));
        let stops = match self.mode {
            Mode::Continue => hit.is_some(),
            Mode::Step => started.is_some(),
            Mode::Next(d) => hit.is_some() || (started.is_some() && depth <= d),
            Mode::Finish(d) => hit.is_some() || depth < d,
        };
        let setting = self.variable_set_by(source, &frame);
        if stops {
            self.stop(frame, hit.map_or(Reason::Step, Reason::Breakpoint))?;
        }
        // Recorded after the stop: at the stop, this instruction has not run yet.
        if let (Some((name, local)), Some(call)) = (setting, self.frames.last_mut()) {
            call.set.insert(name, local);
        }
        Ok(())
    }

    fn returned(&mut self, program: &Program, function: &Function, value: Option<&Value>) {
        let depth = self.frames.len();
        self.frames.pop();
        if self.mode != Mode::Finish(depth) || self.ended {
            return;
        }
        let name = &function.source_name;
        self.returned = Some(match value {
            None => format!("`{name}` ended by throwing an exception."),
            Some(_) if function.ret == crate::cir::Ty::Void => format!("`{name}` returned."),
            Some(v) => format!("`{name}` returned {}: {}", show::value(program, v, &function.ret), show::type_name(program, &function.ret)),
        });
    }

    fn stopped(&mut self, frame: FrameView, stop: &Stop) {
        if self.ended || matches!(stop, Stop::Killed { .. }) {
            return;
        }
        self.ended = true;
        let report = stop.report(&self.map.file.name);
        let _ = self.stop(frame, Reason::Fault(report));
    }
}
