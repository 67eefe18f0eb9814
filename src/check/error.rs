//! Problems found by the type checker (data), and their wording as diagnostics.
//!
//! The checker records a [`TypeError`] with the facts (spans, types already printed as the user
//! writes them, suggestions); [`TypeError::to_diagnostic`] is the only place with prose for this
//! phase. Types are printed before they are stored so the error needs no access to the tables.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub enum TypeError {
    Mismatch { span: Span, expected: String, found: String, because: Option<(Span, String)>, hint: Option<String> },
    /// A mismatch on a variable whose `let` gave no type, so a use fixed the literal's type.
    LiteralLetMismatch { span: Span, expected: String, found: String, because: Option<(Span, String)>, name: String, let_span: Span },
    UnknownVariable { span: Span, name: String, suggestion: Option<String> },
    UnknownFunction { span: Span, name: String, suggestion: Option<String> },
    UnknownType { span: Span, name: String, suggestion: Option<String> },
    UnknownField { span: Span, ty: String, field: String, suggestion: Option<String>, fields: Vec<String> },
    UnknownVariant { span: Span, ty: String, variant: String, suggestion: Option<String> },
    Entry { span: Span, message: String },
    UnknownDistribution { span: Span, name: String, suggestion: Option<String> },
    ArgCount { span: Span, callee: String, expected: usize, found: usize, definition: Option<Span> },
    BadOperands { span: Span, op: &'static str, operands: String, hint: Option<String> },
    AssignImmutable { span: Span, name: String, definition: Span },
    NotAPlace { span: Span, func: String },
    MissingReturn { span: Span, name: String, ret: String },
    OutsideLoop { span: Span, keyword: &'static str },
    BadCast { span: Span, from: String, to: String },
    NotIndexable { span: Span, ty: String },
    NoFields { span: Span, ty: String },
    NotIterable { span: Span, ty: String },
    MissingField { span: Span, ty: String, field: String },
    LiteralRange { span: Span, value: String, ty: String },
    CannotInfer { span: Span, what: String },
    VoidValue { span: Span },
    BadReturn { span: Span, message: String, ret_span: Option<Span> },
    PatternMismatch { span: Span, ty: String, message: String },
    NonExhaustive { span: Span, missing: Vec<String> },
    DistParams { span: Span, dist: String, message: String },
    /// A literal `period` below 2 given to a seasonal density.
    SeasonalPeriod { span: Span, dist: String, period: i128 },
    MatrixDimension { span: Span, dist: String, size: i128 },
    MatrixConstraint { span: Span, name: String, dists: &'static str },
    /// A problem in a declared distribution (`"distributions"`).
    BadDistribution { span: Span, name: String, message: String, other: Option<(Span, String)>, hint: Option<String> },
    /// A declared distribution named like a built-in one.
    BuiltinDistName { span: Span, name: String },
    ProbMisuse { span: Span, message: String, hint: Option<String> },
    /// A `"parameterization"` the rewrite of `blocks::noncentered` could not apply (E0340).
    Parameterization { span: Span, message: String },
    TypeArgCount { span: Span, name: String, expected: usize, found: usize },
    MissingImpl { span: Span, ty: String, trait_name: String },
    BadImpl { span: Span, message: String, other: Option<(Span, String)> },
    /// A trait with type parameters (implementations may be generic, traits may not).
    GenericTrait { span: Span, message: String, trait_name: String },
    UnusedResult { span: Span, ty: String },
    ThrowNotError { span: Span, ty: String },
    NotConstant { span: Span },
    RecursiveType { span: Span, name: String },
    RecursiveAlias { span: Span, name: String },
    /// A generic function (or type, `is_type`) reaches `target` with `arg` for `target_param`,
    /// an argument larger than one of its own parameters, and `target` leads back to it.
    EndlessInstantiation { span: Span, is_type: bool, item: String, target: String, target_param: String, arg: String },
    UnknownTrait { span: Span, name: String, suggestion: Option<String> },
    BadExtern { span: Span, name: String },
    BuiltinTypeName { span: Span, name: String },
    UnknownMethod { span: Span, ty: String, method: String },
    Duplicate { what: &'static str, name: String, first: Span, second: Span },
    LeavesFinally { span: Span, what: &'static str },
    UnreachableArm { span: Span },
    UnusedVariable { span: Span, name: String },
    UnreachableCode { span: Span },
}

fn did_you_mean(suggestion: &Option<String>) -> Option<String> {
    suggestion.as_ref().map(|s| format!("did you mean `{s}`?"))
}

impl TypeError {
    pub fn to_diagnostic(&self) -> Diagnostic {
        use TypeError as E;
        match self {
            E::Mismatch { span, expected, found, because, hint } => {
                let mut d = Diagnostic::new(Code::E0301, "Type mismatch")
                    .primary(*span, format!("this is `{found}`"))
                    .expected_found(expected, found);
                if let Some((s, why)) = because {
                    d = d.secondary(*s, why.clone());
                }
                d.maybe_hint(hint.clone().or_else(|| unwrap_hint(expected, found)))
            }
            E::LiteralLetMismatch { span, expected, found, because, name, let_span } => {
                let mut d = Diagnostic::new(Code::E0301, "Type mismatch")
                    .primary(*span, format!("this is `{found}`"))
                    .expected_found(expected, found)
                    .secondary(*let_span, format!("`{name}` has no declared type, so another use of it chose `{found}`"));
                if let Some((s, why)) = because {
                    d = d.secondary(*s, why.clone());
                }
                d.hint(format!("declare the type where `{name}` is bound: {{\"let\": {{\"name\": \"{name}\", \"type\": \"{expected}\", …}}}}, or convert here with {{\"cast\": …}}"))
            }
            E::UnknownVariable { span, name, suggestion } => Diagnostic::new(Code::E0201, format!("Unknown variable `{name}`"))
                .primary(*span, did_you_mean(suggestion).unwrap_or_else(|| "not defined here".into())),
            E::UnknownFunction { span, name, suggestion } => Diagnostic::new(Code::E0202, format!("Unknown function `{name}`"))
                .primary(*span, did_you_mean(suggestion).unwrap_or_else(|| "no function has this name".into())),
            E::UnknownType { span, name, suggestion } => Diagnostic::new(Code::E0203, format!("Unknown type `{name}`"))
                .primary(*span, did_you_mean(suggestion).unwrap_or_else(|| "no type has this name".into()))
                .hint("built-in types: i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 bool str void; declare others under \"types\""),
            E::UnknownField { span, ty, field, suggestion, fields } => {
                Diagnostic::new(Code::E0204, format!("`{ty}` has no field `{field}`"))
                    .primary(*span, did_you_mean(suggestion).unwrap_or_else(|| "unknown field".into()))
                    .note(if fields.is_empty() { "it has no fields".to_string() } else { format!("fields: {}", fields.join(", ")) })
            }
            E::UnknownVariant { span, ty, variant, suggestion } => {
                Diagnostic::new(Code::E0205, format!("`{ty}` has no variant `{variant}`"))
                    .primary(*span, did_you_mean(suggestion).unwrap_or_else(|| "unknown variant".into()))
            }
            E::Entry { span, message } => {
                Diagnostic::new(Code::E0206, "Invalid entry function").primary(*span, message.clone())
            }
            E::UnknownDistribution { span, name, suggestion } => {
                Diagnostic::new(Code::E0207, format!("Unknown distribution `{name}`"))
                    .primary(*span, did_you_mean(suggestion).unwrap_or_else(|| "not a distribution".into()))
                    .hint("`docs/distributions.md` lists the distributions")
            }
            E::ArgCount { span, callee, expected, found, definition } => {
                let mut d = Diagnostic::new(Code::E0302, format!("Wrong number of arguments to `{callee}`"))
                    .primary(*span, format!("{found} argument{} given", plural(*found)))
                    .expected_found(format!("{expected} argument{}", plural(*expected)), format!("{found} argument{}", plural(*found)));
                if let Some(def) = definition {
                    d = d.secondary(*def, "defined here");
                }
                d
            }
            E::BadOperands { span, op, operands, hint } => {
                Diagnostic::new(Code::E0303, format!("`{op}` cannot be applied to {operands}"))
                    .primary(*span, format!("`{op}` on {operands}"))
                    .maybe_hint(hint.clone())
            }
            E::AssignImmutable { span, name, definition } => {
                Diagnostic::new(Code::E0304, format!("Cannot assign twice to immutable variable `{name}`"))
                    .primary(*span, "assigned here")
                    .secondary(*definition, "declared without \"mutable\": true")
                    .hint(format!("declare it with {{\"let\": {{\"name\": \"{name}\", \"mutable\": true, …}}}}"))
            }
            E::NotAPlace { span, func } => Diagnostic::new(Code::E0304, format!("`{func}` needs a mutable variable"))
                .primary(*span, format!("`{func}` changes its first argument, so it must be a variable declared with \"mutable\": true")),
            E::MissingReturn { span, name, ret } => {
                Diagnostic::new(Code::E0305, format!("`{name}` may finish without returning a value"))
                    .primary(*span, format!("this function returns `{ret}`, but some path reaches the end of its body"))
                    .hint("add a `return` at the end, or in every branch")
            }
            E::OutsideLoop { span, keyword } => Diagnostic::new(Code::E0306, format!("`{keyword}` outside of a loop"))
                .primary(*span, format!("`{keyword}` is only allowed inside `while` or `for`")),
            E::BadCast { span, from, to } => Diagnostic::new(Code::E0307, format!("Cannot convert `{from}` to `{to}`"))
                .primary(*span, "invalid conversion")
                .note("casts convert between numeric types, and between integers and bool"),
            E::NotIndexable { span, ty } => Diagnostic::new(Code::E0308, format!("`{ty}` cannot be indexed"))
                .primary(*span, "only arrays can be indexed")
                .hint("use `map_get` for maps and `str_substring` for strings"),
            E::NoFields { span, ty } => {
                Diagnostic::new(Code::E0309, format!("`{ty}` has no fields")).primary(*span, "this value is not a struct, record or tuple")
            }
            E::NotIterable { span, ty } => Diagnostic::new(Code::E0310, format!("`{ty}` cannot be iterated over"))
                .primary(*span, "not an array, map, set or range")
                .hint("iterate over a range with {\"range\": {\"start\": …, \"end\": …}}"),
            E::MissingField { span, ty, field } => Diagnostic::new(Code::E0311, format!("Missing field `{field}` in `{ty}`"))
                .primary(*span, format!("`{field}` is not given a value")),
            E::LiteralRange { span, value, ty } => Diagnostic::new(Code::E0312, format!("Literal out of range for `{ty}`"))
                .primary(*span, format!("`{value}` does not fit in `{ty}`")),
            E::CannotInfer { span, what } => Diagnostic::new(Code::E0313, format!("Cannot infer the type of {what}"))
                .primary(*span, "type needed here")
                .hint("add a \"type\" to the `let`"),
            E::VoidValue { span } => Diagnostic::new(Code::E0314, "A `void` value is used")
                .primary(*span, "this produces no value"),
            E::BadReturn { span, message, ret_span } => {
                let mut d = Diagnostic::new(Code::E0315, "Invalid return").primary(*span, message.clone());
                if let Some(r) = ret_span {
                    d = d.secondary(*r, "the return type is declared here");
                }
                d
            }
            E::PatternMismatch { span, ty, message } => {
                Diagnostic::new(Code::E0316, format!("Pattern does not fit a value of type `{ty}`")).primary(*span, message.clone())
            }
            E::NonExhaustive { span, missing } => {
                let mut d = Diagnostic::new(Code::E0317, "Non-exhaustive match")
                    .primary(*span, format!("`{}` is not covered", missing.first().map_or("_", String::as_str)));
                for m in missing {
                    d = d.note(format!("missing pattern: {m}"));
                }
                d.hint("add an arm for each missing pattern, or a wildcard arm {\"pattern\": {\"_\": null}, …}")
            }
            E::DistParams { span, dist, message } => {
                Diagnostic::new(Code::E0318, format!("Invalid parameters for `{dist}`")).primary(*span, message.clone())
            }
            E::SeasonalPeriod { span, dist, period } => Diagnostic::new(Code::E0345, format!("`{dist}` needs a period of at least 2"))
                .primary(*span, format!("the period is {period}: a season needs at least two steps"))
                .note("a series without a season is `local_level`"),
            E::MatrixDimension { span, dist, size } => Diagnostic::new(Code::E0346, format!("a `{dist}` draw needs a dimension of at least 1"))
                .primary(*span, format!("the dimension K of this K×K draw is {size}")),
            E::MatrixConstraint { span, name, dists } => Diagnostic::new(Code::E0347, format!("`{name}` is not a constraint"))
                .primary(*span, format!("a `{name}` parameter is {dists}"))
                .note("matrix parameters take their type from their distribution, not from a `constraint`"),
            E::BadDistribution { span, name, message, other, hint } => {
                let mut d = Diagnostic::new(Code::E0318, format!("Invalid distribution `{name}`")).primary(*span, message.clone());
                if let Some((s, m)) = other {
                    d = d.secondary(*s, m.clone());
                }
                d.maybe_hint(hint.clone())
            }
            E::BuiltinDistName { span, name } => Diagnostic::new(Code::E0111, format!("The distribution `{name}` is already built in"))
                .primary(*span, "a built-in distribution has this name")
                .hint("give the declared distribution another name (`docs/distributions.md` lists the built-in ones)"),
            E::ProbMisuse { span, message, hint } => Diagnostic::new(Code::E0319, "Invalid probabilistic statement")
                .primary(*span, message.clone())
                .maybe_hint(hint.clone()),
            E::Parameterization { span, message } => Diagnostic::new(Code::E0340, "Invalid parameterization")
                .primary(*span, message.clone())
                .hint("write the draw as the whole value of a `let`: {\"let\": {\"name\": \"theta\", \"value\": {\"sample\": {…, \"parameterization\": \"noncentered\"}}}}"),
            E::TypeArgCount { span, name, expected, found } => {
                Diagnostic::new(Code::E0320, format!("Wrong number of type arguments for `{name}`"))
                    .primary(*span, format!("{found} given"))
                    .expected_found(format!("{expected} type argument{}", plural(*expected)), found)
            }
            E::MissingImpl { span, ty, trait_name } => {
                Diagnostic::new(Code::E0321, format!("`{ty}` does not implement `{trait_name}`"))
                    .primary(*span, format!("`{trait_name}` is required here"))
                    .hint(format!("add a trait_impls entry for `{trait_name}` with target_type `{ty}`"))
            }
            E::BadImpl { span, message, other } => {
                let mut d = Diagnostic::new(Code::E0322, "Invalid trait implementation").primary(*span, message.clone());
                if let Some((s, m)) = other {
                    d = d.secondary(*s, m.clone());
                }
                d
            }
            E::GenericTrait { span, message, trait_name } => Diagnostic::new(Code::E0332, "Traits cannot be generic")
                .primary(*span, message.clone())
                .hint(format!("write the methods of `{trait_name}` with concrete types; an implementation may be generic instead (`\"target_type\": \"Stack<T>\"`), and so may a function with the bound {{\"name\": \"T\", \"bounds\": [\"{trait_name}\"]}}")),
            E::UnusedResult { span, ty } => Diagnostic::new(Code::E0323, "Unhandled `Result`")
                .primary(*span, format!("this `{ty}` is discarded, so its error would be lost"))
                .hint("match on it, propagate it with {\"propagate\": …}, or bind it with `let`"),
            E::ThrowNotError { span, ty } => Diagnostic::new(Code::E0324, "Only errors and strings can be thrown")
                .primary(*span, format!("this is `{ty}`"))
                .hint("throw a string message or a value of a declared error type: {\"error\": {\"type\": …, \"message\": …}}"),
            E::NotConstant { span } => Diagnostic::new(Code::E0325, "Not a constant expression")
                .primary(*span, "constants may only use literals, operators, casts, arrays and other constants"),
            E::RecursiveType { span, name } => Diagnostic::new(Code::E0326, format!("`{name}` contains itself"))
                .primary(*span, "a record cannot hold a value of its own type directly")
                .hint("put the recursive part in an enum variant or an array"),
            E::RecursiveAlias { span, name } => Diagnostic::new(Code::E0326, format!("The alias `{name}` refers to itself"))
                .primary(*span, "following the aliases from here comes back to this one")
                .hint("an alias names another type; make one of them a record or an enum"),
            E::EndlessInstantiation { span, is_type: false, item, target, target_param, arg } => {
                let (label, route) = if item == target {
                    (format!("`{item}` calls itself here with `{target_param}` = `{arg}`"), String::new())
                } else {
                    (format!("this call instantiates `{target}` with `{target_param}` = `{arg}`"), format!("`{target}` calls lead back to `{item}`, so "))
                };
                Diagnostic::new(Code::E0331, format!("`{item}` would need infinitely many instances"))
                    .primary(*span, label)
                    .note(format!("{route}each instance of `{item}` asks for another at a larger type, without end"))
                    .hint("a generic function can reach itself only with the same type arguments; pass the growing part as a value instead")
            }
            E::EndlessInstantiation { span, is_type: true, item, target, target_param, arg } => {
                let route = if item == target { String::new() } else { format!("`{target}` leads back to `{item}`, so ") };
                Diagnostic::new(Code::E0331, format!("The generic type `{item}` would need infinitely many instances"))
                    .primary(*span, format!("a member of `{item}` uses `{target}` with `{target_param}` = `{arg}`"))
                    .note(format!("{route}each instance of `{item}` holds another at a larger type, without end"))
                    .hint("a generic type can contain itself only with the same type arguments (as `Tree<T>` inside `Tree<T>`)")
            }
            E::UnknownTrait { span, name, suggestion } => Diagnostic::new(Code::E0208, format!("Unknown trait `{name}`"))
                .primary(*span, did_you_mean(suggestion).unwrap_or_else(|| "no trait has this name".into()))
                .hint("declare traits under \"interfaces\""),
            E::BadExtern { span, name } => Diagnostic::new(Code::E0330, format!("`{name}` cannot be called through the C ABI"))
                .primary(*span, "extern functions take and return only numbers, bool or void")
                .hint("strings, arrays and records have no C representation; pass numbers"),
            E::BuiltinTypeName { span, name } => Diagnostic::new(Code::E0111, format!("`{name}` is a built-in type"))
                .primary(*span, "a declared type cannot take a built-in type's name")
                .hint("choose another name"),
            E::UnknownMethod { span, ty, method } => {
                Diagnostic::new(Code::E0327, format!("No method `{method}` on `{ty}`"))
                    .primary(*span, "no trait implemented by this type has this method")
            }
            E::Duplicate { what, name, first, second } => {
                Diagnostic::new(Code::E0111, format!("The {what} `{name}` is defined twice"))
                    .primary(*second, "defined again here")
                    .secondary(*first, "first defined here")
            }
            E::LeavesFinally { span, what } => Diagnostic::new(Code::E0329, format!("`{what}` cannot leave a `finally` block"))
                .primary(*span, format!("this `{what}` would jump out of the `finally` block"))
                .hint("a `finally` block always runs to its end; move this out of the block"),
            E::UnusedVariable { span, name } => Diagnostic::new(Code::W0003, format!("Unused variable `{name}`"))
                .primary(*span, "this value is never read")
                .hint(format!("remove it, or name it `_{name}` if it is there on purpose")),
            E::UnreachableArm { span } => Diagnostic::new(Code::W0001, "Unreachable match arm")
                .primary(*span, "earlier arms already match every value this arm could match"),
            E::UnreachableCode { span } => {
                Diagnostic::new(Code::W0002, "Unreachable code").primary(*span, "this statement never runs")
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The hint for a `Result` or `Option` found where the value inside it is wanted (as E0323
/// gives for a discarded `Result`).
fn unwrap_hint(expected: &str, found: &str) -> Option<String> {
    let wrapper = ["Result", "Option"].into_iter().find(|w| found.starts_with(&format!("{w}<")))?;
    if expected.starts_with(&format!("{wrapper}<")) {
        return None;
    }
    let empty = if wrapper == "Result" { "an `Err`" } else { "`None`" };
    Some(format!(
        "this `{wrapper}` may hold {empty} instead of a value: match on it, or propagate it with {{\"propagate\": …}} (which returns {empty} from this function)"
    ))
}
