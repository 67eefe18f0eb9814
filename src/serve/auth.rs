//! Bearer tokens, each confined to a series prefix: a request may read or write a series only
//! if its token's prefix starts the series' name (`*`: every series). With no token
//! configured, authentication is off (for a service on loopback).

use std::collections::HashMap;

/// What a token may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Prefix(String),
}

impl Scope {
    pub fn allows(&self, series: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Prefix(p) => series.starts_with(p.as_str()),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Tokens {
    by_token: HashMap<String, Scope>,
}

fn scope_of(prefix: &str) -> Scope {
    if prefix == "*" { Scope::All } else { Scope::Prefix(prefix.to_string()) }
}

impl Tokens {
    /// Reads `TOKEN PREFIX` lines (blank lines and `#` comments skipped) and `TOKEN=PREFIX`
    /// flags; a malformed line or flag is an error naming it.
    pub fn parse(file_text: Option<(&str, &str)>, flags: &[String]) -> Result<Tokens, String> {
        let mut tokens = Tokens::default();
        if let Some((path, text)) = file_text {
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let mut words = line.split_whitespace();
                let (Some(token), Some(prefix), None) = (words.next(), words.next(), words.next()) else {
                    return Err(format!("{path}:{}: expected `TOKEN PREFIX` (`*` for every series)", i + 1));
                };
                tokens.add(token, prefix).map_err(|e| format!("{path}:{}: {e}", i + 1))?;
            }
        }
        for flag in flags {
            let Some((token, prefix)) = flag.split_once('=') else {
                return Err(format!("--token {flag}: expected TOKEN=PREFIX (`*` for every series)"));
            };
            tokens.add(token, prefix).map_err(|e| format!("--token: {e}"))?;
        }
        Ok(tokens)
    }

    fn add(&mut self, token: &str, prefix: &str) -> Result<(), String> {
        if token.len() < 8 || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("a token has at least 8 visible ASCII characters".to_string());
        }
        if prefix.is_empty() {
            return Err("the prefix is empty (write `*` for every series)".to_string());
        }
        self.by_token.insert(token.to_string(), scope_of(prefix));
        Ok(())
    }

    pub fn enabled(&self) -> bool {
        !self.by_token.is_empty()
    }

    /// The scope of an `Authorization` header value; None if it names no known token.
    pub fn scope(&self, header: Option<&str>) -> Option<Scope> {
        if !self.enabled() {
            return Some(Scope::All);
        }
        let token = header?.strip_prefix("Bearer ")?.trim();
        self.by_token.get(token).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_confined_to_their_prefix() {
        let tokens = Tokens::parse(Some(("t", "# team tokens\nalpha-token-1 alpha.\nadmin-token-9 *\n")), &["beta-token-2=beta.".to_string()]).expect("valid");
        let alpha = tokens.scope(Some("Bearer alpha-token-1")).expect("known");
        assert!(alpha.allows("alpha.cpu") && !alpha.allows("beta.cpu"));
        assert!(tokens.scope(Some("Bearer beta-token-2")).expect("known").allows("beta.x"));
        assert!(tokens.scope(Some("Bearer admin-token-9")).expect("known").allows("anything"));
        assert_eq!(tokens.scope(Some("Bearer nope-nope-nope")), None);
        assert_eq!(tokens.scope(Some("alpha-token-1")), None);
        assert_eq!(tokens.scope(None), None);
        assert!(Tokens::parse(Some(("t", "short a.\n")), &[]).expect_err("short").starts_with("t:1:"));
        assert!(Tokens::parse(None, &["long-enough-token".to_string()]).is_err());
    }
}
