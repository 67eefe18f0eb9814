//! Reading back what the model binary did: its CSV files and summary JSON as a [`Posterior`]
//! (the columns `rt.ppl.infer.collect` keeps: `lp__`, then the model's, each with every chain's
//! draws), or its failure as the fault `rt.ppl.infer.run` gives. The binary writes numbers in
//! their shortest round-trip form, so the draws read back bit for bit.

use super::Run;
use super::exact_json;
use super::posterior::{Column, Posterior};
use crate::interp::fault::{FAULT_STATUS, Loc, Stop};

/// The posterior of a run, or the fault it ended with. The notes the sampler wrote on stderr
/// (as the compiled program writes them) are added to `stderr`.
pub fn posterior(
    run: Run,
    chains: usize,
    stderr: &mut Vec<u8>,
    loc: &Loc,
) -> Result<Posterior, Stop> {
    match run.status {
        Some(0) => {
            stderr.extend_from_slice(without_warnings(&run.stderr).as_bytes());
            let unreadable = |what: &str| {
                Stop::unsupported(
                    format!("`infer` here: the sampler's {what} could not be read"),
                    loc,
                )
            };
            let summary = run
                .summary
                .as_deref()
                .ok_or_else(|| unreadable("summary"))?;
            read(summary, &run.csv, chains).ok_or_else(|| unreadable("output"))
        }
        Some(status) if status == i32::from(FAULT_STATUS) => {
            Err(model_fault(&run.stderr, stderr, loc))
        }
        Some(_) => Err(sampler_failure(&run.stderr, stderr, loc)),
        None => Err(Stop::unsupported(
            "`infer` here: the sampler was stopped by a signal",
            loc,
        )),
    }
}

/// The binary's stderr without the convergence warnings it adds after the run (the compiled
/// `infer` writes none): each `Warning: ` line with its indented continuation lines. The notes
/// the model writes (while sampling and when it is unloaded, after the warnings) stay.
fn without_warnings(text: &str) -> String {
    let mut out = String::new();
    let mut in_warning = false;
    for line in text.split_inclusive('\n') {
        in_warning = line.starts_with("Warning: ")
            || (in_warning && (line.starts_with("  ") || line == "\n"));
        if !in_warning {
            out.push_str(line);
        }
    }
    out
}

/// A fault of the model's own code while sampling: the binary reported it as the compiled
/// program does (`error: <message>`, `  --> file:line:col (in function `f`)`, maybe a note).
fn model_fault(text: &str, stderr: &mut Vec<u8>, loc: &Loc) -> Stop {
    let Some(start) = text
        .rfind("error: ")
        .filter(|at| *at == 0 || text.as_bytes()[at - 1] == b'\n')
    else {
        stderr.extend_from_slice(text.as_bytes());
        return Stop::fault("infer: the sampler stopped with a fault", loc);
    };
    stderr.extend_from_slice(&text.as_bytes()[..start]);
    let mut lines = text[start..].lines();
    let message = lines
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ")
        .to_string();
    let at = lines.next().and_then(location);
    let note = lines
        .next()
        .and_then(|l| l.strip_prefix("  note: "))
        .map(str::to_string);
    match at {
        Some(at) => Stop::Fault {
            message,
            loc: at,
            note,
        },
        None => Stop::Fault {
            message,
            loc: loc.clone(),
            note,
        },
    }
}

/// `  --> file:line:col (in function `f`)` as a location.
fn location(line: &str) -> Option<Loc> {
    let rest = line.strip_prefix("  --> ")?;
    let (place, func) = rest.split_once(" (in function `")?;
    let func = func.strip_suffix("`)")?;
    let mut parts = place.rsplitn(3, ':');
    let col = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    Some(Loc {
        func: func.to_string(),
        line,
        col,
    })
}

/// The sampler's own failure (data it rejects, chains that failed), worded as
/// `rt.ppl.infer.run` words it: `infer: ` and the first failure. The binary says a reason all
/// chains share once (`all N chains: why`); `infer` names the first chain's message.
fn sampler_failure(text: &str, stderr: &mut Vec<u8>, loc: &Loc) -> Stop {
    let Some(first) = text.lines().position(|l| l.starts_with("error: ")) else {
        stderr.extend_from_slice(text.as_bytes());
        return Stop::fault("infer: the sampler failed", loc);
    };
    for line in text.lines().take(first) {
        stderr.extend_from_slice(line.as_bytes());
        stderr.push(b'\n');
    }
    let line = text
        .lines()
        .nth(first)
        .unwrap_or("")
        .trim_start_matches("error: ");
    let message = match line
        .strip_prefix("all ")
        .and_then(|r| r.split_once(" chains: "))
    {
        Some((count, why)) if count.parse::<usize>().is_ok() => format!("chain 1: {why}"),
        _ => line.to_string(),
    };
    Stop::fault(format!("infer: {message}"), loc)
}

/// The posterior from the summary JSON (names and statistics, divergences) and the chains' CSV
/// texts (draws); `None` when either is not what the sampler writes.
fn read(summary: &str, csv: &[String], chains: usize) -> Option<Posterior> {
    let json = exact_json::parse(summary)?;
    let tables: Vec<(Vec<String>, Vec<Vec<f64>>)> =
        csv.iter().map(|t| table(t)).collect::<Option<_>>()?;
    if tables.len() != chains {
        return None;
    }
    let mut columns = Vec::new();
    for c in json.get("columns")?.items()? {
        let name = c.get("name")?.text()?.to_string();
        let mut draws = Vec::new();
        for (header, rows) in &tables {
            let i = header.iter().position(|h| *h == name)?;
            draws.extend(rows.iter().map(|r| r.get(i).copied().unwrap_or(f64::NAN)));
        }
        let number = |key: &str| c.get(key).map_or(f64::NAN, exact_json::Json::number);
        columns.push(Column {
            draws,
            mean: number("mean"),
            sd: number("sd"),
            rhat: number("rhat"),
            ess_bulk: number("ess_bulk"),
            name,
        });
    }
    let divergences = json
        .get("chains")?
        .items()?
        .iter()
        .map(|c| c.get("divergences").map_or(0.0, exact_json::Json::number) as usize)
        .sum();
    let evidence = json.get("log_evidence").map(|e| {
        let se = json.get("log_evidence_se").map_or(f64::NAN, exact_json::Json::number);
        (e.number(), se)
    });
    Some(Posterior {
        columns,
        chains,
        divergences,
        evidence,
    })
}

/// A Stan CSV file: its header and its rows of numbers (comments skipped).
fn table(text: &str) -> Option<(Vec<String>, Vec<Vec<f64>>)> {
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty());
    let header = lines.next()?.split(',').map(str::to_string).collect();
    let rows = lines
        .map(|l| {
            l.split(',')
                .map(|x| x.parse::<f64>().ok())
                .collect::<Option<Vec<f64>>>()
        })
        .collect::<Option<_>>()?;
    Some((header, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> Loc {
        Loc {
            func: "main".into(),
            line: 3,
            col: 5,
        }
    }

    #[test]
    fn the_binarys_warnings_are_dropped_and_its_notes_kept() {
        assert_eq!(
            without_warnings("Warning: 3 columns\n  more\nnote: 1 proposal\n  (early)\n"),
            "note: 1 proposal\n  (early)\n"
        );
        assert_eq!(without_warnings("Warning: x\n"), "");
        assert_eq!(without_warnings("note: y\n"), "note: y\n");
    }

    #[test]
    fn a_shared_chain_failure_is_named_by_the_first_chain() {
        let mut stderr = Vec::new();
        let stop = sampler_failure(
            "note: 3 proposals rejected\nerror: all 2 chains: no finite start\n",
            &mut stderr,
            &here(),
        );
        assert_eq!(
            stop,
            Stop::fault("infer: chain 1: no finite start", &here())
        );
        assert_eq!(stderr, b"note: 3 proposals rejected\n");
    }

    #[test]
    fn a_model_fault_keeps_its_location_and_note() {
        let mut stderr = Vec::new();
        let text = "error: index 7 out of bounds\n  --> m.sirs.json:12:9 (in function `coin`)\n  note: while reading the data\n";
        let stop = model_fault(text, &mut stderr, &here());
        let want = Stop::Fault {
            message: "index 7 out of bounds".into(),
            loc: Loc {
                func: "coin".into(),
                line: 12,
                col: 9,
            },
            note: Some("while reading the data".into()),
        };
        assert_eq!(stop, want);
    }

    #[test]
    fn draws_are_read_from_every_chain_in_order() {
        let summary = r#"{"columns": [{"name": "lp__", "mean": -1.5}, {"name": "mu", "mean": 0.25, "rhat": null}], "chains": [{"divergences": 1}, {"divergences": 2}]}"#;
        let csv = |a: &str| format!("# model = m\nlp__,accept_stat__,mu\n{a}\n");
        let p = read(summary, &[csv("-1,0.9,0.5"), csv("-2,0.8,1e-1")], 2).expect("readable");
        assert_eq!(p.columns[1].draws, vec![0.5, 0.1]);
        assert_eq!(p.columns[0].draws, vec![-1.0, -2.0]);
        assert_eq!(p.divergences, 3);
        assert!(p.columns[1].rhat.is_nan());
    }
}
