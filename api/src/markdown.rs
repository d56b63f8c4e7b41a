//! Markdown → HTML that is safe to put into a page, for board posts and comments.
//!
//! Two layers, so that one mistake does not open a hole: HTML typed into the Markdown is
//! shown as the text it is (never parsed as markup), and the rendered HTML then goes through
//! an allow-list sanitiser that keeps only the tags Markdown produces, only `http`, `https`
//! and `mailto` links, and no attribute that can run script or style the page.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, html};

/// The tags plain Markdown (with tables and strikethrough) renders to.
const TAGS: [&str; 26] = [
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
];

static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.tags(HashSet::from(TAGS))
        .add_tag_attributes("a", ["href", "title"])
        .add_tag_attributes("img", ["src", "alt", "title"])
        .add_tag_attributes("ol", ["start"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        // Links leave the app without handing it over (`window.opener`) or lending it rank.
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true);
    b
});

/// Renders a post or comment. The result may be inserted into a page as is.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut rendered = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut rendered, events);
    SANITISER.clean(&rendered).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tags in serialised HTML: name and (attribute, value) pairs. Text is escaped, so
    /// every `<` opens a real tag; values are double-quoted and may hold `>` or blanks.
    fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            rest = &rest[open + 1..];
            let name_end = rest
                .find(|c: char| c.is_whitespace() || c == '>')
                .unwrap_or(rest.len());
            let name = rest[..name_end].trim_start_matches('/').to_lowercase();
            rest = &rest[name_end..];
            let mut attrs = Vec::new();
            loop {
                rest = rest.trim_start();
                if rest.is_empty() || rest.starts_with('>') {
                    break;
                }
                let end = rest
                    .find(|c: char| c == '=' || c == '>' || c.is_whitespace())
                    .unwrap_or(rest.len());
                let attr = rest[..end].to_lowercase();
                rest = &rest[end..];
                let mut value = String::new();
                if let Some(quoted) = rest.strip_prefix("=\"") {
                    let close = quoted.find('"').unwrap_or(quoted.len());
                    value = quoted[..close].to_lowercase();
                    rest = quoted.get(close + 1..).unwrap_or_default();
                }
                attrs.push((attr, value));
            }
            found.push((name, attrs));
        }
        found
    }

    /// Renders `input` and fails unless every tag is an allowed one with no handler, style
    /// or class attribute and no script, VBScript or data URL.
    fn assert_inert(input: &str) -> String {
        let out = to_html(input);
        for (name, attrs) in tags(&out) {
            assert!(
                TAGS.contains(&name.as_str()),
                "tag <{name}> is not allowed, from {input:?}: {out}"
            );
            for (attr, value) in attrs {
                assert!(
                    !attr.starts_with("on") && attr != "style" && attr != "class",
                    "attribute {attr} on <{name}>, from {input:?}: {out}"
                );
                // Browsers drop tabs and newlines inside a URL before reading its scheme.
                let url: String = value
                    .chars()
                    .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
                    .collect();
                for scheme in ["javascript:", "vbscript:", "data:"] {
                    assert!(
                        !(["href", "src"].contains(&attr.as_str()) && url.starts_with(scheme)),
                        "{scheme} URL on <{name}>, from {input:?}: {out}"
                    );
                }
            }
        }
        out
    }

    #[test]
    fn the_checker_sees_what_it_must_refuse() {
        let bad = tags(
            "<p>a</p><img src=\"x\" onerror=\"alert(1)\"><a href=\"javascript:x\" title=\"a > b\">",
        );
        assert_eq!(bad.len(), 4);
        assert_eq!(bad[2].1[1].0, "onerror");
        assert_eq!(bad[3].1[0], ("href".into(), "javascript:x".into()));
        assert_eq!(bad[3].1[1], ("title".into(), "a > b".into()));
    }

    #[test]
    fn markdown_renders() {
        let out = assert_inert(
            "# Kick-off\n\n**Bold**, *em*, ~~gone~~, `code`\n\n- one\n- two\n\n3. three\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        for part in [
            "<h1>Kick-off</h1>",
            "<strong>Bold</strong>",
            "<em>em</em>",
            "<del>gone</del>",
            "<code>code</code>",
            "<li>one</li>",
            "<ol start=\"3\">",
            "<blockquote>",
            "<table>",
            "<td>1</td>",
        ] {
            assert!(out.contains(part), "{part} missing: {out}");
        }
    }

    #[test]
    fn safe_links_keep_their_address_and_get_rel() {
        let out = assert_inert("[guide](https://help.example.com/a?b=1&c=2 \"Guide\")");
        assert!(
            out.contains("href=\"https://help.example.com/a?b=1&amp;c=2\""),
            "{out}"
        );
        assert!(
            out.contains("rel=\"noopener noreferrer nofollow\""),
            "{out}"
        );
        assert!(out.contains("title=\"Guide\""), "{out}");
        let out = assert_inert("<https://tandem.example/x> and [mail](mailto:a@b.example)");
        assert!(out.contains("href=\"https://tandem.example/x\""), "{out}");
        assert!(out.contains("href=\"mailto:a@b.example\""), "{out}");
        let out = assert_inert("![logo](https://cdn.example/logo.png)");
        assert!(
            out.contains("<img src=\"https://cdn.example/logo.png\" alt=\"logo\">"),
            "{out}"
        );
    }

    #[test]
    fn raw_html_shows_as_text() {
        for (input, shown) in [
            (
                "<script>alert(1)</script>",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
            (
                "x <img src=x onerror=alert(1)> y",
                "&lt;img src=x onerror=alert(1)&gt;",
            ),
            (
                "<iframe src=\"https://evil.example\"></iframe>",
                "&lt;iframe",
            ),
            ("<style>body{display:none}</style>", "&lt;style&gt;"),
            ("<a href=\"javascript:alert(1)\">x</a>", "&lt;a href="),
            ("<svg onload=alert(1)>", "&lt;svg onload=alert(1)&gt;"),
            (
                "<div style=\"position:fixed\">overlay</div>",
                "&lt;div style=",
            ),
            ("<!-- a comment -->", "&lt;!-- a comment --&gt;"),
        ] {
            let out = assert_inert(input);
            assert!(out.contains(shown), "{input:?} → {out}");
        }
    }

    #[test]
    fn script_urls_lose_their_address() {
        for input in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](javascript&#58;alert(1))",
            "[x](java&#x09;script:alert(1))",
            "[x](&#x6A;avascript:alert(1))",
            "[x](vbscript:msgbox(1))",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "<javascript:alert(1)>",
            "![x](javascript:alert(1))",
            "[x][r]\n\n[r]: javascript:alert(1)",
        ] {
            assert_inert(input);
        }
        let out = assert_inert("[x](javascript:alert(1))");
        assert_eq!(
            out,
            "<p><a rel=\"noopener noreferrer nofollow\">x</a></p>\n"
        );
        // A percent sign cannot be part of a scheme: these are relative paths on this site.
        let out = assert_inert("[x](<java\tscript:alert(1)>)");
        assert!(out.contains("href=\"java%09script:alert(1)\""), "{out}");
        let out = assert_inert("[x](java%0ascript:alert(1))");
        assert!(out.contains("href=\"java%0ascript:alert(1)\""), "{out}");
    }

    #[test]
    fn code_is_escaped_and_attributes_cannot_break_out() {
        let out = assert_inert("```html\n<script>alert(1)</script>\n```");
        assert!(
            out.contains("<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{out}"
        );
        let out = assert_inert("[x](https://a.example/\"onmouseover=\"alert(1))");
        assert!(!out.contains("onmouseover=\""), "{out}");
        let out = assert_inert("![\" onerror=\"alert(1)](https://a.example/i.png)");
        assert!(
            out.contains("alt=\"&quot; onerror=&quot;alert(1)\""),
            "{out}"
        );
    }
}
