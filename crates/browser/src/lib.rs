//! kaohe-browser — kaohe's pages in a real browser, for tools and tests (never a dependency of the
//! product): [`Browser`], headless Chromium driven through chromedriver's WebDriver API (a few JSON
//! calls over HTTP, no client library), and [`Demo`], `kaohe demo` on a free port. The `screenshots`
//! binary makes the README's pictures with both; the real-browser tests of `crates/cli/tests/browser/`
//! use them too.
//!
//! Needs Debian's `chromium` and `chromium-driver` (and a CJK font such as `fonts-wqy-microhei`).
//! The helpers panic with a message saying what is wrong: they serve tests and a developer's tool.

/// 解码: the base64 of chromedriver's screenshots.
mod base64;
/// 演示: `kaohe demo` on a free port, signing in and out of its pages, and its JSON API.
mod demo;
/// WebDriver: a chromedriver, a Chromium session with a window size, and the commands on it.
mod webdriver;

pub use base64::decode as base64_decode;
pub use demo::{ApiAnswer, Demo};
pub use webdriver::{Browser, Element, Window};
