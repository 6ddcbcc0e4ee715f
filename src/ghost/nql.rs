//! Ghost's NQL filters (`?filter=`), parsed as `@tryghost/nql-lang` does into a tree of tests.

use std::fmt;

use chrono::{Months, NaiveDateTime, TimeDelta};

/// The longest filter accepted, in bytes.
pub const MAX_LEN: usize = 4096;
/// The deepest nesting of parentheses accepted.
pub const MAX_DEPTH: usize = 32;
/// The most field tests one filter may hold.
pub const MAX_TESTS: usize = 100;

/// A filter: `+` (and) binds tighter than `,` (or). Both are flattened, so neither ever holds
/// fewer than two items nor an item of its own kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Test(Test),
}

/// `field:op` — the field as written (with its dots); whether it names a real field is for the
/// caller to decide.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub field: String,
    /// A leading `-`: not equal, does not contain, not in. Never set for the ordered
    /// comparisons nor for `All`, which NQL cannot negate.
    pub negated: bool,
    pub op: Op,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Eq(Value),
    Gt(Value),
    Gte(Value),
    Lt(Value),
    Lte(Value),
    /// `~'…'`, `~^'…'`, `~$'…'`: case-insensitive, of a quoted text only.
    Contains(String),
    StartsWith(String),
    EndsWith(String),
    /// `[a,b]`: one or more values.
    In(Vec<Value>),
    /// `[a+b]`: two or more values, all of which must be present.
    All(Vec<Value>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Never negative: `-5` is "not 5". A fraction is cut off as Ghost's `parseInt` does
    /// (`1.5` is 1); digits too many for an `i64` stay text.
    Int(i64),
    /// Never empty: NQL has no way to write an empty text.
    Text(String),
    Relative(Relative),
}

/// `now-30d`, `now+1M`: an offset from the time the filter is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relative {
    /// Signed: `now-30d` is -30.
    pub amount: i64,
    pub unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
    Years,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset in the filter, at most its length.
    pub at: usize,
    pub message: String,
}

impl ParseError {
    fn new(at: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            at,
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.at)
    }
}

impl std::error::Error for ParseError {}

impl Expr {
    /// Every test in the tree, left to right.
    pub fn tests(&self) -> impl Iterator<Item = &Test> {
        // A stack rather than recursion: a tree built by hand may be deeper than a parsed one.
        let mut stack = vec![self];
        std::iter::from_fn(move || {
            while let Some(expr) = stack.pop() {
                match expr {
                    Expr::Test(test) => return Some(test),
                    Expr::And(items) | Expr::Or(items) => stack.extend(items.iter().rev()),
                }
            }
            None
        })
    }
}

impl Relative {
    /// The moment this offset names from `now`; months and years by the calendar (a month
    /// after 31 January is the last day of February, as in Ghost), `None` out of range.
    pub fn from(self, now: NaiveDateTime) -> Option<NaiveDateTime> {
        let seconds: i64 = match self.unit {
            Unit::Seconds => 1,
            Unit::Minutes => 60,
            Unit::Hours => 3_600,
            Unit::Days => 86_400,
            Unit::Weeks => 604_800,
            Unit::Months => return add_months(now, self.amount),
            Unit::Years => return add_months(now, self.amount.checked_mul(12)?),
        };
        now.checked_add_signed(TimeDelta::try_seconds(self.amount.checked_mul(seconds)?)?)
    }
}

fn add_months(now: NaiveDateTime, months: i64) -> Option<NaiveDateTime> {
    let count = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months < 0 {
        now.checked_sub_months(count)
    } else {
        now.checked_add_months(count)
    }
}

impl Unit {
    fn from_letter(letter: u8) -> Option<Unit> {
        Some(match letter {
            b's' => Unit::Seconds,
            b'm' => Unit::Minutes,
            b'h' => Unit::Hours,
            b'd' => Unit::Days,
            b'w' => Unit::Weeks,
            b'M' => Unit::Months,
            b'y' => Unit::Years,
            _ => return None,
        })
    }

    fn letter(self) -> char {
        match self {
            Unit::Seconds => 's',
            Unit::Minutes => 'm',
            Unit::Hours => 'h',
            Unit::Days => 'd',
            Unit::Weeks => 'w',
            Unit::Months => 'M',
            Unit::Years => 'y',
        }
    }
}

/// Parses a filter. The grammar, as Ghost's (`nql.y`):
///
/// ```text
/// expr  := and (',' and)*
/// and   := term ('+' term)*
/// term  := '(' expr ')' | PROP value
/// value := '-'? ('~' | '~^' | '~$') STRING
///        | '-'? '[' VAL (',' VAL)* ']'
///        | '[' VAL ('+' VAL)+ ']'
///        | ('-' | '>' | '>=' | '<' | '<=')? VAL
/// VAL   := null | true | false | NUMBER | now±N(s|m|h|d|w|M|y) | LITERAL | STRING
/// ```
///
/// The tokens are those of Ghost's lexer (`nql.l`), see `Lexer::scan`.
pub fn parse(input: &str) -> Result<Expr, ParseError> {
    if input.len() > MAX_LEN {
        let at = (0..=MAX_LEN)
            .rev()
            .find(|&at| input.is_char_boundary(at))
            .unwrap_or(0);
        return Err(ParseError::new(
            at,
            format!("a filter is at most {MAX_LEN} bytes long"),
        ));
    }
    let mut lexer = Lexer { input, pos: 0 };
    let ahead = lexer.next()?;
    let mut parser = Parser {
        lexer,
        ahead,
        tests: 0,
    };
    let expr = parser.expr(0)?;
    match parser.ahead.kind {
        Kind::End => Ok(expr),
        _ => Err(parser.unexpected(&parser.ahead, "'+', ',' or the end of the filter")),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Kind<'a> {
    /// A field name; the colon that ends it is part of the token, as in Ghost.
    Prop(&'a str),
    /// Every value but a quoted text: only that may follow `~`, so it is a kind of its own.
    Value(Value),
    Str(String),
    LBracket,
    RBracket,
    LParen,
    RParen,
    Or,
    And,
    Not,
    Gt,
    Gte,
    Lt,
    Lte,
    Contains,
    StartsWith,
    EndsWith,
    End,
}

#[derive(Debug, Clone, PartialEq)]
struct Token<'a> {
    kind: Kind<'a>,
    at: usize,
    end: usize,
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
}

/// What JavaScript's `\s` matches, which Ghost's lexer skips and which ends a literal.
fn is_space(c: char) -> bool {
    const OTHERS: &str = "\u{a0}\u{1680}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{feff}";
    matches!(c, '\t'..='\r' | ' ' | '\u{2000}'..='\u{200a}') || OTHERS.contains(c)
}

/// A character that cannot go unescaped in a literal, nor follow a keyword.
fn ends_literal(c: char) -> bool {
    is_space(c) || "'\"+,()<>=[]~".contains(c)
}

/// What a backslash escapes in a literal. Only the quotes lose their backslash: Ghost keeps it
/// before the others (`t\+st` is the text `t\+st`).
fn escapable(c: char) -> bool {
    "'\"+,()<>=[]~^$".contains(c)
}

/// Drops the backslash before each quote, as Ghost's `unescape`; a `\\` is no escape.
fn unescape(raw: &str) -> String {
    let mut text = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if !(c == '\\' && matches!(chars.peek(), Some('\'' | '"'))) {
            text.push(c);
        }
    }
    text
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Result<Token<'a>, ParseError> {
        let rest = &self.input[self.pos..];
        let trimmed = rest.trim_start_matches(is_space);
        self.pos += rest.len() - trimmed.len();
        let at = self.pos;
        if trimmed.is_empty() {
            return Ok(Token {
                kind: Kind::End,
                at,
                end: at,
            });
        }
        let (kind, len) = Lexer::scan(trimmed).map_err(|message| ParseError::new(at, message))?;
        self.pos += len;
        Ok(Token {
            kind,
            at,
            end: self.pos,
        })
    }

    /// One token at the start of `rest` (not empty, not starting with a space) and its length.
    /// Ghost's lexer tries its rules in order and takes the first that matches, not the
    /// longest, so this does too: `null:` is a field, `2024-01-01` a literal, `now-1d` a date
    /// only when one of `+,()[]` or the end follows it.
    fn scan(rest: &str) -> Result<(Kind<'_>, usize), String> {
        for (words, value) in [
            (["null", "NULL", "Null"], Value::Null),
            (["true", "TRUE", "True"], Value::Bool(true)),
            (["false", "FALSE", "False"], Value::Bool(false)),
        ] {
            for word in words {
                if rest
                    .strip_prefix(word)
                    .is_some_and(|after| after.chars().next().is_none_or(ends_literal))
                {
                    return Ok((Kind::Value(value), word.len()));
                }
            }
        }
        if let Some(len) = prop(rest) {
            return Ok((Kind::Prop(&rest[..len - 1]), len));
        }
        if let Some((value, len)) = number(rest) {
            return Ok((Kind::Value(value), len));
        }
        match rest.as_bytes()[0] {
            b'[' => return Ok((Kind::LBracket, 1)),
            b']' => return Ok((Kind::RBracket, 1)),
            _ => {}
        }
        if let Some(found) = relative(rest) {
            let (relative, len) = found?;
            return Ok((Kind::Value(Value::Relative(relative)), len));
        }
        if let Some((text, len)) = literal(rest) {
            return Ok((Kind::Value(Value::Text(text)), len));
        }
        if let Some((text, len)) = string(rest) {
            return Ok((Kind::Str(text), len));
        }
        for (symbol, kind) in [
            ("(", Kind::LParen),
            (")", Kind::RParen),
            (",", Kind::Or),
            ("+", Kind::And),
            ("-", Kind::Not),
            (">=", Kind::Gte),
            ("<=", Kind::Lte),
            (">", Kind::Gt),
            ("<", Kind::Lt),
            ("~^", Kind::StartsWith),
            ("~$", Kind::EndsWith),
            ("~", Kind::Contains),
        ] {
            if rest.starts_with(symbol) {
                return Ok((kind, symbol.len()));
            }
        }
        // A lone letter is a literal only before a space, a `+` or the end (Ghost's last rule):
        // `name:a` is the text "a", `name:a,x:1` is refused, in Ghost as here.
        let mut chars = rest.chars();
        if let Some(letter) = chars.next().filter(char::is_ascii_alphabetic)
            && !chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || "'\",()<>=[]~".contains(c))
        {
            return Ok((Kind::Value(Value::Text(letter.into())), 1));
        }
        Err(match rest.chars().next() {
            Some('"') => "a text is quoted with ' in NQL, not \"".into(),
            Some('\'') => "a quoted text must be closed, and not be empty".into(),
            Some(c) => format!("unrecognised character {c:?}"),
            None => "unexpected end of the filter".into(),
        })
    }
}

/// `[a-zA-Z_][a-zA-Z0-9_.]*:`, with its colon.
fn prop(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    if !(bytes[0].is_ascii_alphabetic() || bytes[0] == b'_') {
        return None;
    }
    let name = 1 + bytes[1..]
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        .count();
    (bytes.get(name) == Some(&b':')).then_some(name + 1)
}

/// `[0-9]+(\.[0-9]+)?\b(?!-)`, which backtracks: `1.5x` is no number but `1.x` starts with one.
fn number(rest: &str) -> Option<(Value, usize)> {
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let int = digits(rest);
    if int == 0 {
        return None;
    }
    let fraction = rest[int..].strip_prefix('.').map_or(0, digits);
    let ends_at = |i: usize| {
        !rest
            .as_bytes()
            .get(i)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    let len = if fraction > 0 && ends_at(int + 1 + fraction) {
        int + 1 + fraction
    } else if ends_at(int) {
        int
    } else {
        return None;
    };
    let value = match rest[..int].parse() {
        Ok(int) => Value::Int(int),
        // Ghost would lose precision in a float; as text an all-digit id still matches.
        Err(_) => Value::Text(rest[..len].to_owned()),
    };
    Some((value, len))
}

/// `now(?=[-+]\d+[dwMyhms]([+,()[\]]|$))` and what follows, which Ghost lexes as four tokens and
/// this lexer as one.
fn relative(rest: &str) -> Option<Result<(Relative, usize), String>> {
    let after = rest.strip_prefix("now")?.as_bytes();
    let sign = match after.first()? {
        b'-' => -1,
        b'+' => 1,
        _ => return None,
    };
    let digits = after[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    let unit = Unit::from_letter(*after.get(1 + digits)?)?;
    let len = 3 + 1 + digits + 1;
    if digits == 0
        || !rest[len..]
            .chars()
            .next()
            .is_none_or(|c| "+,()[]".contains(c))
    {
        return None;
    }
    let amount = std::str::from_utf8(&after[1..1 + digits])
        .ok()
        .and_then(|digits| digits.parse::<i64>().ok());
    Some(match amount {
        Some(amount) => Ok((
            Relative {
                amount: sign * amount,
                unit,
            },
            len,
        )),
        None => Err("a relative date this far off is out of range".into()),
    })
}

/// A bare literal: a first character that is no operator (nor `-`), then characters that end
/// no literal, or a backslash and one that would; two UTF-16 units at least, as JavaScript
/// counts (a lone letter is the lexer's last rule).
fn literal(rest: &str) -> Option<(String, usize)> {
    let first = rest.chars().next()?;
    if ends_literal(first) || first == '-' {
        return None;
    }
    let mut units = first.len_utf16();
    let mut end = first.len_utf8();
    loop {
        let mut chars = rest[end..].chars();
        match chars.next() {
            Some('\\') if chars.next().is_some_and(escapable) => {
                end += 2;
                units += 2;
            }
            Some(c) if !ends_literal(c) => {
                end += c.len_utf8();
                units += c.len_utf16();
            }
            _ => break,
        }
    }
    (units >= 2).then(|| (unescape(&rest[..end]), end))
}

/// `'(\\['"]|[^'"])+?'`. The first quote not after a backslash closes the text. Failing one
/// (an unescaped `"` or the end comes first), the regex backtracks and the last `\'` closes
/// it instead, its backslash kept: Ghost reads `~'[]\'` as the text `[]\`.
fn string(rest: &str) -> Option<(String, usize)> {
    let bytes = rest.as_bytes();
    if bytes[0] != b'\'' {
        return None;
    }
    let mut last_escaped_quote = None;
    let mut i = 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' if matches!(bytes.get(i + 1), Some(b'\'' | b'"')) => {
                if bytes[i + 1] == b'\'' {
                    last_escaped_quote = Some(i + 1);
                }
                i += 2;
            }
            b'\'' if i > 1 => return Some((unescape(&rest[1..i]), i + 1)),
            b'\'' | b'"' => break,
            _ => i += 1,
        }
    }
    let close = last_escaped_quote?;
    Some((unescape(&rest[1..close]), close + 1))
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    ahead: Token<'a>,
    tests: usize,
}

impl<'a> Parser<'a> {
    fn bump(&mut self) -> Result<Token<'a>, ParseError> {
        let next = self.lexer.next()?;
        Ok(std::mem::replace(&mut self.ahead, next))
    }

    fn unexpected(&self, token: &Token<'_>, expected: &str) -> ParseError {
        let found = match token.kind {
            Kind::End => "the end of the filter".to_owned(),
            _ => {
                let text = &self.lexer.input[token.at..token.end];
                match text.char_indices().nth(24) {
                    Some((cut, _)) => format!("'{}…'", &text[..cut]),
                    None => format!("'{text}'"),
                }
            }
        };
        ParseError::new(token.at, format!("expected {expected}, found {found}"))
    }

    /// `expr := and (',' and)*`
    fn expr(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut items = Vec::new();
        loop {
            match self.and(depth)? {
                Expr::Or(inner) => items.extend(inner),
                item => items.push(item),
            }
            if self.ahead.kind != Kind::Or {
                break;
            }
            self.bump()?;
        }
        Ok(collapse(items, Expr::Or))
    }

    /// `and := term ('+' term)*`
    fn and(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut items = Vec::new();
        loop {
            match self.term(depth)? {
                Expr::And(inner) => items.extend(inner),
                item => items.push(item),
            }
            if self.ahead.kind != Kind::And {
                break;
            }
            self.bump()?;
        }
        Ok(collapse(items, Expr::And))
    }

    /// `term := '(' expr ')' | PROP value`
    fn term(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let token = self.bump()?;
        match token.kind {
            Kind::LParen if depth == MAX_DEPTH => Err(ParseError::new(
                token.at,
                format!("parentheses nest at most {MAX_DEPTH} deep"),
            )),
            Kind::LParen => {
                let inner = self.expr(depth + 1)?;
                let close = self.bump()?;
                match close.kind {
                    Kind::RParen => Ok(inner),
                    _ => Err(self.unexpected(&close, "'+', ',' or ')'")),
                }
            }
            Kind::Prop(field) => {
                self.tests += 1;
                if self.tests > MAX_TESTS {
                    return Err(ParseError::new(
                        token.at,
                        format!("a filter holds at most {MAX_TESTS} comparisons"),
                    ));
                }
                let (negated, op) = self.value()?;
                Ok(Expr::Test(Test {
                    field: field.to_owned(),
                    negated,
                    op,
                }))
            }
            _ => Err(self.unexpected(&token, "a field name (as in 'tag:') or '('")),
        }
    }

    /// What follows the field's colon.
    fn value(&mut self) -> Result<(bool, Op), ParseError> {
        let negated = self.ahead.kind == Kind::Not;
        if negated {
            self.bump()?;
        }
        let op = match self.ahead.kind {
            Kind::Contains | Kind::StartsWith | Kind::EndsWith => {
                let kind = self.bump()?.kind;
                let token = self.bump()?;
                let Kind::Str(text) = token.kind else {
                    return Err(self.unexpected(&token, "a quoted text, as in ~'text'"));
                };
                match kind {
                    Kind::Contains => Op::Contains(text),
                    Kind::StartsWith => Op::StartsWith(text),
                    _ => Op::EndsWith(text),
                }
            }
            Kind::LBracket => {
                self.bump()?;
                self.list(negated)?
            }
            // Ghost has no `->`, `-<`…: a `-` before them is refused by falling through to VAL.
            Kind::Gt | Kind::Gte | Kind::Lt | Kind::Lte if !negated => {
                let kind = self.bump()?.kind;
                let value = self.val()?;
                match kind {
                    Kind::Gt => Op::Gt(value),
                    Kind::Gte => Op::Gte(value),
                    Kind::Lt => Op::Lt(value),
                    _ => Op::Lte(value),
                }
            }
            _ => Op::Eq(self.val()?),
        };
        Ok((negated, op))
    }

    /// After `[`: values all separated by `,` (in) or all by `+` (all of), then `]`.
    fn list(&mut self, negated: bool) -> Result<Op, ParseError> {
        let mut values = vec![self.val()?];
        let separator = match self.ahead.kind {
            Kind::And if !negated => Kind::And,
            _ => Kind::Or,
        };
        while self.ahead.kind == separator {
            self.bump()?;
            values.push(self.val()?);
        }
        let close = self.bump()?;
        match close.kind {
            Kind::RBracket if separator == Kind::And => Ok(Op::All(values)),
            Kind::RBracket => Ok(Op::In(values)),
            // `-[a+b]` would read as "lacks one of", which nobody means: refused, as in Ghost.
            Kind::And if negated && values.len() == 1 => {
                Err(self.unexpected(&close, "',' or ']' (a negated list takes ',')"))
            }
            _ if separator == Kind::And => Err(self.unexpected(&close, "'+' or ']'")),
            _ if values.len() == 1 && !negated => Err(self.unexpected(&close, "',', '+' or ']'")),
            _ => Err(self.unexpected(&close, "',' or ']'")),
        }
    }

    /// `VAL`
    fn val(&mut self) -> Result<Value, ParseError> {
        let token = self.bump()?;
        match token.kind {
            Kind::Value(value) => Ok(value),
            Kind::Str(text) => Ok(Value::Text(text)),
            _ => Err(self.unexpected(&token, "a value")),
        }
    }
}

fn collapse(mut items: Vec<Expr>, group: fn(Vec<Expr>) -> Expr) -> Expr {
    if items.len() == 1 {
        items.remove(0)
    } else {
        group(items)
    }
}

/// Canonical NQL: no spaces, every text quoted (but a bare literal ending in a backslash, which
/// is written bare and followed by a space). What [`parse`] returns prints as a filter that
/// parses back to it, with one exception NQL itself imposes: a text ending in a backslash that
/// is no bare literal (say `'a b\'`, or any after `~`) reads back only where no quote follows
/// it, since Ghost's lexer takes `\'` for an escaped quote whenever it can.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Test(test) => write_test(f, test),
            Expr::And(items) => write_joined(f, items, '+', |item| !matches!(item, Expr::Test(_))),
            Expr::Or(items) => write_joined(f, items, ',', |item| matches!(item, Expr::Or(_))),
        }
    }
}

fn write_joined(
    f: &mut fmt::Formatter<'_>,
    items: &[Expr],
    separator: char,
    grouped: fn(&Expr) -> bool,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            write!(f, "{separator}")?;
        }
        if grouped(item) {
            write!(f, "({item})")?;
        } else {
            write!(f, "{item}")?;
        }
    }
    Ok(())
}

fn write_test(f: &mut fmt::Formatter<'_>, test: &Test) -> fmt::Result {
    write!(f, "{}:{}", test.field, if test.negated { "-" } else { "" })?;
    let (prefix, value) = match &test.op {
        Op::Eq(value) => ("", value),
        Op::Gt(value) => (">", value),
        Op::Gte(value) => (">=", value),
        Op::Lt(value) => ("<", value),
        Op::Lte(value) => ("<=", value),
        Op::Contains(text) | Op::StartsWith(text) | Op::EndsWith(text) => {
            let prefix = match test.op {
                Op::Contains(_) => "~",
                Op::StartsWith(_) => "~^",
                _ => "~$",
            };
            write!(f, "{prefix}")?;
            return write_quoted(f, text);
        }
        Op::In(values) | Op::All(values) => {
            let separator = if matches!(test.op, Op::All(_)) {
                '+'
            } else {
                ','
            };
            write!(f, "[")?;
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    write!(f, "{separator}")?;
                }
                write_value(f, value)?;
            }
            return write!(f, "]");
        }
    };
    write!(f, "{prefix}")?;
    write_value(f, value)
}

fn write_value(f: &mut fmt::Formatter<'_>, value: &Value) -> fmt::Result {
    match value {
        Value::Null => write!(f, "null"),
        Value::Bool(value) => write!(f, "{value}"),
        Value::Int(value) => write!(f, "{value}"),
        Value::Relative(Relative { amount, unit }) => {
            let sign = if *amount < 0 { '-' } else { '+' };
            write!(f, "now{sign}{}{}", amount.unsigned_abs(), unit.letter())
        }
        Value::Text(text) => match bare(text) {
            // The space keeps the final backslash from escaping what follows.
            Some(literal) => write!(f, "{literal} "),
            None => write_quoted(f, text),
        },
    }
}

fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    write!(f, "'{}'", escape_quotes(text))
}

fn escape_quotes(text: &str) -> String {
    // A backslash needs no escape of its own: unescaping drops only the one before a quote.
    text.replace('\'', "\\'").replace('"', "\\\"")
}

/// A text ending in a backslash written bare, when it lexes back to itself: quoted, its last
/// `\'` would be read as an escaped quote.
fn bare(text: &str) -> Option<String> {
    if !text.ends_with('\\') {
        return None;
    }
    let literal = escape_quotes(text);
    let mut lexer = Lexer {
        input: &literal,
        pos: 0,
    };
    let token = lexer.next().ok()?;
    (token.end == literal.len() && token.kind == Kind::Value(Value::Text(text.to_owned())))
        .then_some(literal)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;

    fn test(field: &str, op: Op) -> Expr {
        Expr::Test(Test {
            field: field.into(),
            negated: false,
            op,
        })
    }

    fn not(field: &str, op: Op) -> Expr {
        Expr::Test(Test {
            field: field.into(),
            negated: true,
            op,
        })
    }

    fn text(text: &str) -> Value {
        Value::Text(text.into())
    }

    fn texts(values: &[&str]) -> Vec<Value> {
        values.iter().map(|value| text(value)).collect()
    }

    fn eq(value: &str) -> Op {
        Op::Eq(text(value))
    }

    fn ago(amount: i64, unit: Unit) -> Value {
        Value::Relative(Relative { amount, unit })
    }

    #[test]
    fn parses_every_form() {
        let cases = [
            // Ghost's own examples.
            ("tag:tag-1", test("tag", eq("tag-1"))),
            ("tags.slug:tag-1", test("tags.slug", eq("tag-1"))),
            ("featured:true", test("featured", Op::Eq(Value::Bool(true)))),
            (
                "published_at:>'2024-01-01'",
                test("published_at", Op::Gt(text("2024-01-01"))),
            ),
            (
                "published_at:>='2024-01-01 00:00:00'+published_at:<'2024-01-01T03:00:00.000Z'",
                Expr::And(vec![
                    test("published_at", Op::Gte(text("2024-01-01 00:00:00"))),
                    test("published_at", Op::Lt(text("2024-01-01T03:00:00.000Z"))),
                ]),
            ),
            (
                "tag:[tag-1,tag-2]",
                test("tag", Op::In(texts(&["tag-1", "tag-2"]))),
            ),
            (
                "tag:-[tag-1,tag-2]+published_at:<'2024-01-01T06:00:00Z'",
                Expr::And(vec![
                    not("tag", Op::In(texts(&["tag-1", "tag-2"]))),
                    test("published_at", Op::Lt(text("2024-01-01T06:00:00Z"))),
                ]),
            ),
            ("author:-bench", not("author", eq("bench"))),
            (
                "featured:true,author:jane",
                Expr::Or(vec![
                    test("featured", Op::Eq(Value::Bool(true))),
                    test("author", eq("jane")),
                ]),
            ),
            (
                "featured:false+(tag:news,author:jane)",
                Expr::And(vec![
                    test("featured", Op::Eq(Value::Bool(false))),
                    Expr::Or(vec![test("tag", eq("news")), test("author", eq("jane"))]),
                ]),
            ),
            (
                "slug:[post-1,post-2,old-post]",
                test("slug", Op::In(texts(&["post-1", "post-2", "old-post"]))),
            ),
            (
                "id:6b0b3cb89e1164424d478184",
                test("id", eq("6b0b3cb89e1164424d478184")),
            ),
            (
                "title:~'number 10'",
                test("title", Op::Contains("number 10".into())),
            ),
            ("title:~^'An '", test("title", Op::StartsWith("An ".into()))),
            ("slug:~$'-999'", test("slug", Op::EndsWith("-999".into()))),
            (
                "custom_excerpt:-null",
                not("custom_excerpt", Op::Eq(Value::Null)),
            ),
            ("visibility:-public", not("visibility", eq("public"))),
            ("slug:>post-998", test("slug", Op::Gt(text("post-998")))),
            (
                "tag:[tag-50+tag-47]",
                test("tag", Op::All(texts(&["tag-50", "tag-47"]))),
            ),
            (
                "published_at:>now-30d",
                test("published_at", Op::Gt(ago(-30, Unit::Days))),
            ),
            (
                "uuid:6de74de0-1e05-477b-ba00-748d37d0bedc",
                test("uuid", eq("6de74de0-1e05-477b-ba00-748d37d0bedc")),
            ),
            ("status:draft", test("status", eq("draft"))),
            ("nosuchfield:1", test("nosuchfield", Op::Eq(Value::Int(1)))),
            // Numbers: integers, Ghost's parseInt.
            (
                "count.posts:>=5",
                test("count.posts", Op::Gte(Value::Int(5))),
            ),
            ("count:-5", not("count", Op::Eq(Value::Int(5)))),
            ("count:<5", test("count", Op::Lt(Value::Int(5)))),
            ("count:<=5", test("count", Op::Lte(Value::Int(5)))),
            ("count:1.5", test("count", Op::Eq(Value::Int(1)))),
            ("count:007", test("count", Op::Eq(Value::Int(7)))),
            ("count:'1'", test("count", eq("1"))),
            (
                "id:123456789012345678901234",
                test("id", eq("123456789012345678901234")),
            ),
            ("author:123-test", test("author", eq("123-test"))),
            (
                "count:[5+8+12]",
                test(
                    "count",
                    Op::All(vec![Value::Int(5), Value::Int(8), Value::Int(12)]),
                ),
            ),
            // Keywords in Ghost's three spellings; anything longer is a literal.
            ("a:NULL", test("a", Op::Eq(Value::Null))),
            ("a:Null", test("a", Op::Eq(Value::Null))),
            ("a:True", test("a", Op::Eq(Value::Bool(true)))),
            ("a:FALSE", test("a", Op::Eq(Value::Bool(false)))),
            ("a:-true", not("a", Op::Eq(Value::Bool(true)))),
            ("a:tRUE", test("a", eq("tRUE"))),
            ("a:nullable", test("a", eq("nullable"))),
            ("a:true-thing", test("a", eq("true-thing"))),
            ("a:'null'", test("a", eq("null"))),
            (
                "true:null+false:true,null:false",
                Expr::Or(vec![
                    Expr::And(vec![
                        test("true", Op::Eq(Value::Null)),
                        test("false", Op::Eq(Value::Bool(true))),
                    ]),
                    test("null", Op::Eq(Value::Bool(false))),
                ]),
            ),
            // Dates: bare ones are literals; relative ones only before `+,()[]` or the end.
            ("at:2024-01-01", test("at", eq("2024-01-01"))),
            (
                "at:>2024-01-01T10:00:00Z",
                test("at", Op::Gt(text("2024-01-01T10:00:00Z"))),
            ),
            ("at:<=now+1d", test("at", Op::Lte(ago(1, Unit::Days)))),
            ("at:now-0d", test("at", Op::Eq(ago(0, Unit::Days)))),
            ("at:now-2s", test("at", Op::Eq(ago(-2, Unit::Seconds)))),
            ("at:now-2m", test("at", Op::Eq(ago(-2, Unit::Minutes)))),
            ("at:now-2h", test("at", Op::Eq(ago(-2, Unit::Hours)))),
            ("at:now+12w", test("at", Op::Eq(ago(12, Unit::Weeks)))),
            ("at:now+2M", test("at", Op::Eq(ago(2, Unit::Months)))),
            ("at:now-2y", test("at", Op::Eq(ago(-2, Unit::Years)))),
            (
                "at:[now-1d,now+1d]",
                test("at", Op::In(vec![ago(-1, Unit::Days), ago(1, Unit::Days)])),
            ),
            (
                "at:>=now+2d+foo:bar",
                Expr::And(vec![
                    test("at", Op::Gte(ago(2, Unit::Days))),
                    test("foo", eq("bar")),
                ]),
            ),
            ("at:now-2d ", test("at", eq("now-2d"))),
            ("at:now-2D", test("at", eq("now-2D"))),
            ("at:snow-2d", test("at", eq("snow-2d"))),
            // Negated contains.
            (
                "email:-~'gmail.com'",
                not("email", Op::Contains("gmail.com".into())),
            ),
            (
                "email:-~^'gmail'",
                not("email", Op::StartsWith("gmail".into())),
            ),
            ("email:-~$'.com'", not("email", Op::EndsWith(".com".into()))),
            // Escapes: only the quotes lose their backslash, as in Ghost.
            ("name:'John O\\'Nolan'", test("name", eq("John O'Nolan"))),
            ("name:'a\\\"b'", test("name", eq("a\"b"))),
            ("name:it\\'s", test("name", eq("it's"))),
            ("name:t\\+st", test("name", eq("t\\+st"))),
            ("name:'a\\\\'b'", test("name", eq("a\\'b"))),
            (
                "email:~'.*+?^$(){}|[]\\'",
                test("email", Op::Contains(".*+?^$(){}|[]\\".into())),
            ),
            (
                "name:'a\\'+x:1",
                Expr::And(vec![
                    test("name", eq("a\\")),
                    test("x", Op::Eq(Value::Int(1))),
                ]),
            ),
            // Literals: anything but operators, `-` inside, a lone letter before `+` or the end.
            ("name:a", test("name", eq("a"))),
            (
                "name:a+x:b",
                Expr::And(vec![test("name", eq("a")), test("x", eq("b"))]),
            ),
            ("name:my&value!", test("name", eq("my&value!"))),
            ("name::x", test("name", eq(":x"))),
            ("name:post-count:6", test("name", eq("post-count:6"))),
            ("name:été", test("name", eq("été"))),
            ("name:😀", test("name", eq("😀"))),
            // Whitespace between tokens, anywhere.
            (
                " author: -joe + tag: [photo , video] ",
                Expr::And(vec![
                    not("author", eq("joe")),
                    test("tag", Op::In(texts(&["photo", "video"]))),
                ]),
            ),
            ("tag:- [a-b]", not("tag", Op::In(texts(&["a-b"])))),
            ("title:~ 'x'", test("title", Op::Contains("x".into()))),
            // Groups are flattened.
            ("(status:published)", test("status", eq("published"))),
            (
                "((x:1,y:2),z:3)",
                Expr::Or(vec![
                    test("x", Op::Eq(Value::Int(1))),
                    test("y", Op::Eq(Value::Int(2))),
                    test("z", Op::Eq(Value::Int(3))),
                ]),
            ),
            (
                "x:1+(y:2+z:3)",
                Expr::And(vec![
                    test("x", Op::Eq(Value::Int(1))),
                    test("y", Op::Eq(Value::Int(2))),
                    test("z", Op::Eq(Value::Int(3))),
                ]),
            ),
            (
                "name:sample,(name:-sample+created_at:<='2016-03-03')",
                Expr::Or(vec![
                    test("name", eq("sample")),
                    Expr::And(vec![
                        not("name", eq("sample")),
                        test("created_at", Op::Lte(text("2016-03-03"))),
                    ]),
                ]),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input), Ok(expected), "{input}");
        }
    }

    #[test]
    fn refuses_what_ghost_refuses() {
        let cases = [
            ("slug:\"post-1\"", 5),
            ("tag:[tag-1,tag-2", 16),
            ("tag:", 4),
            ("", 0),
            ("   ", 3),
            ("tag:''", 4),
            ("tag:'open", 4),
            ("count:->5", 7),
            ("count:-<=5", 7),
            ("count:>-1", 7),
            ("count:--1", 7),
            ("tag:-[a-b+c-d]", 9),
            ("tag:[a-b+c-d,e-f]", 12),
            ("tag:[a-b,c-d+e-f]", 12),
            ("tag:[]", 5),
            ("tag:[-a-b]", 5),
            ("title:~word", 7),
            ("title:~^word", 8),
            ("count:3+", 8),
            (",count:3", 0),
            ("count:3)", 7),
            ("id:5,(count:3", 13),
            ("id:5(count:3)", 4),
            ("tag:ab:c", 4),
            ("tag:a,x:1", 4),
            ("tag:x=1", 4),
            ("tag :x", 0),
            ("tag:x y:z", 6),
            ("'My Tag':tag", 0),
            ("5>:tag", 0),
            ("tag:'My Tag'-", 12),
            ("at:now-99999999999999999999d", 3),
            ("(tag:x", 6),
            ("tag:xy)", 6),
        ];
        for (input, at) in cases {
            let error = parse(input).expect_err(input);
            assert_eq!(error.at, at, "{input}: {error}");
        }
    }

    #[test]
    fn limits() {
        assert!(parse(&format!("tag:{}", "a".repeat(MAX_LEN - 4))).is_ok());
        let error = parse(&format!("tag:{}", "a".repeat(MAX_LEN - 3))).unwrap_err();
        assert_eq!(error.at, MAX_LEN);
        let error = parse(&format!("tag:x{}", "é".repeat(MAX_LEN))).unwrap_err();
        assert_eq!(error.at, MAX_LEN - 1);

        let tests = |n: usize| vec!["x:1"; n].join("+");
        assert!(parse(&tests(MAX_TESTS)).is_ok());
        let error = parse(&tests(MAX_TESTS + 1)).unwrap_err();
        assert_eq!(error.at, 4 * MAX_TESTS);

        let nested = |depth: usize| format!("{}x:1{}", "(".repeat(depth), ")".repeat(depth));
        assert_eq!(
            parse(&nested(MAX_DEPTH)),
            Ok(test("x", Op::Eq(Value::Int(1))))
        );
        assert_eq!(parse(&nested(MAX_DEPTH + 1)).unwrap_err().at, MAX_DEPTH);
        assert_eq!(parse(&"(".repeat(MAX_LEN)).unwrap_err().at, MAX_DEPTH);
    }

    #[test]
    fn prints_canonical_nql() {
        let cases = [
            (
                "featured:false+(tag:news,author:jane)",
                "featured:false+(tag:'news',author:'jane')",
            ),
            ("a:1+b:2,c:3", "a:1+b:2,c:3"),
            ("(a:1,b:2)+c:3", "(a:1,b:2)+c:3"),
            ("tag:-[a-b, c-d]", "tag:-['a-b','c-d']"),
            ("tag:[a-b+c-d]", "tag:['a-b'+'c-d']"),
            ("at:>=now-30d", "at:>=now-30d"),
            ("x:-null", "x:-null"),
            ("title:-~^'An '", "title:-~^'An '"),
            ("name:'O\\'Nolan \\\"x\\\"'", "name:'O\\'Nolan \\\"x\\\"'"),
            ("name:a\\ +b:1", "name:a\\ +b:1"),
        ];
        for (input, printed) in cases {
            let expr = parse(input).unwrap();
            assert_eq!(expr.to_string(), printed, "{input}");
            assert_eq!(parse(printed), Ok(expr), "{printed}");
        }
    }

    #[test]
    fn lists_every_test() {
        let expr = parse("a:1+(b:2,c:3+d:[4,5]),e:6").unwrap();
        let fields: Vec<&str> = expr.tests().map(|test| test.field.as_str()).collect();
        assert_eq!(fields, ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn relative_dates_count_from_now() {
        let at = |y, m, d, h| {
            NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|date| date.and_hms_opt(h, 0, 0))
                .unwrap()
        };
        let from = |amount, unit, now| Relative { amount, unit }.from(now);
        let now = at(2024, 3, 31, 12);
        assert_eq!(from(-30, Unit::Days, now), Some(at(2024, 3, 1, 12)));
        assert_eq!(from(2, Unit::Hours, now), Some(at(2024, 3, 31, 14)));
        assert_eq!(from(-1, Unit::Weeks, now), Some(at(2024, 3, 24, 12)));
        assert_eq!(from(-1, Unit::Months, now), Some(at(2024, 2, 29, 12)));
        assert_eq!(
            from(1, Unit::Years, at(2024, 2, 29, 0)),
            Some(at(2025, 2, 28, 0))
        );
        assert_eq!(
            from(-90, Unit::Minutes, now),
            Some(at(2024, 3, 31, 10) + TimeDelta::minutes(30))
        );
        assert_eq!(
            from(5, Unit::Seconds, now),
            Some(now + TimeDelta::seconds(5))
        );
        assert_eq!(from(i64::MAX, Unit::Days, now), None);
        assert_eq!(from(i64::MIN, Unit::Years, now), None);
        assert_eq!(from(-(1 << 40), Unit::Months, now), None);
        assert_eq!(from(1_000_000, Unit::Years, now), None);
    }

    fn field() -> impl Strategy<Value = String> {
        "[a-zA-Z_][a-zA-Z0-9_.]{0,10}"
    }

    /// Texts full of what NQL treats specially, quotes and backslashes above all.
    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9 '\"\\\\+,()<>=\\[\\]~^$:.!-]{1,12}",
            "\\PC{1,8}",
            prop::sample::select(vec!["null", "true", "False", "now-1d", "1", "1.5", "tag:"])
                .prop_map(String::from),
        ]
    }

    /// What Display promises to read back: no empty text, and a final backslash only bare.
    fn printable(text: &str) -> bool {
        !text.is_empty() && (!text.ends_with('\\') || bare(text).is_some())
    }

    fn value() -> impl Strategy<Value = Value> {
        let unit = prop::sample::select(vec![
            Unit::Seconds,
            Unit::Minutes,
            Unit::Hours,
            Unit::Days,
            Unit::Weeks,
            Unit::Months,
            Unit::Years,
        ]);
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (0..=i64::MAX).prop_map(Value::Int),
            any_text()
                .prop_filter("printable", |text| printable(text))
                .prop_map(Value::Text),
            (-i64::MAX..=i64::MAX, unit).prop_map(|(amount, unit)| ago(amount, unit)),
        ]
    }

    fn any_test() -> impl Strategy<Value = Test> {
        let quoted = || any_text().prop_filter("quotable", |text| !text.ends_with('\\'));
        let op_negatable = prop_oneof![
            value().prop_map(Op::Eq),
            quoted().prop_map(Op::Contains),
            quoted().prop_map(Op::StartsWith),
            quoted().prop_map(Op::EndsWith),
            prop::collection::vec(value(), 1..4).prop_map(Op::In),
        ];
        let op_positive = prop_oneof![
            value().prop_map(Op::Gt),
            value().prop_map(Op::Gte),
            value().prop_map(Op::Lt),
            value().prop_map(Op::Lte),
            prop::collection::vec(value(), 2..4).prop_map(Op::All),
        ];
        prop_oneof![
            (field(), any::<bool>(), op_negatable).prop_map(|(field, negated, op)| Test {
                field,
                negated,
                op
            }),
            (field(), op_positive).prop_map(|(field, op)| Test {
                field,
                negated: false,
                op
            }),
        ]
    }

    /// Trees as the parser builds them: groups flattened.
    fn any_expr() -> impl Strategy<Value = Expr> {
        fn group(items: Vec<Expr>, and: bool) -> Expr {
            let mut flat = Vec::new();
            for item in items {
                match item {
                    Expr::And(inner) if and => flat.extend(inner),
                    Expr::Or(inner) if !and => flat.extend(inner),
                    item => flat.push(item),
                }
            }
            if and { Expr::And(flat) } else { Expr::Or(flat) }
        }
        any_test()
            .prop_map(Expr::Test)
            .prop_recursive(4, 48, 3, |inner| {
                (prop::collection::vec(inner, 2..4), any::<bool>())
                    .prop_map(|(items, and)| group(items, and))
            })
    }

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "tag", "tag:", "x:", ":", "-", "[", "]", "(", ")", ",", "+", "'", "\"", "\\", "~",
            "~^", "~$", ">", ">=", "<", "<=", "=", "now", "now-1d", "now+", "1", "1.5", "99",
            "null", "true", "a", "é", "😀", " ", "\u{a0}", "tag-1", "d", ".",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever tree the parser could build prints as a filter that parses back to it.
        #[test]
        fn printed_filters_parse_back(expr in any_expr()) {
            let printed = expr.to_string();
            prop_assume!(printed.len() <= MAX_LEN && expr.tests().count() <= MAX_TESTS);
            prop_assert_eq!(parse(&printed), Ok(expr), "{}", printed);
        }

        /// Any mix of the grammar's pieces parses or is refused at a place in it, and what
        /// parses prints back to itself (but for the backslash Display warns of).
        #[test]
        fn any_mix_of_pieces_parses_or_is_refused(pieces in prop::collection::vec(piece(), 0..60)) {
            let input = pieces.concat();
            check(&input)?;
        }

        /// Printed filters one piece off, where the edges of the grammar are.
        #[test]
        fn near_filters_parse_or_are_refused(
            expr in any_expr(),
            at in any::<prop::sample::Index>(),
            piece in piece(),
            insert in any::<bool>(),
        ) {
            let mut input = expr.to_string();
            let at = (0..=at.index(input.len() + 1))
                .rev()
                .find(|&at| input.is_char_boundary(at))
                .unwrap_or(0);
            if insert {
                input.insert_str(at, piece);
            } else if at < input.len() {
                input.remove(at);
            }
            check(&input)?;
        }

        #[test]
        fn any_text_parses_or_is_refused(input in "\\PC{0,200}") {
            check(&input)?;
        }

        /// Nesting up to the limit is kept, beyond it refused, never a stack overflow.
        #[test]
        fn nesting_is_bounded(depth in 0..3 * MAX_DEPTH, or in any::<bool>()) {
            let inner = if or { "x:1,y:2" } else { "x:1" };
            let input = format!("{}{inner}{}", "(".repeat(depth), ")".repeat(depth));
            prop_assert_eq!(parse(&input).is_ok(), depth <= MAX_DEPTH);
        }
    }

    fn check(input: &str) -> Result<(), TestCaseError> {
        match parse(input) {
            Ok(expr) => {
                let trailing_backslash = expr.tests().any(|test| match &test.op {
                    Op::Contains(text) | Op::StartsWith(text) | Op::EndsWith(text) => {
                        text.ends_with('\\')
                    }
                    Op::Eq(value)
                    | Op::Gt(value)
                    | Op::Gte(value)
                    | Op::Lt(value)
                    | Op::Lte(value) => {
                        matches!(value, Value::Text(text) if !printable(text))
                    }
                    Op::In(values) | Op::All(values) => values
                        .iter()
                        .any(|value| matches!(value, Value::Text(text) if !printable(text))),
                });
                if !trailing_backslash {
                    prop_assert_eq!(parse(&expr.to_string()), Ok(expr), "{}", input);
                }
            }
            Err(error) => {
                prop_assert!(error.at <= input.len(), "{}: {}", input, error);
                prop_assert!(input.is_char_boundary(error.at), "{}: {}", input, error);
            }
        }
        Ok(())
    }
}
