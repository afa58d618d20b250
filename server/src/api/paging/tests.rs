use super::*;
use proptest::prelude::*;
use uuid::Uuid;

fn tokens(team: Option<&str>) -> Filters {
    Filters::new()
        .with("team", team)
        .with("status", Some("active"))
}

#[test]
fn a_cursor_continues_its_list_with_its_filters() {
    let key = ("alpha".to_string(), Uuid::now_v7());
    let c = encode(List::Tokens, &tokens(None), &key);
    assert!(c.len() < 200, "{c}");
    assert!(c
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let back: (String, Uuid) = decode(List::Tokens, &tokens(None), &c).unwrap();
    assert_eq!(back, key);
}

#[test]
fn another_list_or_other_filters_are_refused() {
    let c = encode(List::Tokens, &tokens(None), &("a".to_string(), Uuid::nil()));
    let e = decode::<(String, Uuid)>(List::Users, &tokens(None), &c).unwrap_err();
    assert!(
        e.0.contains("pages the tokens list, not the users list"),
        "{e}"
    );
    let e = decode::<(String, Uuid)>(List::Tokens, &tokens(Some("beta")), &c).unwrap_err();
    assert!(e.0.contains("other filters"), "{e}");
    // Leaving a filter out is a different filter from giving it.
    let absent = Filters::new().with("team", None::<&str>);
    let empty = Filters::new().with("team", Some(""));
    assert_ne!(absent.digest(), empty.digest());
    // A key of the wrong shape (another list's, by a forged envelope) too.
    let c = encode(List::Audit, &Filters::new(), &"not-a-uuid");
    assert!(decode::<Uuid>(List::Audit, &Filters::new(), &c).is_err());
}

#[test]
fn cut_altered_or_foreign_text_is_refused() {
    let c = encode(List::Teams, &Filters::new(), &"platform");
    for bad in [
        String::new(),
        "x".into(),
        c[..c.len() - 1].to_string(),
        format!("{c}A"),
        c.replace('A', "B"),
        "a".repeat(CURSOR_MAX + 1),
        "!!!!".into(),
        Uuid::now_v7().to_string(),
        URL_SAFE_NO_PAD.encode(br#"{"v":1,"list":"teams","filters":"","after":"x"}"#),
    ] {
        if bad == c {
            continue;
        }
        assert!(
            decode::<String>(List::Teams, &Filters::new(), &bad).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn limits_out_of_range_are_refused() {
    let pager = |limit| Pager::<String>::new(List::Teams, Filters::new(), limit, None);
    assert_eq!(pager(None).unwrap().fetch(), DEFAULT_PAGE + 1);
    assert_eq!(pager(Some(MAX_PAGE)).unwrap().fetch(), MAX_PAGE + 1);
    for bad in [0, MAX_PAGE + 1, u32::MAX] {
        assert!(
            matches!(pager(Some(bad)), Err(PageError::Limit(_))),
            "{bad}"
        );
    }
}

#[test]
fn a_page_has_a_cursor_only_when_a_further_row_exists() {
    let pager = Pager::<u32>::new(List::Teams, Filters::new(), Some(2), None).unwrap();
    let page = pager.page(vec![1, 2, 3], |n| *n);
    assert_eq!(page.items, vec![1, 2]);
    let next = page.next_cursor.expect("more rows");
    let pager = Pager::<u32>::new(List::Teams, Filters::new(), Some(2), Some(&next)).unwrap();
    assert_eq!(pager.after, Some(2));
    let last = pager.page(vec![3, 4], |n| *n);
    assert_eq!(last.next_cursor, None);
    let empty = pager.page(Vec::<u32>::new(), |n| *n);
    assert_eq!((empty.items.len(), empty.next_cursor), (0, None));
}

proptest! {
    /// Any text is either refused or decodes; nothing panics.
    #[test]
    fn decoding_never_panics(text in "\\PC{0,300}") {
        let _ = decode::<(String, Uuid)>(List::Tokens, &Filters::new(), &text);
    }

    /// Changing any one character of a cursor makes it refused.
    #[test]
    fn every_single_change_is_caught(
        name in "[a-z0-9-]{1,64}",
        at in any::<prop::sample::Index>(),
        with in "[A-Za-z0-9_-]",
    ) {
        let c = encode(List::Tokens, &tokens(None), &(name, Uuid::nil()));
        let i = at.index(c.len());
        let mut changed = c.clone().into_bytes();
        changed[i] = with.as_bytes()[0];
        let changed = String::from_utf8(changed).unwrap();
        prop_assume!(changed != c);
        prop_assert!(decode::<(String, Uuid)>(List::Tokens, &tokens(None), &changed).is_err());
    }

    /// Every cursor the server issues matches the pattern it documents.
    #[test]
    fn issued_cursors_match_the_documented_pattern(name in "\\PC{0,64}") {
        let c = encode(List::Tokens, &tokens(Some("x")), &(name, Uuid::now_v7()));
        let pattern = regex_lite::Regex::new(crate::api::input::schema::CURSOR).unwrap();
        prop_assert!(pattern.is_match(&c) && c.len() <= CURSOR_MAX);
    }
}
