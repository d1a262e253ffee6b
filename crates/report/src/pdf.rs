//! 考核反馈单 as a PDF, made without a browser or any installed font: A4 pages in the embedded
//! WenQuanYi Micro Hei (文泉驿微米黑, Apache-2.0; only the glyphs a document uses are embedded, with
//! their Unicode text, so the PDF can be searched and copied), text wrapped by the glyphs' measured
//! widths, the table running on over as many pages as it needs with its header repeated, and each
//! page numbered "第 i 页 / 共 n 页".
//!
//! Layout is done first into a list of pages (text and lines at positions), then drawn with
//! `krilla`; so the page count is known when the footers are written.

use crate::feedback::Feedback;
use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};

static FONT: &[u8] = include_bytes!("../fonts/wqy-microhei.ttc");

/// A4 in PostScript points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MM: f32 = 72.0 / 25.4;
const LEFT: f32 = 16.0 * MM;
const RIGHT: f32 = PAGE_W - 16.0 * MM;
const TOP: f32 = 16.0 * MM;
const BOTTOM: f32 = PAGE_H - 18.0 * MM;

/// Table text size and line height.
const SIZE: f32 = 9.0;
const LINE: f32 = 12.0;
const PAD: f32 = 2.5;

/// Column widths of 条款, 内容, 满分, 得分; 计分说明 takes the rest.
const COLS: [f32; 4] = [44.0, 120.0, 34.0, 40.0];

enum Item {
    /// Text with its baseline's left end at (x, y).
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
    },
}

/// Marks that never start a line (they hang past the edge instead).
const CLOSING: &str = "，。、；：？！）》」』”’,.;:?!)%";

/// Glyph widths of the embedded font.
struct Metrics {
    face: ttf_parser::Face<'static>,
    upem: f32,
}

impl Metrics {
    fn new() -> Metrics {
        let face = ttf_parser::Face::parse(FONT, 0).expect("the embedded font parses");
        let upem = f32::from(face.units_per_em());
        Metrics { face, upem }
    }

    fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.char_width(c, size)).sum()
    }

    fn char_width(&self, c: char, size: f32) -> f32 {
        let adv = self
            .face
            .glyph_index(c)
            .and_then(|g| self.face.glyph_hor_advance(g))
            .unwrap_or(self.face.units_per_em());
        f32::from(adv) * size / self.upem
    }

    /// `text` broken into lines no wider than `width`: at its own line breaks, then wherever the
    /// width runs out (Chinese may break between any two characters; a run of Latin letters and
    /// digits moves whole to the next line when it fits there; closing punctuation never starts a
    /// line).
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let chars: Vec<char> = para.chars().collect();
            let mut line = String::new();
            let mut w = 0.0;
            let mut i = 0;
            while i < chars.len() {
                let c = chars[i];
                let cw = self.char_width(c, size);
                let closing = CLOSING.contains(c);
                if w + cw > width && !line.is_empty() && !closing {
                    // Move a Latin word begun on this line to the next one, if it fits there.
                    let word = c.is_ascii_alphanumeric();
                    let tail: usize = if word {
                        line.chars()
                            .rev()
                            .take_while(|p| p.is_ascii_alphanumeric() || *p == '.')
                            .count()
                    } else {
                        0
                    };
                    let keep = line.chars().count() - tail;
                    if word && tail > 0 && keep > 0 {
                        let moved: String = line.chars().skip(keep).collect();
                        line = line.chars().take(keep).collect();
                        lines.push(std::mem::take(&mut line));
                        w = self.width(&moved, size);
                        line = moved;
                    } else {
                        lines.push(std::mem::take(&mut line));
                        w = 0.0;
                    }
                }
                line.push(c);
                w += cw;
                i += 1;
            }
            lines.push(line);
        }
        lines
    }
}

/// Lays out pages one after another.
struct Layout {
    m: Metrics,
    pages: Vec<Vec<Item>>,
    y: f32,
}

impl Layout {
    fn page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn push(&mut self, item: Item) {
        self.pages.last_mut().expect("a page").push(item);
    }

    fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        if !text.is_empty() {
            self.push(Item::Text {
                x,
                y,
                size,
                text: text.to_string(),
            });
        }
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32) {
        self.push(Item::Line { from, to, width });
    }

    /// Centred lines of `text`, advancing `y`.
    fn centred(&mut self, text: &str, size: f32, lead: f32) {
        for l in self.m.wrap(text, size, RIGHT - LEFT) {
            let w = self.m.width(&l, size);
            self.y += lead;
            let x = LEFT + (RIGHT - LEFT - w) / 2.0;
            self.text(x, self.y, size, &l);
        }
    }

    /// Left-aligned lines of `text`, advancing `y`.
    fn para(&mut self, text: &str, size: f32, lead: f32) {
        for l in self.m.wrap(text, size, RIGHT - LEFT) {
            self.y += lead;
            self.text(LEFT, self.y, size, &l);
        }
    }

    fn col_x(&self) -> [f32; 6] {
        let mut x = [LEFT; 6];
        for i in 0..4 {
            x[i + 1] = x[i] + COLS[i];
        }
        x[5] = RIGHT;
        x
    }

    /// One table row of wrapped cells, from `y` down; `right` marks right-aligned cells. Draws
    /// the lines around the row and returns its height.
    fn row(&mut self, cells: &[Vec<String>; 5], right: [bool; 5], header: bool) -> f32 {
        let x = self.col_x();
        let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let h = n as f32 * LINE + 2.0 * PAD;
        let top = self.y;
        for (ci, lines) in cells.iter().enumerate() {
            for (li, l) in lines.iter().enumerate() {
                let base = top + PAD + (li as f32 + 1.0) * LINE - 3.0;
                let tx = if right[ci] {
                    x[ci + 1] - PAD - self.m.width(l, SIZE)
                } else if header {
                    x[ci] + (x[ci + 1] - x[ci] - self.m.width(l, SIZE)) / 2.0
                } else {
                    x[ci] + PAD
                };
                self.text(tx, base, SIZE, l);
            }
        }
        let w = if header { 0.8 } else { 0.5 };
        self.line((LEFT, top), (RIGHT, top), w);
        self.line((LEFT, top + h), (RIGHT, top + h), w);
        for &cx in &x {
            self.line((cx, top), (cx, top + h), 0.5);
        }
        self.y = top + h;
        h
    }

    fn header(&mut self) {
        let heads = ["条款", "内容", "满分", "得分", "计分说明（扣分理由）"];
        let cells = heads.map(|h| vec![h.to_string()]);
        self.row(&cells, [false; 5], true);
    }
}

/// The 考核反馈单 of one unit as PDF bytes.
pub fn feedback_pdf(f: &Feedback) -> Result<Vec<u8>, String> {
    let title = format!("{} {}", f.unit.name, f.heading());
    render(&title, vec![(f.unit.name.as_str(), layout(f))])
}

/// The 考核反馈单 of many units in one PDF, to print them all at once: each unit begins on a new
/// page, and each page's footer counts that unit's pages.
pub fn feedback_pdfs(forms: &[Feedback]) -> Result<Vec<u8>, String> {
    let title = match forms.first() {
        Some(f) => format!("{}（{} 个单位）", f.heading(), forms.len()),
        None => return Err("没有单位".into()),
    };
    let units = forms
        .iter()
        .map(|f| (f.unit.name.as_str(), layout(f)))
        .collect();
    render(&title, units)
}

/// One unit's form laid out into pages.
fn layout(f: &Feedback) -> Vec<Vec<Item>> {
    let mut lay = Layout {
        m: Metrics::new(),
        pages: Vec::new(),
        y: TOP,
    };
    lay.page();
    lay.centred(&f.heading(), 16.0, 16.0);
    lay.y += 4.0;
    lay.centred(&f.subtitle(), 10.0, 14.0);
    lay.y += 6.0;
    lay.para(&f.summary(), 11.0, 15.0);
    lay.y += 8.0;
    lay.header();
    let x = lay.col_x();
    for c in &f.clauses {
        let mut reason = c.explanation.clone();
        for i in &c.instances {
            reason.push_str("\n· ");
            reason.push_str(i);
        }
        let width = |i: usize| x[i + 1] - x[i] - 2.0 * PAD;
        let mut cells = [
            lay.m.wrap(&c.id, SIZE, width(0)),
            lay.m.wrap(&c.title, SIZE, width(1)),
            vec![c.max.clone()],
            vec![c.score.clone()],
            lay.m.wrap(&reason, SIZE, width(4)),
        ];
        let right = [false, false, true, true, false];
        // A row that does not fit goes on as far as the page allows and continues on the next,
        // under the header again (only a row with very many findings ever needs more than a page).
        loop {
            let room = ((BOTTOM - lay.y - 2.0 * PAD) / LINE).floor().max(0.0) as usize;
            let need = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            if need <= room {
                lay.row(&cells, right, false);
                break;
            }
            if room < 3 {
                lay.page();
                lay.header();
                continue;
            }
            let mut now: [Vec<String>; 5] = Default::default();
            for (i, cell) in cells.iter_mut().enumerate() {
                let k = room.min(cell.len());
                now[i] = cell.drain(..k).collect();
            }
            lay.row(&now, right, false);
            cells[0] = vec![format!("{}（续）", c.id)];
            lay.page();
            lay.header();
        }
    }
    // Signature and date lines, kept together (with the 校验信息 under them, when sealed).
    let check = f.check_line();
    let room = if check.is_some() { 96.0 } else { 64.0 };
    if lay.y + room > BOTTOM {
        lay.page();
    }
    lay.y += 22.0;
    let mid = (LEFT + RIGHT) / 2.0;
    let y = lay.y;
    for (x0, who) in [
        (LEFT, "考核组（签字）："),
        (mid + 12.0, "被考核单位（签字、盖章）："),
    ] {
        lay.text(x0, y, 10.5, who);
        lay.line((x0, y + 20.0), (x0 + mid - LEFT - 24.0, y + 20.0), 0.5);
        lay.text(x0, y + 38.0, 10.5, "日期：        年      月      日");
    }
    if let Some(check) = check {
        lay.y = y + 50.0;
        lay.para(&check, 9.0, 12.0);
    }
    lay.pages
}

/// Draws the pages of each unit (its name for the footers) into one document.
fn render(title: &str, units: Vec<(&str, Vec<Vec<Item>>)>) -> Result<Vec<u8>, String> {
    let font = Font::new(FONT.into(), 0).ok_or("内嵌字体无法载入")?;
    let m = Metrics::new();
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language("zh-CN".to_string())
            .creator("kaohe".to_string()),
    );
    let pages = units.into_iter().flat_map(|(name, pages)| {
        let n = pages.len();
        pages
            .into_iter()
            .enumerate()
            .map(move |(pi, items)| (name, pi + 1, n, items))
    });
    for (name, i, n, items) in pages {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("页面尺寸无效")?;
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        let footer = format!("{name} · 第 {i} 页 / 共 {n} 页");
        let fw = m.width(&footer, 8.0);
        let footer = Item::Text {
            x: (PAGE_W - fw) / 2.0,
            y: PAGE_H - 10.0 * MM,
            size: 8.0,
            text: footer,
        };
        for item in items.iter().chain(std::iter::once(&footer)) {
            match item {
                Item::Text { x, y, size, text } => {
                    s.set_stroke(None);
                    s.set_fill(Some(Fill::default()));
                    s.draw_text(
                        Point::from_xy(*x, *y),
                        font.clone(),
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Item::Line { from, to, width } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(from.0, from.1);
                    pb.line_to(to.0, to.1);
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            width: *width,
                            ..Stroke::default()
                        }));
                        s.draw_path(&path);
                    }
                }
            }
        }
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| format!("PDF 生成失败：{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_never_wider_than_asked_and_lose_no_character() {
        let m = Metrics::new();
        let text = "扣分：指南问题 3 例（办件 A002、A007），每例扣0.02分，ABCDEFGHIJ12345 共扣 0.06 分。\n第二段";
        for width in [30.0, 55.0, 100.0, 240.0] {
            let lines = m.wrap(text, SIZE, width);
            assert_eq!(lines.concat(), text.replace('\n', ""), "{width}");
            for l in &lines {
                // Closing marks may hang past the edge.
                let body = l.trim_end_matches(|c| CLOSING.contains(c));
                assert!(m.width(body, SIZE) <= width + 0.01, "{l:?} at {width}");
            }
        }
        assert_eq!(m.wrap("第二段", SIZE, 500.0), vec!["第二段"]);
        // A Latin word moves whole to the next line.
        let lines = m.wrap(
            "测试测试 ABCDEFG",
            SIZE,
            m.width("测试测试 ABC", SIZE) + 0.1,
        );
        assert_eq!(lines, vec!["测试测试 ", "ABCDEFG"]);
    }

    #[test]
    fn chinese_glyphs_are_in_the_embedded_font() {
        let m = Metrics::new();
        for c in "考核反馈单掘港街道栟茶镇洋口镇苴镇长沙镇大豫镇曹埠镇岔河镇双甸镇新店镇河口镇袁庄镇丰利镇经济开发区（签字、盖章）：年月日".chars() {
            assert!(m.face.glyph_index(c).is_some(), "{c}");
        }
    }
}

/// Reading a PDF back, for tests (here and in other crates): the text of every page as poppler's
/// `pdftotext` extracts it (pages end with a form feed), and the page count and size from
/// `pdfinfo`. `None` when poppler-utils is not installed — unless `KAOHE_PDF_TESTS` is set (as
/// `.ci/run` does), when a missing tool fails the test instead of skipping it.
#[doc(hidden)]
pub mod probe {
    use std::io::Write;
    use std::process::{Command, Stdio};

    fn run(tool: &str, args: &[&str], pdf: &[u8]) -> Option<String> {
        let child = Command::new(tool)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                assert!(
                    std::env::var_os("KAOHE_PDF_TESTS").is_none()
                        && std::env::var_os("CI").is_none_or(|v| v.is_empty()),
                    "the PDF tests must run here, but {tool} cannot run ({e}): install poppler-utils"
                );
                // Past the test harness's capture, so that a skip is seen even when the test passes.
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped (poppler-utils missing): PDF read-back — {tool} not found ({e})"
                );
                return None;
            }
        };
        child.stdin.take()?.write_all(pdf).ok()?;
        let out = child.wait_with_output().ok()?;
        assert!(
            out.status.success(),
            "{tool} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(String::from_utf8(out.stdout).expect("UTF-8 from poppler"))
    }

    /// The text of each page, in reading order.
    pub fn pages(pdf: &[u8]) -> Option<Vec<String>> {
        let text = run("pdftotext", &["-layout", "-enc", "UTF-8", "-", "-"], pdf)?;
        let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
        if pages.last().is_some_and(|p| p.trim().is_empty()) {
            pages.pop();
        }
        Some(pages)
    }

    /// `pdfinfo`'s "Page size" line, e.g. `595.28 x 841.89 pts (A4)`.
    pub fn page_size(pdf: &[u8]) -> Option<String> {
        let info = run("pdfinfo", &["-"], pdf)?;
        info.lines()
            .find_map(|l| l.strip_prefix("Page size:"))
            .map(|s| s.trim().to_string())
    }
}
