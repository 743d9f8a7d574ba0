//! The tours (TOUR.md, TOUR.zh-CN.md) and EXPERIMENTS.md as pages the playground's explanations
//! link into: the Markdown they use — headings, paragraphs, lists, tables, quotes, fenced code,
//! `code`, **bold**, links and pictures — as HTML, each heading with an id to link to. A link to
//! one of these documents goes to its page; a link to another file of the repository, which the
//! playground does not serve, shows the file's path instead of a link that would answer 404.

use std::sync::LazyLock;

/// The English tour as HTML.
pub static TOUR_EN: LazyLock<String> =
    LazyLock::new(|| page("en", "plaindnn tour", include_str!("../../TOUR.md")));
/// The Chinese tour as HTML.
pub static TOUR_ZH: LazyLock<String> = LazyLock::new(|| {
    page(
        "zh-CN",
        "plaindnn 中文导览",
        include_str!("../../TOUR.zh-CN.md"),
    )
});
/// EXPERIMENTS.md, where the tours send a reader for the measured verdicts.
pub static EXPERIMENTS: LazyLock<String> = LazyLock::new(|| {
    page(
        "en",
        "plaindnn experiments",
        include_str!("../../EXPERIMENTS.md"),
    )
});

/// The served page of a repository document the pages link to, by its path there.
fn served(path: &str) -> Option<&'static str> {
    match path {
        "TOUR.md" => Some("/tour/en"),
        "TOUR.zh-CN.md" => Some("/tour/zh-CN"),
        "EXPERIMENTS.md" => Some("/experiments"),
        _ => None,
    }
}

/// Where a link of a page goes: anchors, absolute paths and web addresses as they are, a served
/// document to its page (its anchor kept), any other repository file nowhere.
fn target(url: &str) -> Option<String> {
    if url.starts_with(['#', '/']) || url.starts_with("https://") || url.starts_with("http://") {
        return Some(url.to_string());
    }
    let (path, anchor) = url
        .split_once('#')
        .map_or((url, None), |(p, a)| (p, Some(a)));
    let page = served(path)?;
    Some(anchor.map_or(page.to_string(), |a| format!("{page}#{a}")))
}

/// A heading's id: lower case, letters (any script), digits, `-` and `_` kept, spaces as `-`,
/// everything else dropped — GitHub's rule, so the same anchors work on the repository page.
pub fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// A whole HTML page holding `markdown`.
fn page(lang: &str, title: &str, markdown: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/style.css\"></head><body class=\"tour\"><main>{}</main>\
         </body></html>",
        to_html(markdown)
    )
}

/// The block structure, line by line.
pub fn to_html(markdown: &str) -> String {
    let mut html = String::new();
    let mut lines = markdown.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("<!--") {
            continue; // an HTML comment line, such as EXPERIMENTS.md's section markers
        } else if trimmed.starts_with("```") {
            html += "<pre><code>";
            for code in lines
                .by_ref()
                .take_while(|l| !l.trim_start().starts_with("```"))
            {
                html += &escape(code);
                html.push('\n');
            }
            html += "</code></pre>\n";
        } else if let Some((level, text)) = heading(trimmed) {
            html += &format!(
                "<h{level} id=\"{}\">{}</h{level}>\n",
                anchor(text),
                inline(text)
            );
        } else if trimmed.starts_with('|') {
            let mut rows = vec![line];
            while lines
                .peek()
                .is_some_and(|l| l.trim_start().starts_with('|'))
            {
                rows.extend(lines.next());
            }
            html += &table(&rows);
        } else if let Some(item) = list_item(trimmed) {
            html += "<ul>";
            html += &format!("<li>{}</li>", inline(item));
            while let Some(item) = lines.peek().and_then(|l| list_item(l.trim_start())) {
                html += &format!("<li>{}</li>", inline(item));
                lines.next();
            }
            html += "</ul>\n";
        } else if let Some(quote) = trimmed.strip_prefix('>') {
            html += &format!("<blockquote>{}</blockquote>\n", inline(quote.trim()));
        } else if !trimmed.is_empty() {
            let mut text = trimmed.to_string();
            while lines.peek().is_some_and(|l| continues_paragraph(l)) {
                text.push(' ');
                text += lines.next().unwrap_or_default().trim();
            }
            html += &format!("<p>{}</p>\n", inline(&text));
        }
    }
    html
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|&c| c == '#').count();
    let text = line[level..].strip_prefix(' ')?;
    (1..=6).contains(&level).then_some((level, text))
}

fn list_item(line: &str) -> Option<&str> {
    line.strip_prefix("- ").or_else(|| line.strip_prefix("* "))
}

fn continues_paragraph(line: &str) -> bool {
    let t = line.trim_start();
    !(t.is_empty()
        || t.starts_with("```")
        || t.starts_with('|')
        || t.starts_with('>')
        || t.starts_with("<!--")
        || heading(t).is_some()
        || list_item(t).is_some())
}

/// A pipe table; the `|---|` line after the header is skipped.
fn table(rows: &[&str]) -> String {
    let mut html = String::from("<table>");
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<&str> = row.trim().trim_matches('|').split('|').collect();
        if cells
            .iter()
            .all(|c| c.trim().chars().all(|ch| "-: ".contains(ch)))
        {
            continue;
        }
        let tag = if i == 0 { "th" } else { "td" };
        html += "<tr>";
        for cell in cells {
            html += &format!("<{tag}>{}</{tag}>", inline(cell.trim()));
        }
        html += "</tr>";
    }
    html + "</table>\n"
}

/// `code`, **bold**, *italic*, [text](url) and ![alt](src) inside escaped text.
fn inline(text: &str) -> String {
    let mut html = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('`') {
            if let Some(end) = after.find('`') {
                html += &format!("<code>{}</code>", escape(&after[..end]));
                rest = &after[end + 1..];
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix("**") {
            if let Some(end) = after.find("**") {
                html += &format!("<b>{}</b>", inline(&after[..end]));
                rest = &after[end + 2..];
                continue;
            }
        }
        if let Some((text, len)) = emphasis(rest) {
            html += &format!("<i>{}</i>", inline(text));
            rest = &rest[len..];
            continue;
        }
        if let Some((alt, src, len)) = rest.strip_prefix('!').and_then(link) {
            html += &picture(alt, src);
            rest = &rest[1 + len..];
            continue;
        }
        if let Some((label, url, len)) = link(rest) {
            html += &match target(url) {
                Some(href) => format!("<a href=\"{}\">{}</a>", escape(&href), inline(label)),
                None if label.trim_matches('`') == url => format!("<code>{}</code>", escape(url)),
                None => format!("{} (<code>{}</code>)", inline(label), escape(url)),
            };
            rest = &rest[len..];
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        html += &escape(&c.to_string());
        rest = &rest[c.len_utf8()..];
    }
    html
}

/// `*text*` at the start of `text`, as CommonMark reads it: no space just inside either `*`
/// (so `2 * 3 * 4` stays as it is). The text and the bytes taken.
fn emphasis(text: &str) -> Option<(&str, usize)> {
    let after = text.strip_prefix('*')?;
    if after.starts_with(['*', ' ']) {
        return None;
    }
    let end = after.find('*')?;
    if after[..end].contains('`') {
        return None; // a `*` inside a code span closes nothing
    }
    let inner = &after[..end];
    (!inner.is_empty() && !inner.ends_with(' ')).then_some((inner, end + 2))
}

/// A picture the pages serve, or its description and path: the playground serves no pictures of
/// the repository (the tours' one shows the playground itself).
fn picture(alt: &str, src: &str) -> String {
    match target(src) {
        Some(src) => format!("<img src=\"{}\" alt=\"{}\">", escape(&src), escape(alt)),
        None => format!("<i>{}</i> (<code>{}</code>)", escape(alt), escape(src)),
    }
}

/// `[label](url)` at the start of `text`: the label, the url and the bytes taken.
fn link(text: &str) -> Option<(&str, &str, usize)> {
    let after = text.strip_prefix('[')?;
    let close = after.find("](")?;
    let url_start = 1 + close + 2;
    let url_len = text[url_start..].find(')')?;
    let (label, url) = (&after[..close], &text[url_start..url_start + url_len]);
    Some((label, url, url_start + url_len + 1))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `/tour/…#anchor` the page links to, with the page it names.
    fn links_of(asset: &str) -> Vec<(String, String)> {
        asset
            .split("\"/tour/")
            .skip(1)
            .filter_map(|rest| {
                let link = &rest[..rest.find('"')?];
                let (page, anchor) = link.split_once('#')?;
                Some((page.to_string(), anchor.to_string()))
            })
            .collect()
    }

    #[test]
    fn every_explanation_link_of_the_page_lands_on_a_heading_of_its_tour() {
        let mut links = links_of(include_str!("assets/i18n.js"));
        links.extend(links_of(include_str!("assets/index.html")));
        assert!(links.len() >= 24, "{links:?}");
        for (page, anchor) in links {
            let html = match page.as_str() {
                "en" => TOUR_EN.as_str(),
                "zh-CN" => TOUR_ZH.as_str(),
                other => panic!("no tour {other}"),
            };
            assert!(
                html.contains(&format!(" id=\"{anchor}\"")),
                "/tour/{page}#{anchor}"
            );
        }
    }

    /// Every `attr="…"` value of `html`.
    fn values_of<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
        html.split(&format!(" {attr}=\""))
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect()
    }

    #[test]
    fn every_link_of_the_served_documents_lands_on_a_served_page_and_heading() {
        let pages = [
            ("/tour/en", TOUR_EN.as_str()),
            ("/tour/zh-CN", TOUR_ZH.as_str()),
            ("/experiments", EXPERIMENTS.as_str()),
        ];
        let mut checked = 0;
        for (path, html) in pages {
            assert!(!html.contains("&lt;!--") && !html.contains("!<a"), "{path}");
            for href in values_of(html, "href")
                .into_iter()
                .chain(values_of(html, "src"))
            {
                if href == "/style.css" {
                    continue;
                }
                let (page, anchor) = href.split_once('#').unwrap_or((href, ""));
                let page = if page.is_empty() { path } else { page };
                let (_, target) = pages
                    .iter()
                    .find(|(p, _)| *p == page)
                    .unwrap_or_else(|| panic!("{path} links to {href}, which is not served"));
                let id = format!(" id=\"{anchor}\"");
                assert!(anchor.is_empty() || target.contains(&id), "{path}: {href}");
                checked += 1;
            }
        }
        assert!(checked >= 10, "{checked} links");
    }

    #[test]
    fn a_link_or_picture_of_a_file_the_playground_does_not_serve_shows_its_path() {
        let html = to_html(
            "see [TOUR.md](TOUR.md#a), [the table](artifacts/t.md) and \
             [x.md](x.md), [`y.md`](y.md)\n\n![the playground](artifacts/playground.png)\n<!-- marker -->\n",
        );
        assert!(
            html.contains("<a href=\"/tour/en#a\">TOUR.md</a>"),
            "{html}"
        );
        assert!(
            html.contains("the table (<code>artifacts/t.md</code>)"),
            "{html}"
        );
        assert!(
            html.contains(" and <code>x.md</code>, <code>y.md</code>"),
            "{html}"
        );
        assert!(
            html.contains("<i>the playground</i> (<code>artifacts/playground.png</code>)"),
            "{html}"
        );
        assert!(!html.contains("marker"), "{html}");
    }

    #[test]
    fn headings_get_githubs_anchors_in_any_script() {
        assert_eq!(
            anchor("梯度消失或爆炸的解决方案"),
            "梯度消失或爆炸的解决方案"
        );
        assert_eq!(
            anchor("5. Backpropagation, step by step"),
            "5-backpropagation-step-by-step"
        );
        assert_eq!(anchor("4.如何衡量输出的好坏"), "4如何衡量输出的好坏");
    }

    #[test]
    fn code_bold_links_tables_and_fences_become_html_with_the_text_escaped() {
        let md = "## A <b> title\n\nsome `x < 1` and **bold** [here](#a-b-title)\ngo *on*, 2 * 3 * 4, *a `b*c` d\n\n\
                  | a | b |\n|---|---|\n| 1 | 2 |\n\n```\nplaindnn train --hidden 8 > out\n```\n- one\n- two\n";
        let html = to_html(md);
        assert!(
            html.contains("<h2 id=\"a-b-title\">A &lt;b&gt; title</h2>"),
            "{html}"
        );
        assert!(html.contains("<p>some <code>x &lt; 1</code> and <b>bold</b> <a href=\"#a-b-title\">here</a> go <i>on</i>, 2 * 3 * 4, *a <code>b*c</code> d</p>"), "{html}");
        assert!(
            html.contains(
                "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<pre><code>plaindnn train --hidden 8 &gt; out\n</code></pre>"),
            "{html}"
        );
        assert!(html.contains("<ul><li>one</li><li>two</li></ul>"), "{html}");
    }
}
