//! The Spark example (`examples/spark/`) in Spark's local mode: it must give the bytes of
//! `mtfix fix` on the same articles as files. Needs Java and pyspark: the Python is
//! `MTFIX_SPARK_PYTHON` (as `.ci/run` sets it, a virtual environment with pyspark,
//! pyarrow and pandas), else
//! `python3`. Without them the test says so and passes, except under CI (`CI` set), where
//! it fails.

use std::path::Path;
use std::process::Command;

#[test]
// The skip is said on stderr: a test that passes without running must say so.
#[allow(clippy::print_stderr)]
fn the_spark_job_gives_the_bytes_of_fix() {
    let python = std::env::var("MTFIX_SPARK_PYTHON").unwrap_or_else(|_| "python3".into());
    let has = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .is_ok_and(|out| out.status.success())
    };
    let missing = match (
        has(&python, &["-c", "import pyspark, pyarrow, pandas"]),
        has("java", &["-version"]),
    ) {
        (true, true) => None,
        (false, _) => Some(format!(
            "`{python}` cannot import pyspark, pyarrow and pandas"
        )),
        (true, false) => Some("no `java`".to_owned()),
    };
    if let Some(missing) = missing {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the Spark test, but {missing} (see .ci/run)"
        );
        eprintln!("skipped: {missing}; set MTFIX_SPARK_PYTHON to a Python with them (see .ci/run)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = Command::new(&python)
        .arg(root.join("examples/spark/check_local.py"))
        .args(["--mtfix", env!("CARGO_BIN_EXE_mtfix"), "--articles", "2000"])
        .current_dir(root)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("identical to mtfix fix"), "{stdout}");
}
