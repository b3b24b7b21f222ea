//! A minimal indenting XML writer: deterministic output (same input, same
//! bytes), tab-indented like the reference examples, text escaped.

use chrono::NaiveDate;

use crate::{Header, Law, XsdVersion};

/// Writes one message with two prefixes: the message's and the basisschema's.
pub struct Writer {
    out: String,
    depth: usize,
    msg: String,
    base: &'static str,
}

impl Writer {
    /// Starts `<msg:Bericht>` of message `number` under `law`.
    pub fn new(law: Law, number: u16) -> Writer {
        let msg = format!("{}{number}", law.prefix());
        let base = law.standard();
        let out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{msg}:Bericht xmlns:{base}=\"{}\" xmlns:{msg}=\"{}\">\n",
            law.base_namespace(),
            law.message_namespace(number)
        );
        Writer {
            out,
            depth: 1,
            msg,
            base,
        }
    }

    fn prefix(&self, base: bool) -> &str {
        if base {
            self.base
        } else {
            &self.msg
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push('\t');
        }
    }

    /// Opens a message-namespace element.
    pub fn open(&mut self, name: &str) {
        self.open_in(false, name);
    }

    /// Opens an element, in the basisschema namespace when `base`.
    pub fn open_in(&mut self, base: bool, name: &str) {
        self.indent();
        let p = self.prefix(base).to_string();
        self.out.push_str(&format!("<{p}:{name}>\n"));
        self.depth += 1;
    }

    /// Closes what `open`/`open_in` opened.
    pub fn close_in(&mut self, base: bool, name: &str) {
        self.depth -= 1;
        self.indent();
        let p = self.prefix(base).to_string();
        self.out.push_str(&format!("</{p}:{name}>\n"));
    }

    /// Closes a message-namespace element.
    pub fn close(&mut self, name: &str) {
        self.close_in(false, name);
    }

    /// A message-namespace leaf element.
    pub fn leaf(&mut self, name: &str, value: &str) {
        self.leaf_in(false, name, value);
    }

    /// A basisschema leaf element.
    pub fn base_leaf(&mut self, name: &str, value: &str) {
        self.leaf_in(true, name, value);
    }

    /// A leaf element with escaped text.
    pub fn leaf_in(&mut self, base: bool, name: &str, value: &str) {
        self.indent();
        let p = self.prefix(base).to_string();
        self.out
            .push_str(&format!("<{p}:{name}>{}</{p}:{name}>\n", escape(value)));
    }

    /// An optional message-namespace leaf.
    pub fn opt_leaf(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.leaf(name, v);
        }
    }

    /// An optional basisschema leaf.
    pub fn opt_base_leaf(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.base_leaf(name, v);
        }
    }

    /// The common header elements up to and including XsdVersie.
    pub fn header_start(
        &mut self,
        law: Law,
        number: u16,
        sender: &str,
        receiver: &str,
        id: &str,
        dated: NaiveDate,
    ) {
        self.open("Header");
        let code = law.message_code(number).unwrap_or_default().to_string();
        self.leaf("BerichtCode", &code);
        self.leaf("BerichtVersie", "3");
        self.leaf("BerichtSubversie", "2");
        self.leaf("Afzender", sender);
        self.leaf("Ontvanger", receiver);
        self.identification("BerichtIdentificatie", id, dated);
        self.xsd_version("XsdVersie", &law.xsd_version());
    }

    /// A CDT_BerichtIdentificatie.
    pub fn identification(&mut self, name: &str, id: &str, dated: NaiveDate) {
        self.open(name);
        self.base_leaf("Identificatie", id);
        self.base_leaf("Dagtekening", &date(dated));
        self.close(name);
    }

    /// The identification of a header.
    pub fn identification_of(&mut self, name: &str, h: &Header) {
        self.identification(name, &h.message_id, h.dated);
    }

    /// A CDT_XsdVersie.
    pub fn xsd_version(&mut self, name: &str, v: &XsdVersion) {
        self.open(name);
        self.base_leaf("BasisschemaXsdVersie", &v.basisschema);
        self.base_leaf("BerichtXsdVersie", &v.message);
        self.close(name);
    }

    /// Closes the Bericht and returns the document.
    pub fn finish(mut self) -> String {
        let m = self.msg.clone();
        self.out.push_str(&format!("</{m}:Bericht>\n"));
        self.out
    }
}

/// `YYYY-MM-DD`.
pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Escapes text for element content.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A carriage return would be normalised away by a reader.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}
