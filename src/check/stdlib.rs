//! Signatures of the standard-library built-ins: number formatting, files and directories,
//! CSV and metric streams, standard input, JSON, date and time, regular expressions and HTTP.
//!
//! They live in their own table so that `builtins.rs` stays the core language's list;
//! `builtins::find` consults both. The entries use the same type mini-language (`num`, `int`,
//! `prim` markers, `Option<…>`, `Result<…>`, `[T]`, `map<K, V>`) plus the prelude types `Json`
//! and `HttpResponse` (declared in `env.rs`). Each name is a flat runtime function `rt.<name>`
//! in `runtime/sirs_std.zig`; those that fault take the call's location last and are listed in
//! `zig::builtin_takes_loc`. `docs/stdlib.md` documents every entry with an example.

use super::{Builtin, b};

pub static STDLIB: &[Builtin] = &[
    // Number formatting (to_string, str_split, str_join, str_parse_* are core built-ins).
    b("str_format_float", &["num", "i64"], "str"),
    // Files and directories: errors are `Err("<builtin>: cannot <action> '<path>': <reason>")`.
    b("file_read", &["str"], "Result<str, str>"),
    b("file_write", &["str", "str"], "Result<bool, str>"),
    b("file_append", &["str", "str"], "Result<bool, str>"),
    b("file_exists", &["str"], "bool"),
    b("file_delete", &["str"], "Result<bool, str>"),
    b("file_size", &["str"], "Result<i64, str>"),
    b("dir_create", &["str"], "Result<bool, str>"),
    b("dir_exists", &["str"], "bool"),
    b("dir_list", &["str"], "Result<[str], str>"),
    b("dir_remove", &["str"], "Result<bool, str>"),
    // CSV, metric streams and standard input (runtime/csv.zig): errors are
    // `Err("csv: <file>:<line>:<column>: <what was expected>")`.
    b("csv_read", &["str"], "Result<[[str]], str>"),
    b("csv_parse_row", &["str"], "Result<[str], str>"),
    b("metrics_read", &["str"], "Result<[[f64]], str>"),
    b("metric_parse_row", &["str", "str", "i64"], "Result<[f64], str>"),
    b("stdin_read_line", &[], "Option<str>"),
    // JSON.
    b("json_parse", &["str"], "Result<Json, str>"),
    b("json_stringify", &["Json"], "str"),
    b("json_pretty", &["Json"], "str"),
    b("json_get", &["Json", "str"], "Option<Json>"),
    b("json_at", &["Json", "i64"], "Option<Json>"),
    b("json_len", &["Json"], "i64"),
    b("json_has_key", &["Json", "str"], "bool"),
    b("json_keys", &["Json"], "[str]"),
    b("json_as_number", &["Json"], "Option<f64>"),
    b("json_as_string", &["Json"], "Option<str>"),
    b("json_as_bool", &["Json"], "Option<bool>"),
    b("json_is_null", &["Json"], "bool"),
    b("json_kind", &["Json"], "str"),
    b("json_null", &[], "Json"),
    b("json_bool", &["bool"], "Json"),
    b("json_number", &["num"], "Json"),
    b("json_string", &["str"], "Json"),
    b("json_array", &["[Json]"], "Json"),
    b("json_object", &["map<str, Json>"], "Json"),
    b("json_set", &["Json", "str", "Json"], "Json"),
    b("json_push", &["Json", "Json"], "Json"),
    // Date and time: an i64 count of seconds since 1970-01-01T00:00:00Z.
    b("datetime_now", &[], "i64"),
    b("datetime_now_millis", &[], "i64"),
    b("datetime_now_micros", &[], "i64"),
    b("datetime_year", &["i64"], "i64"),
    b("datetime_month", &["i64"], "i64"),
    b("datetime_day", &["i64"], "i64"),
    b("datetime_hour", &["i64"], "i64"),
    b("datetime_minute", &["i64"], "i64"),
    b("datetime_second", &["i64"], "i64"),
    b("datetime_weekday", &["i64"], "i64"),
    b("datetime_day_of_year", &["i64"], "i64"),
    b("datetime_add_seconds", &["i64", "i64"], "i64"),
    b("datetime_add_minutes", &["i64", "i64"], "i64"),
    b("datetime_add_hours", &["i64", "i64"], "i64"),
    b("datetime_add_days", &["i64", "i64"], "i64"),
    b("datetime_diff_seconds", &["i64", "i64"], "i64"),
    b("datetime_make", &["i64", "i64", "i64", "i64", "i64", "i64"], "Result<i64, str>"),
    b("datetime_format", &["i64"], "str"),
    b("datetime_format_with", &["i64", "str"], "Result<str, str>"),
    b("datetime_parse", &["str"], "Result<i64, str>"),
    b("datetime_is_leap_year", &["i64"], "bool"),
    b("datetime_days_in_month", &["i64", "i64"], "i64"),
    b("sleep_seconds", &["i64"], "void"),
    b("sleep_millis", &["i64"], "void"),
    // Regular expressions: the text comes first, then the pattern. An invalid pattern is a
    // fault at the call; `regex_check` validates a pattern without faulting.
    b("regex_check", &["str"], "Result<bool, str>"),
    b("regex_match", &["str", "str"], "bool"),
    b("regex_find", &["str", "str"], "Option<str>"),
    b("regex_find_all", &["str", "str"], "[str]"),
    b("regex_captures", &["str", "str"], "Option<[str]>"),
    b("regex_split", &["str", "str"], "[str]"),
    b("regex_replace", &["str", "str", "str"], "str"),
    // HTTP/1.1 client (plain http://); every status is Ok, Err is a transport failure.
    b("http_get", &["str"], "Result<HttpResponse, str>"),
    b("http_delete", &["str"], "Result<HttpResponse, str>"),
    b("http_post", &["str", "str"], "Result<HttpResponse, str>"),
    b("http_put", &["str", "str"], "Result<HttpResponse, str>"),
    b("http_request", &["str", "str", "map<str, str>", "str"], "Result<HttpResponse, str>"),
];

#[cfg(test)]
mod tests {
    use super::super::BUILTINS;
    use super::*;
    use crate::types::Ty;

    #[test]
    fn json_and_http_response_resolve_to_the_prelude_types() {
        let none = |_: &str| None;
        let json = super::super::parse_type("Option<Json>", &[], &none);
        assert!(matches!(json, Ty::Invalid), "Option needs the resolver");
        let direct = super::super::parse_type("[Json]", &[], &none);
        assert_eq!(direct, Ty::Array(Box::new(Ty::Adt(crate::check::env::JSON, vec![]))));
        let resp = super::super::parse_type("HttpResponse", &[], &none);
        assert_eq!(resp, Ty::Adt(crate::check::env::HTTP_RESPONSE, vec![]));
    }

    #[test]
    fn names_are_unique_and_do_not_shadow_core_built_ins() {
        let mut seen = std::collections::HashSet::new();
        for builtin in STDLIB {
            assert!(seen.insert(builtin.name), "duplicate {}", builtin.name);
            assert!(BUILTINS.iter().all(|b| b.name != builtin.name), "{} is also a core built-in", builtin.name);
            assert!(super::super::find(builtin.name).is_some(), "{} not found", builtin.name);
        }
        assert!(STDLIB.iter().all(|b| !b.mutates_first));
    }
}
