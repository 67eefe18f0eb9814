//! The `regex_*` built-ins with the runtime's engine (`runtime/regex.zig`), the same algorithm
//! step for step so that matches, groups and error texts agree: a parser from the pattern to a
//! node tree, a compiler to a small instruction program (counted repeats expanded, `progress`
//! checks ending a repeat after an empty iteration), and a Pike VM whose thread priority gives
//! the leftmost-first results of a backtracking engine. `find_all`, `split` and `replace` walk
//! the matches with the runtime's empty-match rule. An invalid pattern (or a replacement naming
//! a missing group) is the runtime's fault `regex: … (pattern "…")`.

use super::fault::{Loc, Stop};
use super::files::Reply;
use super::value::Value;
use std::rc::Rc;

/// Largest count accepted in `{n,m}`.
const MAX_REPEAT: u32 = 1000;
/// Largest compiled program (instructions) accepted.
const MAX_PROGRAM: usize = 100_000;
/// Largest nesting depth of groups.
const MAX_DEPTH: u32 = 200;
/// The runtime's message buffer: a longer message is cut to this many bytes.
const MAX_MESSAGE: usize = 200;
/// A slot no thread has set.
const UNSET: usize = usize::MAX;
const MAX_CODE_POINT: u32 = 0x10FFFF;

/// An inclusive range of code points.
type Range = (u32, u32);

#[derive(Clone, Copy, PartialEq)]
enum Assert {
    TextStart,
    TextEnd,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Clone, Copy)]
enum Inst {
    Char(u32),
    /// `ranges[start .. start + len]`, sorted, disjoint, already complemented if negated.
    Class(usize, usize),
    AnyButNewline,
    /// `Split(x, y)`: `x` is the preferred branch.
    Split(usize, usize),
    Jmp(usize),
    Save(usize),
    Progress { slot: usize, on_progress: usize, on_empty: usize },
    Assert(Assert),
    Match,
}

/// A compiled pattern.
struct Program {
    insts: Vec<Inst>,
    ranges: Vec<Range>,
    groups: usize,
    loop_slots: usize,
}

impl Program {
    fn slot_count(&self) -> usize {
        2 * (self.groups + 1) + self.loop_slots
    }
}

/// `regex: <message>` as the runtime's fixed buffer holds it.
fn diag<T>(message: String) -> Result<T, String> {
    let mut text = format!("regex: {message}");
    if text.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    Err(text)
}

// ----- Parser ----------------------------------------------------------------------------------

enum Node {
    Empty,
    Char(u32),
    Class(usize, usize),
    Any,
    Assert(Assert),
    Group { child: usize, index: Option<usize> },
    Concat(Vec<usize>),
    Alt(Vec<usize>),
    Repeat { child: usize, min: u32, max: Option<u32>, greedy: bool },
}

enum Escape {
    Char(u32),
    Class(&'static [Range]),
    NegatedClass(&'static [Range]),
    Assert(Assert),
}

const DIGIT_RANGES: [Range; 1] = [(b'0' as u32, b'9' as u32)];
const WORD_RANGES: [Range; 4] = [(b'0' as u32, b'9' as u32), (b'A' as u32, b'Z' as u32), (b'_' as u32, b'_' as u32), (b'a' as u32, b'z' as u32)];
const SPACE_RANGES: [Range; 2] = [(b'\t' as u32, b'\r' as u32), (b' ' as u32, b' ' as u32)];

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    nodes: Vec<Node>,
    ranges: Vec<Range>,
    groups: usize,
    depth: u32,
}

type Parsed<T> = Result<T, String>;

/// The code point starting at byte `i` of valid UTF-8 text, and its length.
fn decode(text: &[u8], i: usize) -> (u32, usize) {
    let n = match text[i] {
        0..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    let end = (i + n).min(text.len());
    match std::str::from_utf8(&text[i..end]).ok().and_then(|s| s.chars().next()) {
        Some(c) => (c as u32, n),
        None => (0xFFFD, 1),
    }
}

impl Parser<'_> {
    fn add(&mut self, n: Node) -> usize {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn next_code_point(&mut self) -> u32 {
        let (cp, n) = decode(self.src, self.pos);
        self.pos += n;
        cp
    }

    fn alt(&mut self) -> Parsed<usize> {
        let mut branches = vec![self.concat()?];
        while self.peek() == Some(b'|') {
            self.pos += 1;
            branches.push(self.concat()?);
        }
        if branches.len() == 1 {
            return Ok(branches[0]);
        }
        Ok(self.add(Node::Alt(branches)))
    }

    fn concat(&mut self) -> Parsed<usize> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == b'|' || c == b')' {
                break;
            }
            let atom_pos = self.pos;
            let atom = self.atom()?;
            items.push(self.quantifiers(atom, atom_pos)?);
        }
        Ok(match items.len() {
            0 => self.add(Node::Empty),
            1 => items[0],
            _ => self.add(Node::Concat(items)),
        })
    }

    fn digits_from(&self, mut i: usize) -> usize {
        while self.src.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    }

    /// Reads `{n}`, `{n,}`, `{,m}` or `{n,m}` at `pos` (a `{`); None when it is not a count.
    fn count(&mut self) -> Parsed<Option<(u32, Option<u32>)>> {
        let min_start = self.pos + 1;
        let mut i = self.digits_from(min_start);
        let min_text = &self.src[min_start..i];
        let mut max_text = Some(min_text);
        if self.src.get(i) == Some(&b',') {
            i += 1;
            let max_start = i;
            i = self.digits_from(i);
            max_text = (i > max_start).then(|| &self.src[max_start..i]);
            if min_text.is_empty() && max_text.is_none() {
                return Ok(None);
            }
        } else if min_text.is_empty() {
            return Ok(None);
        }
        if self.src.get(i) != Some(&b'}') {
            return Ok(None);
        }
        let at = self.pos;
        let too_large = || diag(format!("repetition count too large (max {MAX_REPEAT}) at offset {at}"));
        let min = if min_text.is_empty() {
            0
        } else {
            match count_number(min_text) {
                Some(v) => v,
                None => return too_large(),
            }
        };
        let mut max = None;
        if let Some(t) = max_text {
            let Some(m) = count_number(t) else { return too_large() };
            if m < min {
                return diag(format!("min repeat greater than max repeat at offset {at}"));
            }
            max = Some(m);
        }
        self.pos = i + 1;
        Ok(Some((min, max)))
    }

    fn quantifiers(&mut self, atom: usize, atom_pos: usize) -> Parsed<usize> {
        let mut node = atom;
        let mut quantified = false;
        while let Some(c) = self.peek() {
            let q_pos = self.pos;
            let (min, max) = match c {
                b'*' => (0, None),
                b'+' => (1, None),
                b'?' => (0, Some(1)),
                b'{' => match self.count()? {
                    Some(count) => count,
                    None => break,
                },
                _ => break,
            };
            if c != b'{' {
                self.pos += 1;
            }
            if quantified {
                return diag(format!("multiple repeat at offset {q_pos}"));
            }
            if matches!(self.nodes[node], Node::Empty | Node::Assert(_)) {
                return diag(format!("nothing to repeat at offset {atom_pos}"));
            }
            let mut greedy = true;
            if self.peek() == Some(b'?') {
                greedy = false;
                self.pos += 1;
            }
            node = self.add(Node::Repeat { child: node, min, max, greedy });
            quantified = true;
        }
        Ok(node)
    }

    fn atom(&mut self) -> Parsed<usize> {
        let start = self.pos;
        match self.src[self.pos] {
            b'(' => {
                self.pos += 1;
                let mut index = None;
                if self.peek() == Some(b'?') {
                    if self.src.get(self.pos + 1) != Some(&b':') {
                        return diag(format!("unsupported group syntax '(?' at offset {start} (only '(?:' is supported)"));
                    }
                    self.pos += 2;
                } else {
                    self.groups += 1;
                    index = Some(self.groups);
                }
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return diag(format!("groups nested too deeply (max {MAX_DEPTH}) at offset {start}"));
                }
                let child = self.alt()?;
                self.depth -= 1;
                if self.peek() != Some(b')') {
                    return diag(format!("unclosed group at offset {start}"));
                }
                self.pos += 1;
                Ok(self.add(Node::Group { child, index }))
            }
            b'[' => self.class(),
            b'.' => {
                self.pos += 1;
                Ok(self.add(Node::Any))
            }
            b'^' => {
                self.pos += 1;
                Ok(self.add(Node::Assert(Assert::TextStart)))
            }
            b'$' => {
                self.pos += 1;
                Ok(self.add(Node::Assert(Assert::TextEnd)))
            }
            b'*' | b'+' | b'?' => diag(format!("nothing to repeat at offset {start}")),
            b'{' => {
                if self.count()?.is_some() {
                    return diag(format!("nothing to repeat at offset {start}"));
                }
                self.pos += 1;
                Ok(self.add(Node::Char(u32::from(b'{'))))
            }
            b'\\' => self.escape_atom(),
            _ => {
                let cp = self.next_code_point();
                Ok(self.add(Node::Char(cp)))
            }
        }
    }

    /// Reads an escape at `pos` (the backslash).
    fn escape(&mut self, in_class: bool) -> Parsed<Escape> {
        let start = self.pos;
        self.pos += 1;
        let Some(c) = self.peek() else { return diag(format!("trailing backslash at offset {start}")) };
        if c >= 0x80 {
            return Ok(Escape::Char(self.next_code_point()));
        }
        self.pos += 1;
        let in_class_bad = |c: u8| diag(format!("bad escape \\{} in class at offset {start}", c as char));
        Ok(match c {
            b'd' => Escape::Class(&DIGIT_RANGES),
            b'D' => Escape::NegatedClass(&DIGIT_RANGES),
            b'w' => Escape::Class(&WORD_RANGES),
            b'W' => Escape::NegatedClass(&WORD_RANGES),
            b's' => Escape::Class(&SPACE_RANGES),
            b'S' => Escape::NegatedClass(&SPACE_RANGES),
            b't' => Escape::Char(0x09),
            b'n' => Escape::Char(0x0A),
            b'r' => Escape::Char(0x0D),
            b'f' => Escape::Char(0x0C),
            b'v' => Escape::Char(0x0B),
            b'a' => Escape::Char(0x07),
            b'0' => Escape::Char(0),
            b'x' => Escape::Char(self.hex(2, start)?),
            b'u' => Escape::Char(self.hex(4, start)?),
            b'b' if in_class => Escape::Char(0x08),
            b'b' => Escape::Assert(Assert::WordBoundary),
            b'B' | b'A' | b'z' | b'Z' if in_class => return in_class_bad(c),
            b'B' => Escape::Assert(Assert::NotWordBoundary),
            b'A' => Escape::Assert(Assert::TextStart),
            b'z' | b'Z' => Escape::Assert(Assert::TextEnd),
            b'1'..=b'9' => return diag(format!("backreferences are not supported (\\{}) at offset {start}", c as char)),
            c if c.is_ascii_alphanumeric() => return diag(format!("bad escape \\{} at offset {start}", c as char)),
            c => Escape::Char(u32::from(c)),
        })
    }

    /// `digits` hex digits after `\x`/`\u`, read as the runtime's `parseInt` reads them.
    fn hex(&mut self, digits: usize, start: usize) -> Parsed<u32> {
        let incomplete = || diag(format!("incomplete escape at offset {start}"));
        let Some(text) = self.src.get(self.pos..self.pos + digits) else { return incomplete() };
        let Some(v) = super::json::zig_parse_u16_hex(text).map(u32::from) else { return incomplete() };
        if (0xD800..=0xDFFF).contains(&v) {
            return diag(format!("surrogate code point in escape at offset {start}"));
        }
        self.pos += digits;
        Ok(v)
    }

    fn class_node(&mut self, ranges: Vec<Range>) -> usize {
        let start = self.ranges.len();
        self.ranges.extend(ranges);
        let len = self.ranges.len() - start;
        self.add(Node::Class(start, len))
    }

    fn escape_atom(&mut self) -> Parsed<usize> {
        Ok(match self.escape(false)? {
            Escape::Char(c) => self.add(Node::Char(c)),
            Escape::Assert(a) => self.add(Node::Assert(a)),
            Escape::Class(rs) => self.class_node(rs.to_vec()),
            Escape::NegatedClass(rs) => self.class_node(complement(rs)),
        })
    }

    fn class(&mut self) -> Parsed<usize> {
        let open = self.pos;
        self.pos += 1;
        let negated = self.peek() == Some(b'^');
        if negated {
            self.pos += 1;
        }
        let mut set = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else { return diag(format!("unterminated character class at offset {open}")) };
            if c == b']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            let item_pos = self.pos;
            let lo = self.class_item(&mut set)?;
            // A range `lo-hi`, unless the '-' is the last character before ']'.
            if self.peek() == Some(b'-') && self.src.get(self.pos + 1).is_some_and(|&c| c != b']') {
                self.pos += 1;
                let bad = || diag(format!("bad character range at offset {item_pos}"));
                let Some(lo) = lo else { return bad() };
                let Some(hi) = self.class_item(&mut set)? else { return bad() };
                if hi < lo {
                    return bad();
                }
                set.push((lo, hi));
            } else if let Some(cp) = lo {
                set.push((cp, cp));
            }
        }
        let merged = normalize(set);
        Ok(self.class_node(if negated { complement(&merged) } else { merged }))
    }

    /// One class member: the code point of a single character, or None after adding a
    /// shorthand class (`\d` …) to `set`.
    fn class_item(&mut self, set: &mut Vec<Range>) -> Parsed<Option<u32>> {
        if self.src[self.pos] != b'\\' {
            return Ok(Some(self.next_code_point()));
        }
        match self.escape(true)? {
            Escape::Char(c) => return Ok(Some(c)),
            Escape::Class(rs) => set.extend_from_slice(rs),
            Escape::NegatedClass(rs) => set.extend(complement(rs)),
            Escape::Assert(_) => {}
        }
        Ok(None)
    }
}

fn count_number(text: &[u8]) -> Option<u32> {
    std::str::from_utf8(text).ok()?.parse::<u32>().ok().filter(|&v| v <= MAX_REPEAT)
}

/// Sorted and merged into a disjoint ascending list (a stable sort by start, as the runtime's).
fn normalize(mut rs: Vec<Range>) -> Vec<Range> {
    rs.sort_by_key(|r| r.0);
    let mut out: Vec<Range> = Vec::new();
    for r in rs {
        if let Some(last) = out.last_mut()
            && r.0 <= last.1 + 1
        {
            last.1 = last.1.max(r.1);
            continue;
        }
        out.push(r);
    }
    out
}

/// The complement over all code points of a sorted disjoint range list.
fn complement(rs: &[Range]) -> Vec<Range> {
    let mut out = Vec::new();
    let mut next = 0u32;
    for &(lo, hi) in rs {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = hi + 1;
    }
    if next <= MAX_CODE_POINT {
        out.push((next, MAX_CODE_POINT));
    }
    out
}

// ----- Compiler --------------------------------------------------------------------------------

struct Compiler<'a> {
    nodes: &'a [Node],
    insts: Vec<Inst>,
    first_loop_slot: usize,
    loop_slots: usize,
}

impl Compiler<'_> {
    /// Whether node `n` can match the empty string.
    fn nullable(&self, n: usize) -> bool {
        match &self.nodes[n] {
            Node::Empty | Node::Assert(_) => true,
            Node::Char(_) | Node::Class(..) | Node::Any => false,
            Node::Group { child, .. } => self.nullable(*child),
            Node::Concat(kids) => kids.iter().all(|&k| self.nullable(k)),
            Node::Alt(kids) => kids.iter().any(|&k| self.nullable(k)),
            Node::Repeat { child, min, .. } => *min == 0 || self.nullable(*child),
        }
    }

    fn emit(&mut self, i: Inst) -> Parsed<usize> {
        if self.insts.len() >= MAX_PROGRAM {
            return diag(format!("pattern too large after expanding repetitions (more than {MAX_PROGRAM} instructions)"));
        }
        self.insts.push(i);
        Ok(self.insts.len() - 1)
    }

    fn pc(&self) -> usize {
        self.insts.len()
    }

    fn node(&mut self, n: usize) -> Parsed<()> {
        match &self.nodes[n] {
            Node::Empty => {}
            Node::Char(c) => _ = self.emit(Inst::Char(*c))?,
            Node::Class(start, len) => _ = self.emit(Inst::Class(*start, *len))?,
            Node::Any => _ = self.emit(Inst::AnyButNewline)?,
            Node::Assert(a) => _ = self.emit(Inst::Assert(*a))?,
            Node::Group { child, index } => {
                if let Some(i) = index {
                    self.emit(Inst::Save(2 * i))?;
                }
                self.node(*child)?;
                if let Some(i) = index {
                    self.emit(Inst::Save(2 * i + 1))?;
                }
            }
            Node::Concat(kids) => {
                for &k in kids {
                    self.node(k)?;
                }
            }
            Node::Alt(kids) => self.alt(kids)?,
            Node::Repeat { child, min, max, greedy } => self.repeat(*child, *min, *max, *greedy)?,
        }
        Ok(())
    }

    /// `split L1, next; L1: b1; jmp end; next: split L2, next2; …; last: bn; end:`
    fn alt(&mut self, branches: &[usize]) -> Parsed<()> {
        let mut jumps = Vec::new();
        for (i, &b) in branches.iter().enumerate() {
            if i + 1 < branches.len() {
                let sp = self.emit(Inst::Split(0, 0))?;
                let x = self.pc();
                self.node(b)?;
                jumps.push(self.emit(Inst::Jmp(0))?);
                self.insts[sp] = Inst::Split(x, self.pc());
            } else {
                self.node(b)?;
            }
        }
        let end = self.pc();
        for j in jumps {
            self.insts[j] = Inst::Jmp(end);
        }
        Ok(())
    }

    fn set_split(&mut self, at: usize, body: usize, out: usize, greedy: bool) {
        self.insts[at] = if greedy { Inst::Split(body, out) } else { Inst::Split(out, body) };
    }

    fn repeat(&mut self, child: usize, min: u32, max: Option<u32>, greedy: bool) -> Parsed<()> {
        for _ in 0..min {
            self.node(child)?;
        }
        if let Some(m) = max {
            // (m - min) nested optional copies, every split exiting to the common end; with a
            // nullable child each copy is `save k; child; progress k`.
            let check = m > min && self.nullable(child);
            let slot = self.first_loop_slot + self.loop_slots;
            if check {
                self.loop_slots += 1;
            }
            let (mut splits, mut checks) = (Vec::new(), Vec::new());
            for _ in min..m {
                splits.push(self.emit(Inst::Split(0, 0))?);
                if check {
                    self.emit(Inst::Save(slot))?;
                }
                self.node(child)?;
                if check {
                    checks.push(self.emit(Inst::Progress { slot, on_progress: 0, on_empty: 0 })?);
                }
            }
            let end = self.pc();
            for s in splits {
                self.set_split(s, s + 1, end, greedy);
            }
            for at in checks {
                self.insts[at] = Inst::Progress { slot, on_progress: at + 1, on_empty: end };
            }
        } else if self.nullable(child) {
            // L: split body, out; body: save k; child; progress k, L; out:
            let slot = self.first_loop_slot + self.loop_slots;
            self.loop_slots += 1;
            let l = self.emit(Inst::Split(0, 0))?;
            self.emit(Inst::Save(slot))?;
            self.node(child)?;
            let chk = self.emit(Inst::Progress { slot, on_progress: l, on_empty: 0 })?;
            self.insts[chk] = Inst::Progress { slot, on_progress: l, on_empty: chk + 1 };
            let out = self.pc();
            self.set_split(l, l + 1, out, greedy);
        } else {
            // L: split body, out; body: child; jmp L; out:
            let l = self.emit(Inst::Split(0, 0))?;
            self.node(child)?;
            self.emit(Inst::Jmp(l))?;
            let out = self.pc();
            self.set_split(l, l + 1, out, greedy);
        }
        Ok(())
    }
}

/// Compiles `pattern`, or the runtime's message (`regex: unclosed group at offset 4`).
fn compile(pattern: &str) -> Result<Program, String> {
    let mut p = Parser { src: pattern.as_bytes(), pos: 0, nodes: Vec::new(), ranges: Vec::new(), groups: 0, depth: 0 };
    let root = p.alt()?;
    if p.pos < p.src.len() {
        return diag(format!("unmatched ')' at offset {}", p.pos));
    }
    let mut c = Compiler { nodes: &p.nodes, insts: Vec::new(), first_loop_slot: 2 * (p.groups + 1), loop_slots: 0 };
    c.emit(Inst::Save(0))?;
    c.node(root)?;
    c.emit(Inst::Save(1))?;
    c.emit(Inst::Match)?;
    let (insts, loop_slots) = (c.insts, c.loop_slots);
    Ok(Program { insts, ranges: p.ranges, groups: p.groups, loop_slots })
}

// ----- Pike VM ---------------------------------------------------------------------------------

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn class_has(ranges: &[Range], cp: u32) -> bool {
    ranges.binary_search_by(|&(lo, hi)| if hi < cp { std::cmp::Ordering::Less } else if lo > cp { std::cmp::Ordering::Greater } else { std::cmp::Ordering::Equal }).is_ok()
}

/// A set of threads: program counters in priority order with their capture slots.
struct ThreadList {
    sparse: Vec<usize>,
    dense: Vec<usize>,
    caps: Vec<usize>,
    len: usize,
}

impl ThreadList {
    fn new(n: usize, slots: usize) -> ThreadList {
        ThreadList { sparse: vec![0; n], dense: vec![0; n], caps: vec![UNSET; n * slots], len: 0 }
    }

    fn contains(&self, pc: usize) -> bool {
        let i = self.sparse[pc];
        i < self.len && self.dense[i] == pc
    }

    fn insert(&mut self, pc: usize) -> usize {
        let i = self.len;
        self.sparse[pc] = i;
        self.dense[i] = pc;
        self.len += 1;
        i
    }
}

enum Frame {
    Explore(usize),
    Restore(usize, usize),
}

struct Vm<'p> {
    prog: &'p Program,
    lists: [ThreadList; 2],
    scratch: Vec<usize>,
    stack: Vec<Frame>,
}

impl<'p> Vm<'p> {
    fn new(prog: &'p Program) -> Vm<'p> {
        let (n, slots) = (prog.insts.len(), prog.slot_count());
        Vm { prog, lists: [ThreadList::new(n, slots), ThreadList::new(n, slots)], scratch: vec![UNSET; slots], stack: Vec::new() }
    }

    fn assert_holds(a: Assert, text: &[u8], pos: usize) -> bool {
        match a {
            Assert::TextStart => pos == 0,
            Assert::TextEnd => pos == text.len(),
            Assert::WordBoundary | Assert::NotWordBoundary => {
                let before = pos > 0 && is_word_byte(text[pos - 1]);
                let after = pos < text.len() && is_word_byte(text[pos]);
                (before != after) == (a == Assert::WordBoundary)
            }
        }
    }

    /// Adds the thread at `pc0` with slots `scratch` (clobbered) to list `which`, following
    /// jumps, splits, saves and assertions in priority order.
    fn add_thread(&mut self, which: usize, pc0: usize, text: &[u8], pos: usize) {
        let slots = self.prog.slot_count();
        self.stack.push(Frame::Explore(pc0));
        while let Some(frame) = self.stack.pop() {
            let pc = match frame {
                Frame::Restore(slot, value) => {
                    self.scratch[slot] = value;
                    continue;
                }
                Frame::Explore(pc) => pc,
            };
            // A progress check is not marked visited: its outcome depends on the loop slot.
            if let Inst::Progress { slot, on_progress, on_empty } = self.prog.insts[pc] {
                self.stack.push(Frame::Explore(if self.scratch[slot] != pos { on_progress } else { on_empty }));
                continue;
            }
            let list = &mut self.lists[which];
            if list.contains(pc) {
                continue;
            }
            let idx = list.insert(pc);
            match self.prog.insts[pc] {
                Inst::Jmp(to) => self.stack.push(Frame::Explore(to)),
                Inst::Split(x, y) => {
                    self.stack.push(Frame::Explore(y));
                    self.stack.push(Frame::Explore(x));
                }
                Inst::Save(slot) => {
                    self.stack.push(Frame::Restore(slot, self.scratch[slot]));
                    self.scratch[slot] = pos;
                    self.stack.push(Frame::Explore(pc + 1));
                }
                Inst::Assert(a) => {
                    if Self::assert_holds(a, text, pos) {
                        self.stack.push(Frame::Explore(pc + 1));
                    }
                }
                Inst::Progress { .. } => {}
                Inst::Char(_) | Inst::Class(..) | Inst::AnyButNewline | Inst::Match => {
                    list.caps[idx * slots..(idx + 1) * slots].copy_from_slice(&self.scratch);
                }
            }
        }
    }

    /// The leftmost-first match at or after `start` (not an empty one at `start` when
    /// `must_advance`): its slots, or None.
    fn search(&mut self, text: &[u8], start: usize, must_advance: bool) -> Option<Vec<usize>> {
        let slots = self.prog.slot_count();
        let (mut c, mut n) = (0, 1);
        self.lists[0].len = 0;
        self.lists[1].len = 0;
        let mut found: Option<Vec<usize>> = None;
        let mut pos = start;
        loop {
            if found.is_none() {
                self.scratch.fill(UNSET);
                self.add_thread(c, 0, text, pos);
            }
            if self.lists[c].len == 0 {
                break;
            }
            let ch = (pos < text.len()).then(|| decode(text, pos));
            let mut i = 0;
            while i < self.lists[c].len {
                let pc = self.lists[c].dense[i];
                let ok = match self.prog.insts[pc] {
                    Inst::Match => {
                        if must_advance && pos == start {
                            i += 1;
                            continue;
                        }
                        found = Some(self.lists[c].caps[i * slots..(i + 1) * slots].to_vec());
                        break; // lower-priority threads are cut off
                    }
                    Inst::Char(want) => ch.is_some_and(|(cp, _)| cp == want),
                    Inst::Class(s, len) => ch.is_some_and(|(cp, _)| class_has(&self.prog.ranges[s..s + len], cp)),
                    Inst::AnyButNewline => ch.is_some_and(|(cp, _)| cp != u32::from(b'\n')),
                    _ => false,
                };
                if let (true, Some((_, len))) = (ok, ch) {
                    let from = i * slots;
                    let (lists_c, scratch) = (&self.lists[c].caps, &mut self.scratch);
                    scratch.copy_from_slice(&lists_c[from..from + slots]);
                    self.add_thread(n, pc + 1, text, pos + len);
                }
                i += 1;
            }
            let Some((_, len)) = ch else { break };
            pos += len;
            std::mem::swap(&mut c, &mut n);
            self.lists[n].len = 0;
        }
        found
    }
}

/// The non-overlapping matches of a program in a text, left to right.
struct Matches<'p, 't> {
    vm: Vm<'p>,
    text: &'t [u8],
    caps: Vec<usize>,
    pos: usize,
    must_advance: bool,
    done: bool,
}

impl<'p, 't> Matches<'p, 't> {
    fn new(prog: &'p Program, text: &'t [u8]) -> Matches<'p, 't> {
        Matches { vm: Vm::new(prog), text, caps: Vec::new(), pos: 0, must_advance: false, done: false }
    }

    /// The next match's bounds; `group(k)` then reads its groups.
    fn next_span(&mut self) -> Option<(usize, usize)> {
        if self.done || self.pos > self.text.len() {
            return None;
        }
        let Some(caps) = self.vm.search(self.text, self.pos, self.must_advance) else {
            self.done = true;
            return None;
        };
        self.caps = caps;
        let span = (self.caps[0], self.caps[1]);
        self.pos = span.1;
        self.must_advance = span.0 == span.1;
        Some(span)
    }

    fn group(&self, k: usize) -> Option<(usize, usize)> {
        let (a, b) = (self.caps[2 * k], self.caps[2 * k + 1]);
        (a != UNSET && b != UNSET).then_some((a, b))
    }
}

// ----- Replacement templates -------------------------------------------------------------------

enum Piece {
    Lit(Vec<u8>),
    Group(usize),
}

/// Parses a replacement: `$n`, `${n}` insert group n, `$$` is `$`, any other `$` is literal.
fn template(repl: &[u8], groups: usize) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let (mut lit_start, mut i) = (0, 0);
    while i < repl.len() {
        if repl[i] != b'$' || i + 1 >= repl.len() {
            i += 1;
            continue;
        }
        let d = repl[i + 1];
        let (num_start, num_end, after);
        if d == b'$' {
            pieces.push(Piece::Lit(repl[lit_start..=i].to_vec()));
            i += 2;
            lit_start = i;
            continue;
        } else if d.is_ascii_digit() {
            num_start = i + 1;
            num_end = digits_end(repl, num_start);
            after = num_end;
        } else if d == b'{' {
            num_start = i + 2;
            num_end = digits_end(repl, num_start);
            if num_end == num_start || repl.get(num_end) != Some(&b'}') {
                i += 1;
                continue;
            }
            after = num_end + 1;
        } else {
            i += 1;
            continue;
        }
        let digits = String::from_utf8_lossy(&repl[num_start..num_end]).into_owned();
        let n = digits.parse::<u32>().unwrap_or(u32::MAX) as usize;
        if n > groups {
            return diag(format!("replacement refers to group {digits} at offset {i} but the pattern has {groups} group(s)"));
        }
        if i > lit_start {
            pieces.push(Piece::Lit(repl[lit_start..i].to_vec()));
        }
        pieces.push(Piece::Group(n));
        i = after;
        lit_start = i;
    }
    if lit_start < repl.len() {
        pieces.push(Piece::Lit(repl[lit_start..].to_vec()));
    }
    Ok(pieces)
}

fn digits_end(text: &[u8], mut i: usize) -> usize {
    while text.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

// ----- The built-ins ---------------------------------------------------------------------------

fn text_value(bytes: &[u8]) -> Value {
    // Matches start and end at code point boundaries of UTF-8 text.
    Value::str(&String::from_utf8_lossy(bytes))
}

fn list(items: Vec<Value>) -> Value {
    Value::List(Rc::new(items))
}

/// Runs regex built-in `name`, or None when `name` is not one.
pub fn call(name: &str, args: &[Value], loc: &Loc) -> Option<Result<Reply, Stop>> {
    let arg = |i: usize| match args.get(i) {
        Some(Value::Str(s)) => s.to_string(),
        _ => String::new(),
    };
    if name == "regex_check" {
        return Some(Ok(Reply::Result(compile(&arg(0)).map(|_| Value::Bool(true)))));
    }
    if !matches!(name, "regex_match" | "regex_find" | "regex_find_all" | "regex_captures" | "regex_split" | "regex_replace") {
        return None;
    }
    let (text, pattern) = (arg(0), arg(1));
    let fault = |message: String| Stop::fault(format!("{message} (pattern \"{pattern}\")"), loc);
    let prog = match compile(&pattern) {
        Ok(p) => p,
        Err(message) => return Some(Err(fault(message))),
    };
    let t = text.as_bytes();
    let mut m = Matches::new(&prog, t);
    let reply = match name {
        "regex_match" => Reply::Plain(Value::Bool(m.next_span().is_some())),
        "regex_find" => Reply::Option(m.next_span().map(|(a, b)| text_value(&t[a..b]))),
        "regex_find_all" => Reply::Plain(list(std::iter::from_fn(|| m.next_span()).map(|(a, b)| text_value(&t[a..b])).collect())),
        "regex_captures" => Reply::Option(m.next_span().map(|_| list((0..=prog.groups).map(|k| m.group(k).map_or(Value::str(""), |(a, b)| text_value(&t[a..b]))).collect()))),
        "regex_split" => {
            let (mut pieces, mut last) = (Vec::new(), 0);
            while let Some((a, b)) = m.next_span() {
                pieces.push(text_value(&t[last..a]));
                last = b;
            }
            pieces.push(text_value(&t[last..]));
            Reply::Plain(list(pieces))
        }
        _ => match template(arg(2).as_bytes(), prog.groups) {
            Ok(pieces) => Reply::Plain(text_value(&replace_all(&mut m, t, &pieces))),
            Err(message) => return Some(Err(fault(message))),
        },
    };
    Some(Ok(reply))
}

fn replace_all(m: &mut Matches, text: &[u8], pieces: &[Piece]) -> Vec<u8> {
    let (mut out, mut last) = (Vec::new(), 0);
    while let Some((a, b)) = m.next_span() {
        out.extend_from_slice(&text[last..a]);
        for piece in pieces {
            match piece {
                Piece::Lit(s) => out.extend_from_slice(s),
                Piece::Group(g) => {
                    if let Some((x, y)) = m.group(*g) {
                        out.extend_from_slice(&text[x..y]);
                    }
                }
            }
        }
        last = b;
    }
    out.extend_from_slice(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find_all(text: &str, pattern: &str) -> Vec<String> {
        let prog = compile(pattern).expect("compiles");
        let mut m = Matches::new(&prog, text.as_bytes());
        std::iter::from_fn(|| m.next_span()).map(|(a, b)| text[a..b].to_string()).collect()
    }

    #[test]
    fn matches_like_the_runtime() {
        assert_eq!(find_all("a1b22c333", r"\d+"), ["1", "22", "333"]);
        // Cases of the runtime's own `findAll` table (runtime/regex.zig).
        let cases: [(&str, &str, &[&str]); 13] = [
            (r"\d*", "a12b", &["", "12", "", ""]),
            ("x*", "axbc", &["", "x", "", "", ""]),
            (r"\w+", "Hello, big World!", &["Hello", "big", "World"]),
            ("a|ab", "abab", &["a", "a"]),
            ("", "abc", &["", "", "", ""]),
            (r"\b", "ab cd", &["", "", "", ""]),
            (r"(\d)(\d)", "1234", &["12", "34"]),
            ("é", "été", &["é", "é"]),
            ("(?:x*?)+", "x", &["", "x", ""]),
            ("(?:[a-c]??)+", "bb", &["", "b", "", "b", ""]),
            (r"(?:\d|\W??){0,2}", "a.1cbb", &["", "", ".1", "", "", "", ""]),
            ("(?:a|)+", "aab", &["aa", "", ""]),
            ("a*?", "aaa", &["", "a", "", "a", "", "a", ""]),
        ];
        for (pattern, text, want) in cases {
            assert_eq!(find_all(text, pattern), want, "{pattern:?} in {text:?}");
        }
        assert_eq!(compile("a(b").err().as_deref(), Some("regex: unclosed group at offset 1"));
        assert_eq!(compile("*a").err().as_deref(), Some("regex: nothing to repeat at offset 0"));
    }
}
