//! The built binary, started as a new user would: no settings at all, in an empty folder.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn http_get(address: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).unwrap().parse().unwrap();
    (status, response)
}

#[test]
fn with_no_settings_the_binary_serves_the_seed_from_its_own_cluster_and_stops_it_on_sigterm() {
    let folder = std::env::temp_dir().join(format!("akb-first-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    // The postgres user must reach the folder when the binary runs as root.
    std::fs::set_permissions(&folder, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_alliance-kb"))
        .current_dir(&folder)
        .env_remove("DATABASE_URL")
        .env_remove("ALLIANCE_KB_DATA_DIR")
        .env_remove("ALLIANCE_KB_POOL_SIZE")
        .env_remove("ALLIANCE_KB_WORKERS")
        .env_remove("RUST_LOG")
        // Port 0 so that the test never collides with a service already on 8080.
        .env("ALLIANCE_KB_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines_rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut log = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line.clone());
            log.push(line);
        }
        log
    });
    let address = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(180))
            .expect("the service reports where it serves");
        if let Some(rest) = line.split("serving the knowledge base at http://").nth(1) {
            break rest.split('/').next().unwrap().to_owned();
        }
    };

    let (status, body) = http_get(&address, "/v1/commitments?nation=BE");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Belgium offered naval and air support"), "{body}");
    let (status, body) = http_get(&address, "/swagger-ui/");
    assert_eq!(status, 200, "{body}");

    let pgdata = folder.join("data/pg");
    assert!(pgdata.join("PG_VERSION").exists(), "the cluster lives in ./data");
    assert!(
        pgdata.join("postmaster.pid").exists(),
        "the cluster runs while the service does"
    );

    // SAFETY: kill sends a signal to the child we spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = wait_with_timeout(&mut child, Duration::from_secs(60));
    assert!(status.success(), "the service exits cleanly on SIGTERM: {status:?}");
    let log = reader.join().unwrap().join("\n");
    assert!(log.contains("stopped PostgreSQL"), "{log}");
    assert!(
        !pgdata.join("postmaster.pid").exists(),
        "the cluster stopped with the service"
    );
    // pg_ctl's wait ends when the pid file is gone; the postmaster may still be leaving then.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while postgres_runs_in(&pgdata) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!postgres_runs_in(&pgdata), "no postgres process is left on the folder");
    let _ = std::fs::remove_dir_all(&folder);
}

fn wait_with_timeout(child: &mut std::process::Child, timeout: Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the service did not stop within {timeout:?} of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn postgres_runs_in(pgdata: &Path) -> bool {
    let needle = pgdata.to_string_lossy().to_string();
    std::fs::read_dir("/proc").unwrap().flatten().any(|entry| {
        std::fs::read(entry.path().join("cmdline"))
            .map(|cmd| {
                String::from_utf8_lossy(&cmd).replace('\0', " ").contains(&needle)
                    && String::from_utf8_lossy(&cmd).contains("postgres")
            })
            .unwrap_or(false)
    })
}

#[test]
fn every_command_answers_help_with_the_help() {
    for args in [
        &["--help"][..],
        &["generate", "--help"],
        &["generate", "--commitments", "-h"],
        &["keys", "create", "--help"],
        &["import", "--help"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_alliance-kb"))
            .args(args)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("generate --commitments N"), "{args:?}: {text}");
    }
    // An unknown option is still an error that names it.
    let out = Command::new(env!("CARGO_BIN_EXE_alliance-kb"))
        .args(["generate", "--rows", "5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--rows"));
}
