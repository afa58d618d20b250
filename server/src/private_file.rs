//! Files only their owner may read (credentials, keys, the CLI's config):
//! written whole or not at all.

use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path`, readable and writable by the owner only,
/// creating the directory if needed. The bytes go to a temporary file in the
/// same directory (created with mode 0600), are synced, and the file is
/// renamed over `path`: a crash leaves the old file or the new one, never a
/// half-written one, and at no moment can other users read it.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(contents)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_whole_with_owner_only_access() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/credential");
        write_private(&path, b"first").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // An existing file readable by everyone is replaced, not reused.
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        write_private(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("credential")],
            "no temporary file left"
        );
    }
}
