//! Every argument of every command has a help line, and the global options are listed apart
//! under their own heading.

use clap::CommandFactory;

use crate::{Cli, GLOBAL_OPTIONS};

/// Calls `each` with every command (its path from `clearhouse`) and every argument it shows.
fn walk(command: &clap::Command, path: &str, each: &mut impl FnMut(&str, &clap::Arg)) {
    for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
        each(path, arg);
    }
    for sub in command.get_subcommands() {
        walk(sub, &format!("{path} {}", sub.get_name()), each);
    }
}

#[test]
fn every_argument_has_help_and_global_options_are_listed_apart() {
    let mut command = Cli::command();
    command.build();
    let global: Vec<String> = command
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ["database_url", "json", "lists_dir", "prices"] {
        assert!(global.iter().any(|g| g == id), "--{id} is not global");
    }
    let mut missing = Vec::new();
    let mut misplaced = Vec::new();
    let mut arguments = 0;
    walk(&command, "clearhouse", &mut |path, arg| {
        arguments += 1;
        let help = arg.get_help().or(arg.get_long_help());
        if help.is_none_or(|h| h.to_string().trim().is_empty()) {
            missing.push(format!("{path}: {}", arg.get_id()));
        }
        if arg.is_global_set() != (arg.get_help_heading() == Some(GLOBAL_OPTIONS)) {
            misplaced.push(format!("{path}: {}", arg.get_id()));
        }
    });
    assert!(arguments > 100, "only {arguments} arguments walked");
    assert!(missing.is_empty(), "arguments without help: {missing:#?}");
    assert!(
        misplaced.is_empty(),
        "global options outside, or other options under, {GLOBAL_OPTIONS:?}: {misplaced:#?}"
    );
}
