//! The settings of `tokenctl server` and `tokenctl gateway`.
//!
//! Every setting is a flag with an environment variable, and may also be
//! given in a TOML file named by `--config`, under the flag's long name
//! (`listen = "0.0.0.0:7700"`). A flag beats its variable, which beats the
//! file, which beats the built-in default (docs/settings.md).
//!
//! The file's values become the arguments' defaults before clap parses the
//! command line a second time: they go through the same value parsers, and
//! clap's own order (command line, environment, default) gives the
//! precedence above.

use crate::error::{CliError, CliResult};
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The argument naming the file.
pub const CONFIG_ARG: &str = "config";

/// The commands that read a config file, and the global options (of
/// `tokenctl` itself) that they also take from it.
const WITH_FILE: &[(&str, &[&str])] = &[("server", &[]), ("gateway", &["server", "ca_cert"])];

/// Why the command line could not be turned into settings.
#[derive(Debug)]
pub enum ParseError {
    /// Clap's own error (usage, `--help`, `--version`), rendered by clap.
    Clap(clap::Error),
    /// The config file is missing, malformed or names an unknown setting.
    File(CliError),
}

/// Where each setting given came from, to name it in messages.
#[derive(Debug, Clone, Default)]
pub struct Origins(HashMap<String, String>);

impl Origins {
    /// Where the argument `id` came from (`--master-key-file`,
    /// `TOKENCTL_MASTER_KEY`, `` `master-key` in FILE``).
    pub fn describe(&self, id: &str) -> String {
        self.0
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("--{}", id.replace('_', "-")))
    }

    fn of(cmd: &Command, matches: &ArgMatches, file: Option<(&Path, &[String])>) -> Origins {
        let mut origins = HashMap::new();
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            let Some(source) = matches.value_source(id) else {
                continue;
            };
            let long = arg.get_long().unwrap_or(id);
            let text = match source {
                ValueSource::CommandLine => format!("--{long}"),
                ValueSource::EnvVariable => arg
                    .get_env()
                    .map(|e| e.to_string_lossy().into_owned())
                    .unwrap_or_else(|| format!("--{long}")),
                ValueSource::DefaultValue => match file {
                    Some((path, ids)) if ids.iter().any(|i| i == id) => {
                        format!("`{long}` in {}", path.display())
                    }
                    _ => continue,
                },
                _ => continue,
            };
            origins.insert(id.to_string(), text);
        }
        Origins(origins)
    }

    fn extend(&mut self, other: Origins) {
        self.0.extend(other.0);
    }
}

/// Parses the command line of `cmd`. For `server` and `gateway` with
/// `--config FILE`, the file's values fill in every setting given neither on
/// the command line nor in the environment.
pub fn parse(cmd: Command, args: &[String]) -> Result<(ArgMatches, Origins), ParseError> {
    let matches = cmd
        .clone()
        .try_get_matches_from(args)
        .map_err(ParseError::Clap)?;
    let Some((name, sub)) = matches.subcommand() else {
        return Ok((matches, Origins::default()));
    };
    let Some(&(_, globals)) = WITH_FILE.iter().find(|(n, _)| *n == name) else {
        let origins = cmd
            .find_subcommand(name)
            .map(|s| Origins::of(s, sub, None))
            .unwrap_or_default();
        return Ok((matches, origins));
    };
    let name = name.to_string();
    let path = sub.get_one::<PathBuf>(CONFIG_ARG).cloned();
    let Some(path) = path else {
        let mut origins = Origins::of(cmd.find_subcommand(&name).expect("parsed"), sub, None);
        origins.extend(Origins::of(&cmd, &matches, None));
        return Ok((matches, origins));
    };
    let table = read_file(&path).map_err(ParseError::File)?;
    let sub_cmd = cmd.find_subcommand(&name).expect("parsed").clone();
    let mut own: Vec<(String, Vec<String>)> = Vec::new();
    let mut global: Vec<(String, Vec<String>)> = Vec::new();
    for (key, value) in &table {
        let found = sub_cmd
            .get_arguments()
            .find(|a| a.get_long() == Some(key.as_str()))
            .map(|a| (a, false))
            .or_else(|| {
                cmd.get_arguments()
                    .filter(|a| globals.contains(&a.get_id().as_str()))
                    .find(|a| a.get_long() == Some(key.as_str()))
                    .map(|a| (a, true))
            });
        let Some((arg, is_global)) = found else {
            return Err(ParseError::File(CliError::usage(format!(
                "{}: unknown setting `{key}` (the settings of `tokenctl {name}` are its long \
                 flags without the dashes; see `tokenctl {name} --help`)",
                path.display()
            ))));
        };
        let id = arg.get_id().as_str();
        if id == CONFIG_ARG || id == "help" {
            return Err(ParseError::File(CliError::usage(format!(
                "{}: `{key}` cannot be set in a config file",
                path.display()
            ))));
        }
        let values = values_of(arg, value)
            .and_then(|values| check(arg, &values).map(|()| values))
            .map_err(|e| {
                ParseError::File(CliError::usage(format!("{}: `{key}`: {e}", path.display())))
            })?;
        if is_global {
            global.push((id.to_string(), values));
        } else {
            own.push((id.to_string(), values));
        }
    }
    let from_file: Vec<String> = own
        .iter()
        .chain(&global)
        .map(|(id, _)| id.clone())
        .collect();
    let mut cmd = cmd;
    for (id, values) in global {
        cmd = cmd.mut_arg(id, |a| a.default_values(values));
    }
    cmd = cmd.mut_subcommand(&name, |mut s| {
        for (id, values) in own {
            s = s.mut_arg(id, |a| a.default_values(values));
        }
        s
    });
    let matches = cmd
        .clone()
        .try_get_matches_from(args)
        .map_err(ParseError::Clap)?;
    let sub = matches.subcommand_matches(&name).expect("parsed");
    let file = Some((path.as_path(), from_file.as_slice()));
    let mut origins = Origins::of(cmd.find_subcommand(&name).expect("parsed"), sub, file);
    origins.extend(Origins::of(&cmd, &matches, file));
    Ok((matches, origins))
}

/// The file as a table of settings.
fn read_file(path: &Path) -> CliResult<toml::Table> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::usage(format!(
            "cannot read the config file {}: {e}",
            path.display()
        ))
    })?;
    text.parse::<toml::Table>().map_err(|e| {
        CliError::usage(format!(
            "{} is not a valid TOML file: {}",
            path.display(),
            e.to_string().trim_end()
        ))
    })
}

/// A TOML value as the command-line values of `arg`: a string or an
/// integer; `true`/`false` for a switch; an array (or a string with the
/// variable's separator) for a repeatable flag.
fn values_of(arg: &Arg, value: &toml::Value) -> Result<Vec<String>, String> {
    let switch = matches!(arg.get_action(), ArgAction::SetTrue);
    let many = matches!(arg.get_action(), ArgAction::Append);
    let scalar = |v: &toml::Value| match v {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        other => Err(format!(
            "expected a string, found {}",
            article(other.type_str())
        )),
    };
    match value {
        toml::Value::Boolean(b) if switch => Ok(vec![b.to_string()]),
        _ if switch => Err(format!(
            "expected true or false, found {}",
            article(value.type_str())
        )),
        toml::Value::Array(items) if many => items.iter().map(scalar).collect(),
        toml::Value::Array(_) => Err("expected a single value, found an array".into()),
        other => {
            let text = scalar(other)?;
            Ok(match arg.get_value_delimiter() {
                Some(sep) if many => text.split(sep).map(|v| v.trim().to_string()).collect(),
                _ => vec![text],
            })
        }
    }
}

fn article(type_str: &str) -> String {
    match type_str.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_str}"),
        _ => format!("a {type_str}"),
    }
}

/// Runs `values` through the value parser of `arg`, so that a bad value is
/// reported with the file and key rather than as a flag.
fn check(arg: &Arg, values: &[String]) -> Result<(), String> {
    let probe = Command::new("probe").no_binary_name(true).arg(
        Arg::new("value")
            .long("value")
            .action(ArgAction::Append)
            .value_parser(arg.get_value_parser().clone()),
    );
    let argv: Vec<String> = values.iter().map(|v| format!("--value={v}")).collect();
    match probe.try_get_matches_from(argv) {
        Ok(_) => Ok(()),
        Err(e) => {
            use clap::error::{ContextKind, ContextValue, ErrorKind};
            let value = match e.get(ContextKind::InvalidValue) {
                Some(ContextValue::String(v)) => format!("`{v}`"),
                _ => "the value".into(),
            };
            let reason = match e.kind() {
                ErrorKind::InvalidValue => match e.get(ContextKind::ValidValue) {
                    Some(ContextValue::Strings(valid)) => {
                        format!("one of {} is expected", valid.join(", "))
                    }
                    _ => "not one of the possible values".into(),
                },
                _ => std::error::Error::source(&e)
                    .map(ToString::to_string)
                    .unwrap_or_else(|| e.kind().to_string()),
            };
            Err(format!("{value} is invalid: {reason}"))
        }
    }
}

/// Declares a secret setting given either as a value (`--NAME`, whose
/// variable's value `--help` hides) or in a file (`--NAME-file`, e.g. a
/// systemd credential), never both: a clap struct of the two flags, to
/// flatten into a command, whose `read` returns the secret.
macro_rules! secret_flags {
    (
        $(#[doc = $doc:literal])*
        $name:ident($what:literal) {
            $value:ident = $env:literal, $value_name:literal;
            $(#[doc = $file_doc:literal])*
            $file:ident = $file_env:literal;
        }
    ) => {
        #[derive(Clone, clap::Args)]
        pub struct $name {
            $(#[doc = $doc])*
            #[arg(long, env = $env, hide_env_values = true, value_name = $value_name)]
            pub $value: Option<String>,
            $(#[doc = $file_doc])*
            #[arg(long, env = $file_env, value_name = "PATH")]
            pub $file: Option<std::path::PathBuf>,
        }

        /// The value is never printed, the file's path is.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field(stringify!($value), &self.$value.as_ref().map(|_| "<redacted>"))
                    .field(stringify!($file), &self.$file)
                    .finish()
            }
        }

        impl $name {
            /// The secret (see [`crate::settings::secret`]) and the
            /// setting it came from, for messages; `None` if not given.
            pub fn read(
                &self,
                origins: &crate::settings::Origins,
            ) -> crate::error::CliResult<Option<(String, String)>> {
                let (value_id, file_id) = (stringify!($value), stringify!($file));
                let value = crate::settings::secret(
                    $what,
                    self.$value.as_deref(),
                    value_id,
                    self.$file.as_deref(),
                    file_id,
                    origins,
                )?;
                let source = match self.$file {
                    Some(_) => origins.describe(file_id),
                    None => origins.describe(value_id),
                };
                Ok(value.map(|v| (v, source)))
            }
        }
    };
}
pub(crate) use secret_flags;

/// A secret given as a value (flag, variable or config file) or as a file
/// path, not both: the value, or the file's content, with surrounding
/// whitespace (a trailing newline) removed. An empty value counts as not
/// given.
pub fn secret(
    what: &str,
    value: Option<&str>,
    value_id: &str,
    file: Option<&Path>,
    file_id: &str,
    origins: &Origins,
) -> CliResult<Option<String>> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    match (value, file) {
        (Some(_), Some(_)) => Err(CliError::usage(format!(
            "the {what} is given twice, by {} and by {}; use one",
            origins.describe(value_id),
            origins.describe(file_id)
        ))),
        (Some(value), None) => Ok(Some(value.to_string())),
        (None, Some(path)) => read_secret_file(what, path).map(Some),
        (None, None) => Ok(None),
    }
}

/// The content of a file holding a secret, trimmed; an empty file is an
/// error, a file every user may read earns a warning.
pub fn read_secret_file(what: &str, path: &Path) -> CliResult<String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::usage(format!(
            "cannot read the {what} file {}: {e}",
            path.display()
        ))
    })?;
    let value = text.trim();
    if value.is_empty() {
        return Err(CliError::usage(format!(
            "the {what} file {} is empty",
            path.display()
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode();
            if mode & 0o004 != 0 {
                tracing::warn!(
                    path = %path.display(),
                    mode = format!("{:o}", mode & 0o777),
                    "the {what} file is readable by every user; make it readable by the service only (chmod 600)"
                );
            }
        }
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn args(list: &[&str]) -> Vec<String> {
        std::iter::once("tokenctl")
            .chain(list.iter().copied())
            .map(String::from)
            .collect()
    }

    #[test]
    fn a_secret_flag_never_shows_its_value_in_debug_output() {
        let flags = crate::commands::server::MasterKeyFlags {
            master_key: Some("00ff".repeat(16)),
            master_key_file: Some(PathBuf::from("/run/key")),
        };
        let shown = format!("{flags:?}");
        assert!(!shown.contains("00ff"), "{shown}");
        assert!(
            shown.contains("<redacted>") && shown.contains("/run/key"),
            "{shown}"
        );
    }

    /// A file removed on drop.
    struct TempFile(PathBuf);

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn file(text: &str) -> (TempFile, String) {
        let path = std::env::temp_dir().join(format!(
            "tokenctl-settings-{}.toml",
            uuid::Uuid::now_v7().simple()
        ));
        std::fs::write(&path, text).unwrap();
        let shown = path.display().to_string();
        (TempFile(path), shown)
    }

    #[test]
    fn every_setting_of_server_and_gateway_is_a_long_flag_with_a_variable() {
        let cmd = crate::Cli::command();
        for name in ["server", "gateway"] {
            let sub = cmd.find_subcommand(name).unwrap();
            for arg in sub.get_arguments() {
                if arg.get_id() == "help" {
                    continue;
                }
                assert!(
                    arg.get_long().is_some(),
                    "{name}: {} has no long flag",
                    arg.get_id()
                );
                assert!(
                    arg.get_env().is_some(),
                    "{name}: --{} has no variable",
                    arg.get_long().unwrap()
                );
            }
        }
    }

    #[test]
    fn a_file_value_is_parsed_like_the_flag_and_loses_to_it() {
        let (_f, path) = file("listen = \"127.0.0.9:7\"\nusage-retention = \"9d\"\ntrusted-proxy = [\"10.0.0.0/8\", \"192.0.2.1\"]\nallow-metadata-upstreams = true\n");
        let (m, origins) = parse(
            crate::Cli::command(),
            &args(&["server", "--config", &path, "--usage-retention", "3d"]),
        )
        .unwrap();
        let s = m.subcommand_matches("server").unwrap();
        assert_eq!(
            s.get_one::<std::net::SocketAddr>("listen")
                .unwrap()
                .to_string(),
            "127.0.0.9:7"
        );
        assert_eq!(
            s.get_one::<humantime::Duration>("usage_retention")
                .unwrap()
                .to_string(),
            "3days"
        );
        assert_eq!(
            s.get_many::<ipnet::IpNet>("trusted_proxies")
                .unwrap()
                .count(),
            2
        );
        assert!(s.get_flag("allow_metadata_upstreams"));
        assert_eq!(origins.describe("usage_retention"), "--usage-retention");
        assert_eq!(origins.describe("listen"), format!("`listen` in {path}"));
    }

    #[test]
    fn the_gateway_file_may_name_the_server() {
        let (_f, path) =
            file("server = \"https://tokenctl.example.com\"\nca-cert = \"/etc/ca.pem\"\n");
        let (m, _) = parse(
            crate::Cli::command(),
            &args(&["gateway", "--config", &path]),
        )
        .unwrap();
        assert_eq!(
            m.get_one::<String>("server").map(String::as_str),
            Some("https://tokenctl.example.com")
        );
        // Not for the server, which does not use it.
        let err = parse(crate::Cli::command(), &args(&["server", "--config", &path])).unwrap_err();
        let ParseError::File(e) = err else {
            panic!("{err:?}")
        };
        assert!(
            e.message.contains("unknown setting `ca-cert`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn bad_files_are_named_with_the_key() {
        let cases = [
            ("lisen = \"127.0.0.1:1\"\n", "unknown setting `lisen`"),
            ("listen = 7700\n", "`listen`: `7700` is invalid"),
            (
                "listen = [\"127.0.0.1:1\"]\n",
                "`listen`: expected a single value",
            ),
            (
                "allow-metadata-upstreams = \"yes\"\n",
                "expected true or false, found a string",
            ),
            (
                "log-format = \"xml\"\n",
                "`log-format`: `xml` is invalid: one of text, json",
            ),
            ("config = \"other.toml\"\n", "`config` cannot be set"),
            (
                "[listen]\nport = 1\n",
                "`listen`: expected a string, found a table",
            ),
            ("listen = \n", "is not a valid TOML file"),
        ];
        for (text, expected) in cases {
            let (_f, path) = file(text);
            let err =
                parse(crate::Cli::command(), &args(&["server", "--config", &path])).unwrap_err();
            let ParseError::File(e) = err else {
                panic!("{text}: {err:?}")
            };
            assert!(e.message.contains(expected), "{text}: {}", e.message);
            assert!(e.message.contains(&path), "{text}: {}", e.message);
        }
    }
}
