//! Who the command line acts as (`--as NAME`), and `clearhouse user …`: the house's users.
//!
//! The command line is run on the house's machine by one of its users: `--as` (or
//! `CLEARHOUSE_USER`, default `operator`, the user `house init` makes) names it, and every
//! command that changes the house checks that it is an active user and records it in the audit
//! journal as `NAME (local)`, so the trail tells local use from the API's users. The house
//! checks the role where it matters (case decisions and reassignments, user management).

use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use house::users::{Role, USERS_PAGE_MAX};
use house::{House, Token, User};

use crate::house_cmd::{emit, open};
use crate::{Ctx, output};

/// Users listed per page unless `--limit` says otherwise.
const LIST_LIMIT_DEFAULT: usize = 100;

/// The user the command line acts as.
#[derive(Debug, Clone, Args)]
pub struct AsArg {
    /// The house user this command acts as: an active user of the house, recorded in the audit
    /// journal as `NAME (local)`; `house init` makes it the house's operator.
    #[arg(
        id = "acting_user",
        long = "as",
        alias = "actor",
        value_name = "NAME",
        env = "CLEARHOUSE_USER",
        default_value = "operator",
        global = true
    )]
    pub name: String,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user and print its API token, once: only a hash of it is kept (`--as` must be an
    /// operator).
    Add {
        /// The user's name, as the audit journal names it (never given to another user).
        name: String,
        /// participant, officer, supervisor, operator or auditor.
        #[arg(long)]
        role: String,
        /// The participant a user of role participant acts for (and only such a user).
        #[arg(long, value_name = "ID")]
        participant: Option<String>,
    },
    /// List users, oldest first, a page at a time.
    List {
        /// Start after this user (the last one of the page before).
        #[arg(long, value_name = "NAME")]
        after: Option<String>,
        /// Users per page, 1 to 1000.
        #[arg(long, default_value_t = LIST_LIMIT_DEFAULT)]
        limit: usize,
    },
    /// Revoke a user for good: its token and password stop working at once (`--as` must be an
    /// operator).
    Revoke {
        /// The user.
        name: String,
    },
    /// Give a user a new API token, printed once; its old token stops working at once (`--as`
    /// must be an operator, or the user itself).
    Token {
        /// The user.
        name: String,
    },
}

impl Ctx {
    /// The actor of a command that changes the house: the `--as` user, which must be an active
    /// user of it, as the audit journal records local use (`NAME (local)`).
    pub fn actor(&self, house: &House) -> anyhow::Result<String> {
        house.active_user(&self.user).with_context(|| {
            format!(
                "--as {:?}: the command line acts as an active user of the house (`clearhouse user list`)",
                self.user
            )
        })?;
        Ok(house::users::local_actor(&self.user))
    }
}

pub fn run(ctx: &Ctx, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let h = open(ctx, false)?;
    match cmd {
        UserCommand::Add {
            name,
            role,
            participant,
        } => {
            let role = Role::parse(&role)?;
            let actor = ctx.actor(&h)?;
            let (user, token) = h.add_user(&actor, &name, role, participant.as_deref())?;
            emit_token(ctx, "user", &user, &token)
        }
        UserCommand::List { after, limit } => list(ctx, &h, after.as_deref(), limit),
        UserCommand::Revoke { name } => {
            let user = h.revoke_user(&ctx.actor(&h)?, &name)?;
            emit(ctx, "user", &user, user_text)
        }
        UserCommand::Token { name } => {
            let token = h.new_token(&ctx.actor(&h)?, &name)?;
            let user = h.user(&name)?;
            emit_token(ctx, "user", &user, &token)
        }
    }
}

/// One page of users; when it is full, how to ask for the next (a `next` line under `--json`).
fn list(ctx: &Ctx, h: &House, after: Option<&str>, limit: usize) -> anyhow::Result<ExitCode> {
    if !(1..=USERS_PAGE_MAX).contains(&limit) {
        anyhow::bail!("--limit {limit}: 1 to {USERS_PAGE_MAX} users a page");
    }
    let page = h.users(after, limit)?;
    for user in &page {
        emit(ctx, "user", user, user_text)?;
    }
    if let Some(last) = page.last().filter(|_| page.len() == limit) {
        if ctx.json {
            output::json_line(
                &serde_json::json!({ "type": "next", "data": { "after": last.name } }),
            )?;
        } else {
            output::line(&format!("… more: --after {}", last.name))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A user with its new token: the only time the token is shown.
fn emit_token(ctx: &Ctx, kind: &str, user: &User, token: &Token) -> anyhow::Result<ExitCode> {
    if ctx.json {
        let mut data = serde_json::to_value(user)?;
        data["token"] = token.reveal().into();
        output::json_line(&serde_json::json!({ "type": kind, "data": data }))?;
    } else {
        output::line(&user_text(user))?;
        output::line(&format!(
            "API token {} (shown once, keep it secret; only a hash of it is kept):\n{}",
            token.id(),
            token.reveal()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn user_text(u: &User) -> String {
    format!(
        "{:<24} {:<11} {:<8} {:<16} token {}{}",
        u.name,
        u.role.as_str(),
        u.status.as_str(),
        u.participant.as_deref().unwrap_or("-"),
        u.token_id.as_deref().unwrap_or("-"),
        if u.password_set_at.is_some() {
            ", password set"
        } else {
            ""
        }
    )
}
