//! Tasks (`spawn`/`await`) and channels, run deterministically: a spawned call runs to its end
//! at once, on the spawning thread, and `await` hands over its stored result or rethrows its
//! exception — one schedule the compiled program (one OS thread per task) may also take. So a
//! program whose output does not depend on the schedule prints what the compiled one prints;
//! where compiled tasks print concurrently, the interpreter prints each task's lines together.
//! Channels are FIFO queues (`runtime/task.zig`: capacity ≤ 0 is unbounded, a send after close
//! gives false, a receive on a closed, drained channel gives None). What would wait for another
//! task — a receive on an empty open channel, a send on a full bounded one — is refused (exit
//! status 3): the interpreter does not switch between tasks, so such a wait could not end.
//!
//! Task and channel handles are `Value::Int` ids into this thread's tables, so copies of a
//! handle refer to the same task or channel, as in compiled code.

use super::eval::Returned;
use super::fault::{Loc, Stop};
use super::files::Reply;
use super::value::Value;
use std::cell::RefCell;
use std::collections::VecDeque;

/// A channel's queue, its capacity (None: unbounded) and whether it is closed.
struct Channel {
    queue: VecDeque<Value>,
    capacity: Option<usize>,
    closed: bool,
}

#[derive(Default)]
struct Tables {
    /// Each task's outcome until awaited (None once taken).
    tasks: Vec<Option<Returned>>,
    channels: Vec<Channel>,
}

thread_local! {
    static TABLES: RefCell<Tables> = RefCell::new(Tables::default());
}

fn handle(id: usize) -> Value {
    Value::Int(id as i128)
}

fn id_of(v: &Value) -> usize {
    match v {
        Value::Int(i) => usize::try_from(*i).unwrap_or(usize::MAX),
        _ => usize::MAX,
    }
}

/// Stores a finished task's outcome; its handle.
pub fn finished(outcome: Returned) -> Value {
    TABLES.with(|t| {
        let mut t = t.borrow_mut();
        t.tasks.push(Some(outcome));
        handle(t.tasks.len() - 1)
    })
}

/// `await task`: the task's outcome; awaiting it twice is the runtime's fault.
pub fn take(task: &Value, loc: &Loc) -> Result<Returned, Stop> {
    let outcome = TABLES.with(|t| t.borrow_mut().tasks.get_mut(id_of(task)).and_then(Option::take));
    outcome.ok_or_else(|| Stop::fault("task joined twice (a task's result can be awaited once)", loc))
}

/// Runs channel built-in `name`, or None when `name` is not one.
pub fn call(name: &str, args: &[Value], loc: &Loc) -> Option<Result<Reply, Stop>> {
    if name == "channel_new" {
        let capacity = match args.first() {
            Some(Value::Int(n)) if *n > 0 => Some(usize::try_from(*n).unwrap_or(usize::MAX)),
            _ => None,
        };
        return Some(Ok(Reply::Plain(TABLES.with(|t| {
            let mut t = t.borrow_mut();
            t.channels.push(Channel { queue: VecDeque::new(), capacity, closed: false });
            handle(t.channels.len() - 1)
        }))));
    }
    if !matches!(name, "channel_send" | "channel_recv" | "channel_try_recv" | "channel_close" | "channel_len") {
        return None;
    }
    let id = args.first().map_or(usize::MAX, id_of);
    Some(TABLES.with(|t| {
        let mut t = t.borrow_mut();
        let Some(c) = t.channels.get_mut(id) else { return Err(Stop::unsupported("this channel value", loc)) };
        channel_op(name, c, args.get(1), loc)
    }))
}

fn channel_op(name: &str, c: &mut Channel, value: Option<&Value>, loc: &Loc) -> Result<Reply, Stop> {
    let waits = |what: &str| Stop::unsupported(format!("{what} that would wait for another task (each task runs to its end when spawned)"), loc);
    Ok(match name {
        "channel_send" if c.closed => Reply::Plain(Value::Bool(false)),
        "channel_send" if c.capacity.is_some_and(|cap| c.queue.len() >= cap) => return Err(waits("a channel send")),
        "channel_send" => {
            c.queue.push_back(value.cloned().unwrap_or(Value::Void));
            Reply::Plain(Value::Bool(true))
        }
        "channel_recv" if c.queue.is_empty() && !c.closed => return Err(waits("a channel receive")),
        "channel_recv" | "channel_try_recv" => Reply::Option(c.queue.pop_front()),
        "channel_close" => {
            c.closed = true;
            Reply::Plain(Value::Void)
        }
        _ => Reply::Plain(Value::Int(c.queue.len() as i128)),
    })
}
