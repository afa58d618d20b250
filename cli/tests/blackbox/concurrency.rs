//! Concurrent writers: uniqueness holds under contention.

use crate::common::finish;
use crate::on_both_backends;
use std::process::Stdio;

on_both_backends! {
    fn fifty_parallel_creates_with_one_name_give_one_success(srv) {
        let cli = srv.cli();
        let children: Vec<_> = (0..50)
            .map(|_| {
                cli.command(&["token", "create", "--name", "contested", "--scope", "*", "-o", "json"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let runs: Vec<_> = children.into_iter().map(|c| finish(c.wait_with_output().unwrap())).collect();
        let ok = runs.iter().filter(|r| r.code == 0).count();
        let conflicts = runs.iter().filter(|r| r.code == 5).count();
        let others: Vec<_> = runs.iter().filter(|r| r.code != 0 && r.code != 5).collect();
        assert!(others.is_empty(), "unexpected outcomes: {others:?}");
        assert_eq!((ok, conflicts), (1, 49));
        let all = cli.json(&["token", "list", "--status", "all"]);
        assert_eq!(all.as_array().unwrap().len(), 1);
        let creates = cli.json(&["audit", "list", "--action", "token.create"]);
        assert_eq!(creates.as_array().unwrap().len(), 1, "no audit row for failed creates");
    }

    fn concurrent_updates_of_one_token_lose_nothing(srv) {
        let cli = srv.cli();
        for i in 0..10 {
            cli.json(&["route", "add", &format!("r{i}"), "--all-teams", "--path", &format!("/r{i}"), "--upstream", "http://127.0.0.1:1"]);
        }
        cli.json(&["token", "create", "--name", "shared", "--scope", "*"]);
        let children: Vec<_> = (0..10)
            .map(|i| {
                cli.command(&["token", "update", "shared", "--add-scope", &format!("r{i}")])
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            finish(c.wait_with_output().unwrap()).ok();
        }
        let scopes = cli.json(&["token", "show", "shared"])["scopes"].as_array().unwrap().len();
        assert_eq!(scopes, 11, "every concurrent --add-scope must survive");
    }
}
