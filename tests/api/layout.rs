//! The floor plan: layers that import only downward, SQL only in the data layer, and no module
//! outside the handlers reaching into them. Read from the source files themselves.

use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and its layer: a module may name modules of its own layer or
/// below, never above. The domain (0) knows nothing of storage; the data layer (1) holds every
/// SQL statement; transfer (2) streams the data layer's rows; the record flows (3) represent
/// records and keep their history; the seed and the generator (4) load records through them; the
/// HTTP API (5); start-up (6) and the command line (7) put it all together.
const LAYERS: &[(&str, u8)] = &[
    ("vocab", 0),
    ("basis", 0),
    ("quantity", 0),
    ("keys", 0),
    ("spans", 0),
    ("schema", 0),
    ("config", 0),
    ("db", 1),
    ("pgcluster", 1),
    ("transfer", 2),
    ("records", 3),
    ("seed", 4),
    ("generate", 4),
    ("api", 5),
    ("startup", 6),
    ("cli", 7),
];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// The file's code lines (comments left out), up to its unit tests.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .enumerate()
        .take_while(|(_, line)| line.trim() != "#[cfg(test)]")
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .map(|(n, line)| (n + 1, line.to_owned()))
        .collect()
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn layer_of(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

#[test]
fn every_module_names_only_modules_of_its_layer_or_below() {
    let root = src();
    let mut upward = Vec::new();
    let mut unplaced = Vec::new();
    for file in rust_files(&root) {
        let relative = file.strip_prefix(&root).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "main" || top == "lib" {
            continue;
        }
        let Some(own) = layer_of(&top) else {
            unplaced.push(top);
            continue;
        };
        for (n, line) in code_lines(&file) {
            for (at, _) in line.match_indices("crate::") {
                let named: String = line[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                match layer_of(&named) {
                    Some(theirs) if theirs > own => {
                        upward.push(format!("{}:{n} names crate::{named}", relative.display()))
                    }
                    None if !named.is_empty() => unplaced.push(named),
                    _ => {}
                }
            }
        }
    }
    unplaced.sort();
    unplaced.dedup();
    assert!(unplaced.is_empty(), "modules with no layer in LAYERS: {unplaced:?}");
    assert!(
        upward.is_empty(),
        "imports that point up a layer:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_sql_outside_the_data_layer() {
    let mut files = rust_files(&src().join("api"));
    for module in ["seed.rs", "generate.rs", "transfer.rs", "startup.rs", "cli.rs"] {
        files.push(src().join(module));
    }
    files.extend(rust_files(&src().join("records")));
    let mut found = Vec::new();
    for file in files {
        for (n, line) in code_lines(&file) {
            for needle in [
                "sql_query",
                "diesel::insert_into",
                "diesel::update(",
                "diesel::delete(",
                "diesel::dsl::sql",
                "crate::schema",
                "tokio_postgres::Client",
                "batch_execute",
                "copy_in(",
                ".query_one(",
            ] {
                if line.contains(needle) {
                    found.push(format!("{}:{n}: {}", file.display(), line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL or tables named outside the data layer (move it to src/db):\n{}",
        found.join("\n")
    );
}

#[test]
fn only_the_route_table_and_the_handlers_reach_into_the_handlers() {
    let api = src().join("api");
    let handlers = api.join("handlers");
    let mut found = Vec::new();
    for file in rust_files(&api) {
        if file.starts_with(&handlers) || file == api.join("mod.rs") {
            continue;
        }
        for (n, line) in code_lines(&file) {
            if line.contains("handlers::") || line.contains("super::reading") {
                found.push(format!("{}:{n}: {}", file.display(), line.trim()));
            }
        }
    }
    let outside = ["cli.rs", "seed.rs", "generate.rs", "transfer.rs"];
    for name in outside {
        for (n, line) in code_lines(&src().join(name)) {
            if line.contains("handlers::") {
                found.push(format!("{name}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "modules reaching into the handlers:\n{}",
        found.join("\n")
    );
}

/// The files a change touches, as ARCHITECTURE.md's "Where each kind of change goes" names them:
/// every file under `src/` or `seed/` that names an existing field of each kind must be named
/// there (a `<resource>` in a path stands for any module of that folder).
#[test]
fn where_each_change_goes_names_every_file_a_field_touches() {
    let root = src().parent().unwrap().to_path_buf();
    let page = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let section = page
        .split("## Where each kind of change goes")
        .nth(1)
        .expect("ARCHITECTURE.md has its section on where changes go");
    let named: Vec<String> = section
        .split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|s| s.split_whitespace().last())
        .filter(|s| s.ends_with(".rs") || s.ends_with('/'))
        .map(str::to_owned)
        .collect();
    let listed = |relative: &str| {
        named.iter().any(|n| match n.split_once("<resource>") {
            Some((before, after)) => relative.starts_with(before) && relative.ends_with(after),
            None => relative == n || relative.starts_with(n.as_str()) && n.ends_with('/'),
        })
    };
    // A stated date, a quantity's words, a record's summary: fields of each kind the API has.
    let mut missing = Vec::new();
    for field in ["announced_on", "quantity_text", "said_on"] {
        let mut files = rust_files(&src());
        files.extend(
            std::fs::read_dir(root.join("seed"))
                .unwrap()
                .flatten()
                .map(|e| e.path()),
        );
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            // A file's own unit tests are not a place a change goes.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            if !code.contains(field) {
                continue;
            }
            let relative = file.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
            let short = relative.strip_prefix("src/").unwrap_or(&relative).to_owned();
            let ok = listed(&short) || listed(&relative) || (relative.starts_with("seed/") && listed("seed/"));
            if !ok {
                missing.push(format!("{short} (names {field})"));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's \"where each kind of change goes\" omits: {missing:?}"
    );
}

/// The OpenAPI schemas have one home: every `ToSchema` type of the API is defined under
/// `src/api/schemas/` (the problem shape with its error type, and the `page!` macro, aside),
/// and no handler defines one.
#[test]
fn every_schema_of_the_api_lives_in_api_schemas() {
    let api = src().join("api");
    let homes = [api.join("schemas"), api.join("error.rs"), api.join("paging.rs")];
    let mut found = Vec::new();
    for file in rust_files(&api) {
        if homes.iter().any(|home| file.starts_with(home)) {
            continue;
        }
        for (n, line) in code_lines(&file) {
            let defines = line.contains("ToSchema") && line.trim_start().starts_with("#[derive(");
            let pages = line.trim_start().starts_with("page!(") || line.contains("paging::page!(");
            if defines || pages {
                found.push(format!("{}:{n}: {}", file.display(), line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "schemas defined outside src/api/schemas:\n{}",
        found.join("\n")
    );
}

/// Inside the API too the arrows point one way: no module of `src/api/` (each of `handlers/` and
/// `schemas/` taken as one) names, through others, the module that names it. The route table
/// (`mod.rs`) names them all and is left out.
#[test]
fn the_modules_of_the_api_form_no_circle() {
    let api = src().join("api");
    let node = |file: &Path| -> String {
        let relative = file.strip_prefix(&api).unwrap();
        let first = relative.components().next().unwrap().as_os_str().to_string_lossy();
        first.trim_end_matches(".rs").to_owned()
    };
    let files: Vec<PathBuf> = rust_files(&api).into_iter().filter(|f| node(f) != "mod").collect();
    let nodes: std::collections::BTreeSet<String> = files.iter().map(|f| node(f)).collect();
    let mut edges: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
    for file in &files {
        let from = node(file);
        for (_, line) in code_lines(file) {
            for prefix in ["crate::api::", "super::"] {
                for (at, _) in line.match_indices(prefix) {
                    let named: String = line[at + prefix.len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if nodes.contains(&named) && named != from {
                        edges.entry(from.clone()).or_default().insert(named);
                    }
                }
            }
        }
    }
    // Depth-first, colouring each module while its descendants are walked.
    fn walk<'a>(
        at: &'a str,
        edges: &'a std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut std::collections::BTreeSet<&'a str>,
        circles: &mut Vec<String>,
    ) {
        if let Some(start) = path.iter().position(|p| *p == at) {
            circles.push(format!("{} -> {at}", path[start..].join(" -> ")));
            return;
        }
        if !done.insert(at) {
            return;
        }
        path.push(at);
        for next in edges.get(at).into_iter().flatten() {
            walk(next, edges, path, done, circles);
        }
        path.pop();
    }
    let mut circles = Vec::new();
    let mut done = std::collections::BTreeSet::new();
    for start in &nodes {
        walk(start, &edges, &mut Vec::new(), &mut done, &mut circles);
    }
    assert!(
        circles.is_empty(),
        "circles among the API's modules:\n{}",
        circles.join("\n")
    );
}
