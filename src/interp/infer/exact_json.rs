//! The little JSON the sampler's summary file is, read with every number parsed by Rust's
//! correctly rounded `f64` parser from its text (serde_json's default parser may miss the last
//! bit of a 17-digit number, and the posterior must be the sampler's bit for bit).

/// A JSON value; numbers keep their text.
#[derive(Debug, PartialEq)]
pub enum Json {
    Null,
    Literal(String),
    Number(String),
    Text(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Json::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The number (NaN for `null`, which the sampler writes for a non-finite statistic).
    pub fn number(&self) -> f64 {
        match self {
            Json::Number(t) => t.parse().unwrap_or(f64::NAN),
            _ => f64::NAN,
        }
    }
}

/// Parses `text` (one JSON value, nested at most 16 deep); `None` when it is not JSON.
pub fn parse(text: &str) -> Option<Json> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = reader.value(16)?;
    reader.space();
    (reader.at == reader.bytes.len()).then_some(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn space(&mut self) {
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        let found = self.bytes.get(self.at) == Some(&byte);
        self.at += usize::from(found);
        found
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        self.space();
        match *self.bytes.get(self.at)? {
            b'{' if depth > 0 => self.object(depth - 1),
            b'[' if depth > 0 => self.array(depth - 1),
            b'"' => self.string().map(Json::Text),
            _ => {
                let start = self.at;
                while self
                    .bytes
                    .get(self.at)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b"+-.".contains(b))
                {
                    self.at += 1;
                }
                let word = std::str::from_utf8(&self.bytes[start..self.at]).ok()?;
                match word {
                    "" => None,
                    "null" => Some(Json::Null),
                    "true" | "false" => Some(Json::Literal(word.into())),
                    _ => word.parse::<f64>().ok().map(|_| Json::Number(word.into())),
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Json> {
        self.at += 1;
        let mut items = Vec::new();
        if self.eat(b']') {
            return Some(Json::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            if self.eat(b']') {
                return Some(Json::Array(items));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<Json> {
        self.at += 1;
        let mut fields = Vec::new();
        if self.eat(b'}') {
            return Some(Json::Object(fields));
        }
        loop {
            self.space();
            let key = self.string()?;
            if !self.eat(b':') {
                return None;
            }
            fields.push((key, self.value(depth)?));
            if self.eat(b'}') {
                return Some(Json::Object(fields));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// A string at `at` (its escapes decoded by serde_json, which reads strings exactly).
    fn string(&mut self) -> Option<String> {
        if self.bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        let start = self.at;
        self.at += 1;
        loop {
            match *self.bytes.get(self.at)? {
                b'\\' => self.at += 2,
                b'"' => break,
                _ => self.at += 1,
            }
        }
        self.at += 1;
        serde_json::from_slice(self.bytes.get(start..self.at)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_to_the_bits_written() {
        let x = 47.162723514702236_f64;
        let text =
            format!(r#"{{"columns": [{{"name": "a\"b", "ess": {x:?}, "rhat": null}}], "n": 2}}"#);
        let json = parse(&text).expect("json");
        let column = &json.get("columns").and_then(Json::items).expect("columns")[0];
        assert_eq!(
            column.get("ess").map(Json::number).map(f64::to_bits),
            Some(x.to_bits())
        );
        assert_eq!(column.get("name").and_then(Json::text), Some("a\"b"));
        assert!(
            column
                .get("rhat")
                .map(Json::number)
                .is_some_and(f64::is_nan)
        );
        assert_eq!(parse("[1, 2"), None);
    }
}
