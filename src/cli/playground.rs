//! `plaindnn playground`: start the local web server, print its URL, open a browser.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Args;
use plaindnn::playground::{self, ServeOptions};
use plaindnn::Result;

#[derive(Args, Debug)]
pub struct PlaygroundArgs {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8765)]
    port: u16,
    /// Address to listen on. Anything but loopback makes the page, and training on this machine,
    /// reachable by anyone who can reach this address.
    /// `localhost` is 127.0.0.1.
    #[arg(long, default_value = "127.0.0.1", value_parser = host_arg)]
    host: IpAddr,
    /// Print the URL without opening a browser.
    #[arg(long)]
    no_open: bool,
    /// Folder for the pages' run directories and uploads [default: plaindnn-playground in the
    /// system's temporary folder].
    #[arg(long, value_name = "DIR")]
    runs: Option<PathBuf>,
}

/// `--host`: an IP address, or `localhost` for 127.0.0.1 (as Jupyter's `--ip`); a name to look
/// up would bind wherever it happened to point.
fn host_arg(text: &str) -> std::result::Result<IpAddr, String> {
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::from([127, 0, 0, 1]));
    }
    text.parse().map_err(|_| {
        format!("`{text}` is not an IP address: give one of this machine's (127.0.0.1, or 0.0.0.0 for every one), or localhost")
    })
}

pub fn run(args: PlaygroundArgs) -> Result<()> {
    let runs_dir = args
        .runs
        .unwrap_or_else(|| std::env::temp_dir().join("plaindnn-playground"));
    let options = ServeOptions {
        host: args.host,
        port: args.port,
        runs_dir,
    };
    let open = !args.no_open;
    playground::serve(options, |url| {
        println!("plaindnn playground: {url}   (Ctrl-C stops it)");
        if !args.host.is_loopback() {
            println!(
                "warning: listening on {}: other machines can reach this page",
                args.host
            );
        }
        if open {
            open_browser(url);
        }
    })
}

/// Best effort: the system's URL opener, if there is one; nothing happens otherwise.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let mut command = std::process::Command::new(opener);
    let runtime = std::env::var_os("XDG_RUNTIME_DIR");
    if runtime.is_some_and(|dir| dir == plaindnn::backend::NO_SESSION_RUNTIME_DIR) {
        command.env_remove("XDG_RUNTIME_DIR"); // plaindnn's, not the session's
    }
    let _ = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
