//! `cargo xtask test`'s first step: the module graph of every crate in the workspace, and the
//! two shapes it must not have.
//!
//! - **An import cycle**: two sibling modules that use each other, directly or round a loop
//!   (`commissions` → `scores` → `commissions`). Modules are compared at the level where they
//!   part: `scores::board` using `commissions` is an edge `scores → commissions` of the
//!   crate's top level.
//! - **Reaching back up**: a module using an item of one of its own ancestors (`crate::AppState`
//!   from `crate::sync`, `super::Tx` from `scores::board`). The ancestor holds the module, so
//!   that is a cycle too; what both need belongs in a module of its own.
//!
//! Test modules (`mod tests`, inline or as `tests.rs`) count as part of the module they test.
//!
//! The reading is lexical, not a compiler's: comments and literals are dropped, then every path
//! that starts with `crate::`, `self::` or `super::` (braced `use` groups included) is resolved
//! to the deepest module it names. A path that names no module of the crate resolves to the
//! module whose item it is. Crates name each other by their own names and are not followed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module, as the list of names from the crate root (`[]` is the root).
type ModPath = Vec<String>;

/// One use of another module: where, and the path as written.
#[derive(Clone, Debug)]
struct Use {
    from: ModPath,
    to: ModPath,
    file: PathBuf,
    line: usize,
    written: String,
}

/// The crates checked: (name, directory of its sources, its root file).
pub const CRATES: &[(&str, &str, &str)] = &[
    ("xinbao-core", "crates/core/src", "lib.rs"),
    ("xinbao-server", "crates/server/src", "lib.rs"),
    ("xinbao-app", "src", "lib.rs"),
    ("xtask", "xtask/src", "main.rs"),
    ("xinbao-server's integration tests", "crates/server/tests/it", "main.rs"),
];

/// Checks every crate under `root`; returns one line per finding (empty when the graph is clean).
pub fn check_workspace(root: &Path) -> Result<Vec<String>, String> {
    let mut findings = Vec::new();
    for (name, dir, root_file) in CRATES {
        let files = crate_files(&root.join(dir), root_file)?;
        for f in check(&files) {
            findings.push(format!("{name}: {f}"));
        }
    }
    Ok(findings)
}

/// The crate's source files, each with its module path: the root file and every `.rs` file
/// below the directory except other crate roots (`main.rs` beside `lib.rs`, `bin/`).
fn crate_files(dir: &Path, root_file: &str) -> Result<Vec<(ModPath, PathBuf, String)>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", d.display()))?.path();
            let rel = path.strip_prefix(dir).map_err(|e| e.to_string())?;
            if path.is_dir() {
                if rel != Path::new("bin") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let top = rel.components().count() == 1;
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            if top && (stem == "main" || stem == "lib") && rel != Path::new(root_file) {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            out.push((module_of(rel), path, text));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// `a/b.rs` → `[a, b]`, `a/mod.rs` → `[a]`, `lib.rs` → `[]`.
fn module_of(rel: &Path) -> ModPath {
    let mut parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if !(stem == "mod" || (parts.is_empty() && (stem == "lib" || stem == "main"))) {
            parts.push(stem.to_owned());
        }
    }
    parts
}

/// A test module counts as the module it tests: `m` cut at the first of `test_files` it is in.
fn untested(m: &[String], test_files: &BTreeSet<ModPath>) -> ModPath {
    match (1..=m.len()).find(|&n| test_files.contains(&m[..n])) {
        Some(n) => m[..n - 1].to_vec(),
        None => m.to_vec(),
    }
}

/// The file modules that are test modules: a `tests.rs` (or `tests/mod.rs`) whose parent
/// declares it `#[cfg(test)] mod tests;`. A production module named `tests` is not one.
fn test_files(files: &[(ModPath, PathBuf, String)]) -> BTreeSet<ModPath> {
    let text_of: BTreeMap<&ModPath, &String> = files.iter().map(|f| (&f.0, &f.2)).collect();
    files
        .iter()
        .filter(|f| f.0.last().is_some_and(|s| s == "tests"))
        .filter(|f| {
            let parent = f.0[..f.0.len() - 1].to_vec();
            text_of.get(&parent).is_some_and(|t| declares_test_module(t))
        })
        .map(|f| f.0.clone())
        .collect()
}

/// Whether `text` declares `mod tests;` under `#[cfg(test)]`.
fn declares_test_module(text: &str) -> bool {
    let toks: Vec<Tok> = tokens(text).into_iter().map(|t| t.0).collect();
    let word = |i: usize, w: &str| toks.get(i) == Some(&Tok::Ident(w.to_owned()));
    (0..toks.len()).any(|i| {
        word(i, "mod")
            && word(i + 1, "tests")
            && toks.get(i + 2) == Some(&Tok::Punct(';'))
            && i >= 7
            && toks[i - 7..i]
                == [
                    Tok::Punct('#'),
                    Tok::Punct('['),
                    Tok::Ident("cfg".to_owned()),
                    Tok::Punct('('),
                    Tok::Ident("test".to_owned()),
                    Tok::Punct(')'),
                    Tok::Punct(']'),
                ]
    })
}

/// The findings for one crate's files.
fn check(files: &[(ModPath, PathBuf, String)]) -> Vec<String> {
    let modules: BTreeSet<ModPath> = files.iter().map(|f| f.0.clone()).collect();
    let tests = test_files(files);
    let mut uses = Vec::new();
    for (module, path, text) in files {
        for (written, line) in scan(module, text) {
            uses.push(Use { from: module.clone(), to: written.0, file: path.clone(), line, written: written.1 });
        }
    }
    let mut findings = Vec::new();
    // Sibling edges, grouped by the module they part under.
    let mut edges: BTreeMap<ModPath, BTreeMap<(String, String), Use>> = BTreeMap::new();
    for mut u in uses {
        u.to = deepest_module(&modules, &u.to);
        let from = untested(&u.from, &tests);
        let to = untested(&u.to, &tests);
        if from == to || to.starts_with(&from) {
            continue; // itself, or one of its own children
        }
        if from.starts_with(&to) {
            findings.push(format!("`{}` reaches back up to `{}` ({}:{}: {})", show(&from), show(&to), u.file.display(), u.line, u.written));
            continue;
        }
        let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
        let key = (from[common].clone(), to[common].clone());
        edges.entry(from[..common].to_vec()).or_default().entry(key).or_insert(u);
    }
    for (parent, level) in &edges {
        for cycle in cycles(level.keys()) {
            let mut shown = Vec::new();
            for (i, a) in cycle.iter().enumerate() {
                for b in &cycle[i + 1..] {
                    for (x, y) in [(a, b), (b, a)] {
                        if let Some(u) = level.get(&(x.clone(), y.clone())) {
                            shown.push(format!("{} → {} at {}:{} ({})", x, y, u.file.display(), u.line, u.written));
                        }
                    }
                }
            }
            findings.push(format!("import cycle under `{}` between {}: {}", show(parent), cycle.join(", "), shown.join("; ")));
        }
    }
    findings
}

fn show(m: &[String]) -> String {
    if m.is_empty() { "crate".to_owned() } else { m.join("::") }
}

/// The longest prefix of `path` that is a module.
fn deepest_module(modules: &BTreeSet<ModPath>, path: &[String]) -> ModPath {
    (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains(p)).unwrap_or_default()
}

/// The strongly connected components with more than one member (Tarjan), each sorted.
fn cycles<'a>(edges: impl Iterator<Item = &'a (String, String)>) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        graph.entry(a).or_default().push(b);
        graph.entry(b).or_default();
    }
    struct Tarjan<'g> {
        graph: &'g BTreeMap<&'g str, Vec<&'g str>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, v: &'g str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for &w in self.graph.get(v).map(Vec::as_slice).unwrap_or_default() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.out.push(component);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph: &graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for &v in graph.keys() {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.out
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Punct(char),
    PathSep,
}

/// Source text without comments, string, byte-string and char literals; lines kept.
fn tokens(text: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            '/' if at(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            '"' => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    if at(i) == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            'r' | 'b' if raw_string_start(&chars, i).is_some() => {
                let (hashes, body) = raw_string_start(&chars, i).unwrap_or((0, i));
                let close: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                i = body;
                while i < chars.len() && !chars[i..].starts_with(&close) {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += close.len();
            }
            '\'' => {
                // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
                if at(i + 1) == '\\' {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == '\'' {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            ':' if at(i + 1) == ':' => {
                out.push((Tok::PathSep, line));
                i += 2;
            }
            c if c == '_' || c.is_alphanumeric() => {
                let start = i;
                while i < chars.len() && (chars[i] == '_' || chars[i].is_alphanumeric()) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if word == "b" && (at(i) == '\'' || at(i) == '"') {
                    continue; // b'x', b"…": the quote is read next as a char or string literal
                }
                out.push((Tok::Ident(word), line));
            }
            c if c.is_whitespace() => i += 1,
            c => {
                out.push((Tok::Punct(c), line));
                i += 1;
            }
        }
    }
    out
}

/// `r"`, `r#"`, `br"`, `br#"` (raw: no escapes): the number of hashes and where the body
/// starts. A plain `b"…"` is an ordinary string with escapes, read as one.
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let prev_ident = i > 0 && (chars[i - 1] == '_' || chars[i - 1].is_alphanumeric());
    if prev_ident {
        return None;
    }
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (chars.get(j) == Some(&'"')).then_some((hashes, j + 1))
}

/// Every path a file writes from `crate`, `self` or `super`: ((absolute path, as written),
/// line). Inline modules (`mod tests { … }`) are followed for what `self` and `super` mean in
/// them, but count as part of their file.
fn scan(file_module: &ModPath, text: &str) -> Vec<((ModPath, String), usize)> {
    let toks = tokens(text);
    let mut found = Vec::new();
    // The module stack: (module, brace depth at which it closes).
    let mut stack: Vec<(ModPath, usize)> = vec![(file_module.clone(), 0)];
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        let current = stack.last().map(|s| s.0.clone()).unwrap_or_default();
        match &toks[i].0 {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                if stack.len() > 1 && stack.last().is_some_and(|s| s.1 == depth) {
                    stack.pop();
                }
            }
            Tok::Ident(w) if w == "mod" => {
                if let (Some((Tok::Ident(name), _)), Some((Tok::Punct('{'), _))) = (toks.get(i + 1), toks.get(i + 2)) {
                    let mut m = current.clone();
                    m.push(name.clone());
                    stack.push((m, depth));
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Tok::Ident(w) if (w == "crate" || w == "self" || w == "super") && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::PathSep) => {
                let preceded_by_sep = i > 0 && toks[i - 1].0 == Tok::PathSep;
                if !preceded_by_sep {
                    let line = toks[i].1;
                    let (paths, next) = read_path(&toks, i);
                    for p in paths {
                        if let Some(abs) = absolute(&current, &p) {
                            found.push(((abs, p.join("::")), line));
                        }
                    }
                    i = next;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Reads a path (with braced groups) starting at token `i`; returns each full path and the
/// index after it.
fn read_path(toks: &[(Tok, usize)], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    loop {
        match toks.get(i).map(|t| &t.0) {
            Some(Tok::Ident(w)) => {
                prefix.push(w.clone());
                i += 1;
                if toks.get(i).map(|t| &t.0) == Some(&Tok::PathSep) {
                    i += 1;
                    if toks.get(i).map(|t| &t.0) == Some(&Tok::Punct('*')) {
                        return (vec![prefix], i + 1); // `a::*`
                    }
                    continue;
                }
                return (vec![prefix], i);
            }
            Some(Tok::Punct('{')) => {
                i += 1;
                let mut all = Vec::new();
                loop {
                    match toks.get(i).map(|t| &t.0) {
                        None => return (all, i),
                        Some(Tok::Punct('}')) => return (all, i + 1),
                        Some(Tok::Punct(',')) => i += 1,
                        Some(Tok::Punct('*')) => {
                            all.push(prefix.clone());
                            i += 1;
                        }
                        Some(_) => {
                            let (inner, next) = read_path(toks, i);
                            for p in inner {
                                let mut full = prefix.clone();
                                full.extend(p.into_iter().filter(|s| s != "self"));
                                all.push(full);
                            }
                            // `as name` after a path
                            i = next;
                            if toks.get(i).map(|t| &t.0) == Some(&Tok::Ident("as".to_owned())) {
                                i += 2;
                            }
                        }
                    }
                }
            }
            _ => return (vec![prefix], i),
        }
    }
}

/// `crate::a::b` → `[a, b]`; `super::x` from `[m, n]` → `[m, x]`; `self::x` → `[m, n, x]`.
fn absolute(current: &[String], path: &[String]) -> Option<ModPath> {
    let mut segs = path.iter().peekable();
    let mut base: ModPath = match segs.peek().map(|s| s.as_str()) {
        Some("crate") => {
            segs.next();
            Vec::new()
        }
        Some("self") => {
            segs.next();
            current.to_vec()
        }
        _ => current.to_vec(),
    };
    while segs.peek().map(|s| s.as_str()) == Some("super") {
        segs.next();
        base.pop()?;
    }
    base.extend(segs.cloned());
    Some(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<(ModPath, PathBuf, String)> {
        list.iter().map(|(p, t)| (module_of(Path::new(p)), PathBuf::from(p), (*t).to_owned())).collect()
    }

    #[test]
    fn a_cycle_between_siblings_is_found_and_an_acyclic_graph_is_clean() {
        let f = files(&[
            ("lib.rs", "pub mod a; pub mod b; pub mod c;"),
            ("a.rs", "use crate::b::Thing;"),
            ("b/mod.rs", "mod inner;"),
            ("b/inner.rs", "use crate::{c::X, a};"),
            ("c.rs", "fn f() { let s = \"crate::a::nope\"; } // crate::a::no"),
        ]);
        let found = check(&f);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("between a, b"), "{found:?}");
        let clean = files(&[("lib.rs", "pub mod a; pub mod b;"), ("a.rs", "use crate::b::Thing;"), ("b.rs", "")]);
        assert!(check(&clean).is_empty());
    }

    #[test]
    fn reaching_up_is_found_but_a_test_module_may_use_its_parent() {
        let f = files(&[
            ("lib.rs", "pub struct AppState; pub mod a;"),
            ("a/mod.rs", "pub struct Shared; mod b;\n#[cfg(test)]\nmod tests;"),
            ("a/b.rs", "use super::Shared;\n#[cfg(test)]\nmod tests { use super::*; }"),
            ("a/tests.rs", "use super::Shared; use crate::a::b;"),
        ]);
        let found = check(&f);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("`a::b` reaches back up to `a`"), "{found:?}");
        let root = files(&[("lib.rs", "pub struct AppState; pub mod s;"), ("s.rs", "fn f(_: crate::AppState) {}")]);
        assert!(check(&root)[0].contains("`s` reaches back up to `crate`"));
    }

    #[test]
    fn a_glob_inside_a_group_names_its_module_and_a_production_tests_module_is_not_exempt() {
        let glob = files(&[("lib.rs", "pub mod a; pub mod b;"), ("a.rs", "use crate::{b::*, b::X};"), ("b.rs", "")]);
        assert!(check(&glob).is_empty(), "{:?}", check(&glob));
        let hidden = files(&[
            ("lib.rs", "pub mod a;"),
            ("a/mod.rs", "pub mod tests; pub struct S; pub fn f() { tests::g() }"),
            ("a/tests.rs", "use super::S; pub fn g() {}"),
        ]);
        let found = check(&hidden);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("`a::tests` reaches back up to `a`"), "{found:?}");
    }

    #[test]
    fn literals_and_lifetimes_do_not_confuse_the_reader() {
        let t = tokens("fn f<'a>(q: &'a str) -> char { let _ = r#\"crate::x\"#; let _ = b'\"'; let _ = b\"\\\"\"; 'x' }\nuse crate::y;");
        let idents: Vec<String> = t.iter().filter_map(|(t, _)| if let Tok::Ident(w) = t { Some(w.clone()) } else { None }).collect();
        let want = ["fn", "f", "a", "q", "a", "str", "char", "let", "_", "let", "_", "let", "_", "use", "crate", "y"];
        assert_eq!(idents, want.map(str::to_owned).to_vec());
        assert_eq!(t.last().map(|t| t.1), Some(2));
    }
}
