//! `tokenctl price …`: what models cost, for the costs in usage reports.

use crate::client::{Client, Globals};
use crate::error::CliResult;
use crate::output;
use tokenctl_server::api::{input, ModelPrice, SetPrice};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Set a model's price in USD per million input and output tokens
    #[command(after_long_help = "\
Examples:
  tokenctl price set gpt-4o --in 2.50 --out 10
  tokenctl price set gpt-4o-mini --in 0.15 --out 0.60 --from 2026-11-01

The model is the name the provider's responses carry (gpt-4o-2024-08-06 for a request that
asked for gpt-4o): price each name your routes report (see `tokenctl usage`, whose JSON lists
the calls of unpriced models as `unpriced_calls`).

Prices are exact decimals (at most 6 places: micro-dollars), never rounded through floating
point. Earlier prices are kept: a report prices each bucket with the price in force at its
start, so changing a price never changes what past calls cost. Global admins only; audited.

The flags are --in and --out rather than --input and --output because -o/--output is every
command's output format (table, json, jsonl).")]
    Set(SetArgs),
    /// List the priced models, each with its price in force now
    List,
    /// Show a model's prices, newest first
    History {
        /// The model, as priced
        model: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// The model, as the provider names it in its responses
    model: String,
    /// USD per million input tokens, e.g. 2.50
    #[arg(long = "in", value_name = "USD_PER_1M")]
    input: String,
    /// USD per million output tokens, e.g. 10
    #[arg(long = "out", value_name = "USD_PER_1M")]
    output: String,
    /// From when the price applies: a date or an RFC 3339 time (default: now)
    #[arg(long = "from", value_name = "WHEN")]
    from: Option<String>,
}

fn validate(command: &Command) -> CliResult {
    match command {
        Command::Set(a) => {
            input::model(&a.model)?;
            input::price_usd("input price", &a.input)?;
            input::price_usd("output price", &a.output)?;
        }
        Command::History { model } => {
            input::model(model)?;
        }
        Command::List => {}
    }
    Ok(())
}

fn row(p: &ModelPrice) -> Vec<String> {
    vec![
        p.model.clone(),
        p.input_usd_per_1m.clone(),
        p.output_usd_per_1m.clone(),
        output::when(Some(p.effective_from), ""),
        p.set_by.clone().unwrap_or_else(|| "-".into()),
    ]
}

const HEADER: &[&str] = &["MODEL", "INPUT $/1M", "OUTPUT $/1M", "FROM", "SET BY"];

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    validate(&command)?;
    let client = Client::connect(g).await?;
    match command {
        Command::Set(a) => {
            let body = SetPrice {
                model: a.model,
                input_usd_per_1m: a.input,
                output_usd_per_1m: a.output,
                effective_from: a.from,
            };
            let price: ModelPrice = client.post("/v1/prices", &[], &body).await?;
            out.print_or(&price, || {
                println!(
                    "Price of `{}` set: USD {} per million input tokens, USD {} per million output tokens, from {}.",
                    price.model,
                    price.input_usd_per_1m,
                    price.output_usd_per_1m,
                    output::when(Some(price.effective_from), "")
                );
            });
        }
        Command::List => {
            let prices: Vec<ModelPrice> = client.get("/v1/prices", &[]).await?;
            out.print_list(
                &prices,
                Some("No prices yet. Set one with `tokenctl price set MODEL --in USD --out USD`."),
                HEADER,
                row,
            );
        }
        Command::History { model } => {
            let prices: Vec<ModelPrice> = client
                .get("/v1/prices/history", &[("model", model.clone())])
                .await?;
            out.print_list(&prices, Some("This model has no price."), HEADER, row);
        }
    }
    Ok(())
}
