//! Maps and sets with the runtime's semantics (`runtime/map.zig`, `set.zig`): entries keep
//! their insertion order, replacing a value keeps the entry's place, removing one keeps the
//! order of the others, and keys compare as `rc.eql` does. Entries are held in a vector and
//! found by a linear search, which is enough for an interpreter. Float keys are refused: the
//! runtime hashes a float's bits, so `0.0` and `-0.0` are equal yet may not find each other.

use super::fault::{Loc, Stop};
use super::value::Value;
use std::rc::Rc;

fn check_key(k: &Value, loc: &Loc) -> Result<(), Stop> {
    match k {
        Value::Float(_) => Err(Stop::unsupported("maps and sets with float keys", loc)),
        Value::Fields(items) | Value::List(items) => items.iter().try_for_each(|x| check_key(x, loc)),
        Value::Variant(_, Some(p)) => check_key(p, loc),
        _ => Ok(()),
    }
}

/// A map literal: entries inserted in order (a repeated key replaces the value in place).
pub fn make_map(entries: Vec<(Value, Value)>, loc: &Loc) -> Result<Value, Stop> {
    let mut map = Vec::new();
    for (k, v) in entries {
        insert(&mut map, k, v, loc)?;
    }
    Ok(Value::Map(Rc::new(map)))
}

/// A set literal: items inserted in order, repeats dropped.
pub fn make_set(items: Vec<Value>, loc: &Loc) -> Result<Value, Stop> {
    let mut set = Vec::new();
    for x in items {
        check_key(&x, loc)?;
        if !set.contains(&x) {
            set.push(x);
        }
    }
    Ok(Value::Set(Rc::new(set)))
}

fn insert(map: &mut Vec<(Value, Value)>, k: Value, v: Value, loc: &Loc) -> Result<(), Stop> {
    check_key(&k, loc)?;
    match map.iter_mut().find(|(key, _)| *key == k) {
        Some(entry) => entry.1 = v,
        None => map.push((k, v)),
    }
    Ok(())
}

/// The built-ins that change a map or set local: `map_insert`, `map_remove`, `set_insert`,
/// `set_remove`. `None` when `name` is not one of them.
pub fn call_mut(name: &str, target: &mut Value, args: &[Value], loc: &Loc) -> Option<Result<Value, Stop>> {
    Some(match (name, target, args) {
        ("map_insert", Value::Map(map), [k, v]) => insert(Rc::make_mut(map), k.clone(), v.clone(), loc).map(|()| Value::Void),
        ("map_remove", Value::Map(map), [k]) => check_key(k, loc).map(|()| {
            let at = map.iter().position(|(key, _)| key == k);
            if let Some(at) = at {
                Rc::make_mut(map).remove(at);
            }
            Value::Bool(at.is_some())
        }),
        ("set_insert", Value::Set(set), [x]) => check_key(x, loc).map(|()| {
            let new = !set.contains(x);
            if new {
                Rc::make_mut(set).push(x.clone());
            }
            Value::Bool(new)
        }),
        ("set_remove", Value::Set(set), [x]) => check_key(x, loc).map(|()| {
            let at = set.iter().position(|y| y == x);
            if let Some(at) = at {
                Rc::make_mut(set).remove(at);
            }
            Value::Bool(at.is_some())
        }),
        _ => return None,
    })
}

/// The built-ins that read maps and sets. `Option` results are built by `some_or_none`.
pub fn call(name: &str, args: &[Value], some_or_none: impl Fn(Option<Value>) -> Result<Value, Stop>, loc: &Loc) -> Option<Result<Value, Stop>> {
    let list = |items: Vec<Value>| Ok(Value::List(Rc::new(items)));
    Some(match (name, args) {
        ("map_len" | "len", [Value::Map(map)]) => Ok(Value::Int(map.len() as i128)),
        ("map_get", [Value::Map(map), k]) => check_key(k, loc).and_then(|()| some_or_none(map.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()))),
        ("map_contains", [Value::Map(map), k]) => check_key(k, loc).map(|()| Value::Bool(map.iter().any(|(key, _)| key == k))),
        ("map_keys", [Value::Map(map)]) => list(map.iter().map(|(k, _)| k.clone()).collect()),
        ("map_values", [Value::Map(map)]) => list(map.iter().map(|(_, v)| v.clone()).collect()),
        ("map_key_at", [Value::Map(map), Value::Int(i)]) => entry(map, *i, loc).map(|(k, _)| k.clone()),
        ("map_value_at", [Value::Map(map), Value::Int(i)]) => entry(map, *i, loc).map(|(_, v)| v.clone()),
        ("set_len" | "len", [Value::Set(set)]) => Ok(Value::Int(set.len() as i128)),
        ("set_contains", [Value::Set(set), x]) => check_key(x, loc).map(|()| Value::Bool(set.contains(x))),
        ("set_items", [Value::Set(set)]) => list(set.to_vec()),
        ("set_union", [Value::Set(a), Value::Set(b)]) => make_set(a.iter().chain(b.iter()).cloned().collect(), loc),
        ("set_intersection", [Value::Set(a), Value::Set(b)]) => make_set(a.iter().filter(|x| b.contains(x)).cloned().collect(), loc),
        ("set_difference", [Value::Set(a), Value::Set(b)]) => make_set(a.iter().filter(|x| !b.contains(x)).cloned().collect(), loc),
        _ => return None,
    })
}

/// Entry `i` of a map, for the `for` loops lowering makes (always in range there).
fn entry<'m>(map: &'m [(Value, Value)], i: i128, loc: &Loc) -> Result<&'m (Value, Value), Stop> {
    usize::try_from(i).ok().and_then(|i| map.get(i)).ok_or_else(|| Stop::unsupported("a map position out of range", loc))
}
