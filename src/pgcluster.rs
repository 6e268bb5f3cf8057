//! A PostgreSQL cluster the service runs itself, so that it starts with no settings at all: made
//! with the local `initdb` on first start, started with `pg_ctl`, reached through a Unix socket in
//! the data folder (no TCP port to collide with), kept between runs, and stopped on shutdown.
//! As root, PostgreSQL's programs run as the `postgres` user, since `initdb` refuses root.

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The database the service uses inside its own cluster.
pub const DATABASE_NAME: &str = "alliance_kb";

/// Why the cluster could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No PostgreSQL server programs on this machine.
    #[error(
        "no PostgreSQL server programs (initdb, pg_ctl) found on PATH or under /usr/lib/postgresql/*/bin; \
         install PostgreSQL (Debian/Ubuntu: apt-get install postgresql), or set DATABASE_URL to a server you run, \
         e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_kb"
    )]
    NoBinaries,
    /// Running as root, but there is no `postgres` user to run the server as.
    #[error("running as root, but there is no `postgres` user to run PostgreSQL as (initdb refuses root); create one, or set DATABASE_URL")]
    NoPostgresUser,
    /// The data folder cannot be used.
    #[error("cannot use the data folder {path}: {reason}")]
    DataDir {
        /// The folder.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A PostgreSQL program failed.
    #[error("`{command}` failed: {output}")]
    Command {
        /// The command line.
        command: String,
        /// What it printed, and the tail of the server log.
        output: String,
    },
}

/// A running (or reused) self-managed cluster.
#[derive(Debug)]
pub struct ManagedCluster {
    bin_dir: PathBuf,
    pgdata: PathBuf,
    socket_dir: PathBuf,
    log_file: PathBuf,
    run_as_postgres: bool,
    started_here: bool,
}

impl ManagedCluster {
    /// Makes the cluster under `data_dir` if it does not exist yet and starts it unless it is
    /// already running (then it is reused, and left running by [`ManagedCluster::stop`]).
    pub fn start(data_dir: &Path) -> Result<Self, ClusterError> {
        let bin_dir = find_bin_dir().ok_or(ClusterError::NoBinaries)?;
        let dir_error = |path: &Path, reason: String| ClusterError::DataDir {
            path: path.to_owned(),
            reason,
        };
        std::fs::create_dir_all(data_dir).map_err(|e| dir_error(data_dir, e.to_string()))?;
        let data_dir = data_dir
            .canonicalize()
            .map_err(|e| dir_error(data_dir, e.to_string()))?;
        let pgdata = data_dir.join("pg");
        let socket_dir = data_dir.join("run");
        let log_dir = data_dir.join("log");
        let socket_path_len = socket_dir.as_os_str().len() + "/.s.PGSQL.5432".len();
        if socket_path_len > 100 {
            return Err(dir_error(
                &data_dir,
                "its path is too long for a Unix socket (at most about 85 characters); set ALLIANCE_KB_DATA_DIR to a shorter path".into(),
            ));
        }
        if socket_dir.to_string_lossy().contains(['\'', '"', '\\']) {
            return Err(dir_error(
                &data_dir,
                "its path contains a quote or a backslash; choose another with ALLIANCE_KB_DATA_DIR".into(),
            ));
        }
        let run_as_postgres = is_root();
        for dir in [&pgdata, &socket_dir, &log_dir] {
            std::fs::create_dir_all(dir).map_err(|e| dir_error(dir, e.to_string()))?;
            set_mode(dir, if dir == &pgdata { 0o700 } else { 0o755 }).map_err(|e| dir_error(dir, e.to_string()))?;
            if run_as_postgres {
                let (uid, gid) = postgres_user().ok_or(ClusterError::NoPostgresUser)?;
                std::os::unix::fs::chown(dir, Some(uid), Some(gid)).map_err(|e| dir_error(dir, e.to_string()))?;
            }
        }
        let mut cluster = ManagedCluster {
            bin_dir,
            pgdata,
            socket_dir,
            log_file: log_dir.join("postgresql.log"),
            run_as_postgres,
            started_here: false,
        };
        if run_as_postgres
            && !cluster
                .run("test", &["-w".as_ref(), cluster.pgdata.as_os_str()])?
                .status
                .success()
        {
            return Err(dir_error(
                &cluster.pgdata,
                "the postgres user cannot write it: every folder above it must be open to others (chmod o+x), \
                 or set ALLIANCE_KB_DATA_DIR to a folder it can reach, or set DATABASE_URL"
                    .into(),
            ));
        }
        if !cluster.pgdata.join("PG_VERSION").exists() {
            log::info!("initialising a PostgreSQL cluster in {}", cluster.pgdata.display());
            let initdb = cluster.bin("initdb");
            cluster.check(
                &initdb,
                &[
                    "-D".as_ref(),
                    cluster.pgdata.as_os_str(),
                    "-U".as_ref(),
                    "postgres".as_ref(),
                    "-A".as_ref(),
                    "trust".as_ref(),
                    "-E".as_ref(),
                    "UTF8".as_ref(),
                    "--locale=C".as_ref(),
                ],
            )?;
        }
        if cluster.is_running()? {
            log::info!(
                "reusing the PostgreSQL cluster already running in {}",
                cluster.pgdata.display()
            );
        } else {
            let options = format!(
                "-c listen_addresses='' -c unix_socket_directories='{}'",
                cluster.socket_dir.display()
            );
            let pg_ctl = cluster.bin("pg_ctl");
            cluster.check(
                &pg_ctl,
                &[
                    "start".as_ref(),
                    "-w".as_ref(),
                    "-t".as_ref(),
                    "120".as_ref(),
                    "-D".as_ref(),
                    cluster.pgdata.as_os_str(),
                    "-l".as_ref(),
                    cluster.log_file.as_os_str(),
                    "-o".as_ref(),
                    options.as_ref(),
                ],
            )?;
            cluster.started_here = true;
            log::info!(
                "started PostgreSQL in {} (socket in {})",
                cluster.pgdata.display(),
                cluster.socket_dir.display()
            );
        }
        Ok(cluster)
    }

    /// The URL of a database in this cluster, reached through its socket.
    pub fn url(&self, database: &str) -> String {
        let host: String = url::form_urlencoded::byte_serialize(self.socket_dir.to_string_lossy().as_bytes()).collect();
        format!("postgres://postgres@/{database}?host={host}")
    }

    /// The folder holding the cluster's files.
    pub fn pgdata(&self) -> &Path {
        &self.pgdata
    }

    /// Whether the cluster's server is running.
    pub fn is_running(&self) -> Result<bool, ClusterError> {
        let pg_ctl = self.bin("pg_ctl");
        Ok(self
            .run(&pg_ctl, &["status".as_ref(), "-D".as_ref(), self.pgdata.as_os_str()])?
            .status
            .success())
    }

    /// Stops the server if this process started it; a cluster found running is left running.
    pub fn stop(&mut self) -> Result<(), ClusterError> {
        if !self.started_here {
            return Ok(());
        }
        let pg_ctl = self.bin("pg_ctl");
        self.check(
            &pg_ctl,
            &[
                "stop".as_ref(),
                "-w".as_ref(),
                "-m".as_ref(),
                "fast".as_ref(),
                "-D".as_ref(),
                self.pgdata.as_os_str(),
            ],
        )?;
        self.started_here = false;
        log::info!("stopped PostgreSQL in {}", self.pgdata.display());
        Ok(())
    }

    fn bin(&self, name: &str) -> String {
        self.bin_dir.join(name).to_string_lossy().into_owned()
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> Result<Output, ClusterError> {
        let (mut command, shown) = if self.run_as_postgres {
            let mut c = Command::new(runuser());
            c.args(["-u", "postgres", "--", program]);
            (c, format!("runuser -u postgres -- {program}"))
        } else {
            (Command::new(program), program.to_owned())
        };
        command.args(args).current_dir("/");
        command.output().map_err(|e| ClusterError::Command {
            command: shown,
            output: e.to_string(),
        })
    }

    fn check(&self, program: &str, args: &[&std::ffi::OsStr]) -> Result<(), ClusterError> {
        let output = self.run(program, args)?;
        if output.status.success() {
            return Ok(());
        }
        let log_tail = std::fs::read_to_string(&self.log_file)
            .map(|log| {
                log.lines()
                    .rev()
                    .take(10)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        Err(ClusterError::Command {
            command: format!(
                "{program} {}",
                args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
            ),
            output: format!(
                "{}{}\n{log_tail}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        })
    }
}

impl Drop for ManagedCluster {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            log::error!("could not stop PostgreSQL: {e}");
        }
    }
}

/// The folder holding `initdb` and `pg_ctl`: PATH first, then the newest /usr/lib/postgresql/N/bin.
fn find_bin_dir() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|d| has_both(d)) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_both(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// `runuser` (util-linux), which runs PostgreSQL's programs as `postgres` when the service runs as
/// root: PATH first, then where Debian and others keep it (a root shell's PATH may lack /usr/sbin).
fn runuser() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("runuser"))
            .find(|p| p.is_file())
    });
    on_path
        .or_else(|| {
            ["/usr/sbin/runuser", "/sbin/runuser"]
                .map(PathBuf::from)
                .into_iter()
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| PathBuf::from("runuser"))
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn postgres_user() -> Option<(u32, u32)> {
    let name = CString::new("postgres").ok()?;
    // SAFETY: getpwnam reads a NUL-terminated name and returns a pointer into static storage or
    // null; the fields are copied out at once, before any other call could overwrite it.
    unsafe {
        let entry = libc::getpwnam(name.as_ptr());
        if entry.is_null() {
            None
        } else {
            Some(((*entry).pw_uid, (*entry).pw_gid))
        }
    }
}

fn set_mode(dir: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))
}
