//! One function per line of the behaviour table. Each takes the chapter it
//! runs against and asserts what *that* chapter's row says.

// A function that is neither a test nor used by one fails the build:
// no behaviour can be written and then never run.
#![deny(dead_code)]
// `figment::Jail` closures must return `figment::Error`, which is large.
#![allow(clippy::result_large_err)]

use rocket::figment::providers::{Format, Toml};
use rocket::figment::{Figment, Jail};
use rocket::http::{Cookie, Status};
use rocket::time::Duration;

use behaviour_suite::*;
use launcher::app;
use rstest::rstest;
use rstest_reuse::apply;
use tutorial::chapter::figment;
use tutorial::config::SessionConfig;
use tutorial::store::file::FileStoreConfig;
use tutorial::store::redis::RedisStoreConfig;
use tutorial::ManualClock;
use tutorial::{Chapter, CookieExpiry, Storage};

const HOSTILE_NEXT: &[&str] = &[
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "//evil.example/about",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "data:text/html,<h1>hi</h1>",
    "None",
    "about",
    " /about",
    "/\t/evil.example",
];

// ---------------------------------------------------------------- configuration

#[apply(every_chapter)]
fn chapter_has_its_own_port_and_cookie(#[case] chapter: Chapter) {
    // Four chapters side by side on 127.0.0.1 share one cookie jar per host:
    // only distinct cookie names keep them apart.
    assert_eq!(chapter.default_port, 8000 + u16::from(chapter.number));
    assert_eq!(chapter.cookie_name(), format!("chapter{}_session", chapter.number));
}

#[apply(every_chapter)]
fn defaults_come_from_the_chapter(#[case] chapter: Chapter) {
    Jail::expect_with(|jail| {
        clear_rocket_env(jail);
        let figment = figment(&chapter);
        let rocket: rocket::Config = figment.extract()?;
        let sessions: SessionConfig = chapter.sessions.extract(&figment)?;
        let files: FileStoreConfig = chapter.sessions.extract(&figment)?;
        assert_eq!(rocket.port, chapter.default_port);
        assert_eq!(rocket.address.to_string(), "127.0.0.1");
        let (idle, absolute, remember) = match chapter.cookie_expiry() {
            CookieExpiry::AtBrowserClose => (31 * 24 * 3600, 12 * 3600, None),
            CookieExpiry::SlidingLifetime => (300, 12 * 3600, None),
            CookieExpiry::ChosenAtSignIn { .. } => (1800, 30 * 24 * 3600, Some(14 * 24 * 3600)),
        };
        assert_eq!(sessions.session_lifetime, idle);
        assert_eq!(sessions.session_absolute_lifetime, absolute);
        assert_eq!(sessions.remember_lifetime, remember);
        // Without a Rocket.toml, relative to the working directory.
        assert_eq!(
            files.store_dir(&chapter.sessions),
            std::path::Path::new("sessions").join(chapter.store_folder())
        );
        Ok(())
    });
}

#[apply(every_chapter)]
fn rocket_toml_and_environment_override_the_defaults(#[case] chapter: Chapter) {
    Jail::expect_with(|jail| {
        clear_rocket_env(jail);
        jail.create_file(
            "Rocket.toml",
            "[default]\nsession_lifetime = 42\nsession_absolute_lifetime = 420\n\
             remember_lifetime = 4200\nsession_dir = \"from-toml\"\n",
        )?;
        let sessions: SessionConfig = chapter.sessions.extract(&figment(&chapter))?;
        let files: FileStoreConfig = chapter.sessions.extract(&figment(&chapter))?;
        assert_eq!(sessions.session_lifetime, 42);
        assert_eq!(sessions.session_absolute_lifetime, 420);
        assert_eq!(sessions.remember_lifetime, Some(4200));
        // Relative to the folder of `Rocket.toml`, the jail's (named as the
        // working folder, not `jail.directory()`, which Windows spells `\\?\C:\…`).
        assert_eq!(
            files.store_dir(&chapter.sessions),
            std::env::current_dir().unwrap().join("from-toml").join(chapter.store_folder())
        );

        jail.set_env("ROCKET_PORT", 9100);
        jail.set_env("ROCKET_SESSION_LIFETIME", 7);
        jail.set_env("ROCKET_SESSION_ABSOLUTE_LIFETIME", 70);
        jail.set_env("ROCKET_REMEMBER_LIFETIME", 700);
        jail.set_env("ROCKET_SESSION_DIR", "/tmp/from-env");
        let figment = figment(&chapter);
        let rocket: rocket::Config = figment.extract()?;
        let sessions: SessionConfig = chapter.sessions.extract(&figment)?;
        let files: FileStoreConfig = chapter.sessions.extract(&figment)?;
        assert_eq!(rocket.port, 9100);
        assert_eq!(sessions.session_lifetime, 7);
        assert_eq!(sessions.session_absolute_lifetime, 70);
        assert_eq!(sessions.remember_lifetime, Some(700));
        assert_eq!(sessions.expiry_policy().absolute_lifetime, Duration::seconds(70));
        assert_eq!(
            files.store_dir(&chapter.sessions),
            std::path::Path::new("/tmp/from-env").join(chapter.store_folder())
        );
        Ok(())
    });
}

#[apply(every_chapter)]
fn the_sessions_table_sets_the_same_keys(#[case] chapter: Chapter) {
    Jail::expect_with(|jail| {
        clear_rocket_env(jail);
        jail.create_file(
            "Rocket.toml",
            "[default.sessions]\nlifetime = 42\nabsolute_lifetime = 420\n\
             remember_lifetime = 4200\ndir = \"from-table\"\nkey_prefix = \"t:\"\n",
        )?;
        let sessions: SessionConfig = chapter.sessions.extract(&figment(&chapter))?;
        let files: FileStoreConfig = chapter.sessions.extract(&figment(&chapter))?;
        let redis: RedisStoreConfig = chapter.sessions.extract(&figment(&chapter))?;
        assert_eq!(sessions.session_lifetime, 42);
        assert_eq!(sessions.session_absolute_lifetime, 420);
        assert_eq!(sessions.remember_lifetime, Some(4200));
        assert_eq!(redis.session_key_prefix, "t:");
        // Relative to the folder of `Rocket.toml`, as a key of its own is.
        assert_eq!(
            files.store_dir(&chapter.sessions),
            std::env::current_dir().unwrap().join("from-table").join(chapter.store_folder())
        );

        // The short variable the book names still wins over the table.
        jail.set_env("ROCKET_SESSION_LIFETIME", 7);
        let sessions: SessionConfig = chapter.sessions.extract(&figment(&chapter))?;
        assert_eq!((sessions.session_lifetime, sessions.session_absolute_lifetime), (7, 420));

        // And the table in the environment, as Rocket reads nested values.
        jail.set_env("ROCKET_SESSIONS", "{absolute_lifetime=77}");
        let sessions: SessionConfig = chapter.sessions.extract(&figment(&chapter))?;
        assert_eq!(sessions.session_absolute_lifetime, 77);
        Ok(())
    });
}

#[apply(every_chapter)]
fn a_sessions_table_with_an_unknown_key_stops_the_launch(#[case] chapter: Chapter) {
    Jail::expect_with(|jail| {
        clear_rocket_env(jail);
        jail.create_file("Rocket.toml", "[default.sessions]\nlifetme = 42\n")?;
        let error = chapter.sessions.extract::<SessionConfig>(&figment(&chapter)).unwrap_err();
        assert!(error.to_string().contains("lifetme"), "{error}");
        Ok(())
    });
}

#[apply(every_chapter)]
fn release_build_without_secret_key_refuses_to_launch(#[case] chapter: Chapter) {
    Jail::expect_with(|jail| {
        clear_rocket_env(jail);
        jail.create_file("Rocket.toml", &format!("[default]\ntemplate_dir = \"{TEMPLATES}\"\n"))?;
        jail.set_env("ROCKET_PROFILE", "release");
        let error = rocket::execute(app(chapter).ignite()).expect_err("no secret key in release");
        assert!(
            matches!(error.kind(), rocket::error::ErrorKind::InsecureSecretKey(_)),
            "refused for the missing key, not for {error}"
        );
        jail.set_env("ROCKET_SECRET_KEY", "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=");
        rocket::execute(app(chapter).ignite()).expect("launches once ROCKET_SECRET_KEY is set");
        Ok(())
    });
}

#[apply(every_chapter)]
fn development_key_is_refused_outside_debug(#[case] chapter: Chapter) {
    use tutorial::secret_key::DEVELOPMENT_SECRET_KEY;
    // The library's copy of the key is the one in the repository's Rocket.toml,
    // and Rocket.toml labels it as public.
    let toml = std::fs::read_to_string(ROCKET_TOML).expect("the repository's Rocket.toml");
    let from_repo = || Figment::from(Toml::string(&toml).nested());
    let debug = from_repo().select("debug");
    assert_eq!(debug.extract_inner::<String>("secret_key").unwrap(), DEVELOPMENT_SECRET_KEY);
    let label = toml.find("DEVELOPMENT ONLY -- NOT A SECRET").expect("the key is labelled");
    assert!(label < toml.find(DEVELOPMENT_SECRET_KEY).unwrap(), "the label comes first");
    let release = from_repo().select("release");
    assert!(release.find_value("secret_key").is_err(), "[release] carries no key");

    let hex_form: String = {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD.decode(DEVELOPMENT_SECRET_KEY);
        bytes.unwrap().iter().map(|b| format!("{b:02x}")).collect()
    };
    Jail::expect_with(|jail| {
        clear_rocket_env(jail);
        jail.create_file("Rocket.toml", &format!("[default]\ntemplate_dir = \"{TEMPLATES}\"\n"))?;
        let session_dir = jail.directory().display().to_string();
        jail.set_env("ROCKET_SESSION_DIR", session_dir);
        // In debug the public key is what makes restarts keep sessions.
        jail.set_env("ROCKET_SECRET_KEY", DEVELOPMENT_SECRET_KEY);
        rocket::execute(app(chapter).ignite()).expect("the development key works in debug");
        jail.set_env("ROCKET_PROFILE", "release");
        for key in [DEVELOPMENT_SECRET_KEY, hex_form.as_str()] {
            jail.set_env("ROCKET_SECRET_KEY", key);
            let error = rocket::execute(app(chapter).ignite()).expect_err("refused in release");
            assert!(
                matches!(error.kind(), rocket::error::ErrorKind::FailedFairings(f)
                    if f.iter().any(|f| f.name == "Refuse the development key")),
                "refused because of the development key, not for {error}"
            );
        }
        Ok(())
    });
}

// ---------------------------------------------------------------- pages and navigation

#[apply(every_chapter)]
fn public_pages_render_for_anyone(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    for path in ["/", "/home", "/products", "/login", "/logout"] {
        let response = app.get(path);
        assert_eq!(response.status(), Status::Ok, "GET {path}");
        assert!(set_cookies(&response).is_empty(), "no cookie for a visitor on {path}");
        let body = response.into_string().unwrap();
        assert_signed_out(&body);
        assert!(
            body.contains(&format!("chapter {}: {}", chapter.number, chapter.section)),
            "panel"
        );
    }
    let products = app.page("/products");
    for product in ["Sofas", "Chairs", "Tables", "Swings"] {
        assert!(products.contains(&format!("<li>{product}</li>")), "{product}");
    }
}

#[apply(every_chapter)]
fn protected_pages_send_visitors_to_sign_in(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    for path in ["/about", "/contact"] {
        assert_is_redirect_to(&app.get(path), &format!("/login?next={path}"));
    }
}

#[apply(every_chapter)]
fn login_form_keeps_only_a_local_next(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let form = app.page("/login?next=/about");
    assert_eq!(hidden_next(&form), "/about");
    assert!(
        form.contains("the password is not checked"),
        "the page says passwords are not checked"
    );
    for next in HOSTILE_NEXT {
        let form = app.page(&format!("/login?next={}", encode(next)));
        assert_eq!(hidden_next(&form), "", "{next}");
    }
}

#[apply(every_chapter)]
fn sign_in_returns_to_the_page_that_asked(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    for page in ["/about", "/contact"] {
        assert_is_redirect_to(&app.get(page), &format!("/login?next={page}"));
        assert_is_redirect_to(&app.post_login("ada", Some(page)), page);
        assert_signed_in_as(&app.page(page), "ada");
        app.post_logout();
    }
}

#[apply(every_chapter)]
fn sign_in_without_next_goes_home(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    assert_is_redirect_to(&app.post_login("ada", None), "/home");
    assert_is_redirect_to(&app.post_login("ada", Some("")), "/home");
    assert_signed_in_as(&app.page("/home"), "ada");
}

#[apply(every_chapter)]
fn sign_in_never_follows_a_foreign_next(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    for next in HOSTILE_NEXT {
        assert_is_redirect_to(&app.post_login("ada", Some(next)), "/home");
    }
}

// ---------------------------------------------------------------- signing in

#[apply(every_chapter)]
fn sign_in_holds_the_tutorial_data(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    app.sign_in("  ada lovelace ");
    let home = app.page("/home");
    assert_signed_in_as(&home, "ada lovelace");
    assert!(
        home.contains("user_name = <code>ada lovelace</code>, lang = <code>en</code>, theme = <code>dark</code>"),
        "the panel shows the session data: {home}"
    );
    assert!(home.contains(r#"<body class="dark">"#), "theme dark is applied");
}

#[apply(every_chapter)]
fn bad_usernames_rerender_the_form_and_set_no_session(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let too_long = "a".repeat(65);
    let cases = [
        ("", "Please enter a username."),
        ("   ", "Please enter a username."),
        (too_long.as_str(), "A username can be at most 64 characters long."),
        ("a\u{7}b", "A username cannot contain control characters."),
    ];
    for (username, message) in cases {
        let response = app.post_login(username, Some("/about"));
        assert_eq!(response.status(), Status::UnprocessableEntity, "{username:?}");
        assert!(set_cookies(&response).is_empty(), "no session for {username:?}");
        let body = response.into_string().unwrap();
        assert!(body.contains(message), "{username:?}: {body}");
        assert_eq!(hidden_next(&body), "/about", "next survives the retry");
        assert!(body.contains(r#"<form action="/login" method="post">"#), "the form again");
    }
    let form = app.post_form("/login", "password=x".into());
    assert_eq!(form.status(), Status::UnprocessableEntity, "a missing username is an empty one");
    assert!(app.records().is_empty(), "nothing was stored");
    assert_is_redirect_to(&app.get("/about"), "/login?next=/about");
    let longest = "é".repeat(64);
    app.sign_in(&longest);
    assert_signed_in_as(&app.page("/home"), &longest);
}

// ---------------------------------------------------------------- the cookie

/// Asserts the attributes every session cookie of `chapter` carries, for
/// a sign-in that answered `remember` to "Keep me signed in".
fn assert_chapter_cookie(chapter: &Chapter, app: &TestApp, cookie: &Cookie<'_>, remember: bool) {
    assert_eq!(cookie.name(), chapter.cookie_name());
    assert_eq!(cookie.http_only(), Some(true), "HttpOnly: page scripts cannot read it");
    assert_eq!(cookie.same_site(), Some(rocket::http::SameSite::Lax), "SameSite=Lax");
    assert_eq!(cookie.path(), Some("/"));
    assert_eq!(cookie.secure(), None, "no Secure over plain HTTP");
    match cookie_lifetime(chapter, remember) {
        None => {
            assert_eq!(cookie.max_age(), None, "a browser-session cookie has no Max-Age");
            assert_eq!(cookie.expires(), None, "a browser-session cookie has no Expires");
        }
        Some(lifetime) => {
            assert_eq!(cookie.max_age(), Some(lifetime), "Max-Age is the cookie's lifetime");
            // `Expires` is a date to the second.
            let expires = (app.now() + lifetime).replace_nanosecond(0).unwrap();
            assert_eq!(cookie.expires_datetime(), Some(expires), "a matching Expires");
        }
    }
}

#[apply(every_chapter)]
fn session_cookie_has_the_chapter_attributes(#[case] chapter: Chapter) {
    for &remember in remember_choices(&chapter) {
        let app = TestApp::launch(chapter);
        let cookie = app.sign_in_choosing("ada", remember);
        assert_chapter_cookie(&chapter, &app, &cookie, remember);
        assert!(!cookie.value().contains("ada"), "the cookie never shows the data in clear");
    }
}

// ANCHOR: shows_nothing
/// The cookie hides the session, not only guards it. No decoding a reader
/// could try shows the data: not the value as it is, nor percent-decoded,
/// nor base64 (either alphabet, padded or not) of it or of any of its
/// `.`-separated parts, which is how a Flask-style signed cookie is read.
/// And two cookies for the same data at the same moment differ (a fresh
/// nonce in every seal, a fresh id on the server): the value does not even
/// tell whether two sessions hold the same thing.
#[apply(every_chapter)]
fn the_cookie_shows_nothing_of_the_session(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let first = app.sign_in("ada");
    app.post_logout();
    let second = app.sign_in("ada");
    for value in [first.value(), second.value()] {
        for decoded in readings(value) {
            let shown = String::from_utf8_lossy(&decoded).into_owned();
            assert!(!shown.contains("ada"), "{value} reads as {shown}");
        }
    }
    assert_ne!(first.value(), second.value(), "the same data, sealed twice");
}
// ANCHOR_END: shows_nothing

/// What someone who holds a cookie value can read out of it without a key.
fn readings(value: &str) -> Vec<Vec<u8>> {
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    use base64::engine::DecodePaddingMode;
    use base64::{alphabet, Engine};
    let lenient = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    let engines = [
        GeneralPurpose::new(&alphabet::STANDARD, lenient),
        GeneralPurpose::new(&alphabet::URL_SAFE, lenient),
    ];
    let percent_decoded = rocket::http::RawStr::new(value).percent_decode_lossy().into_owned();
    let mut readings = vec![value.as_bytes().to_vec(), percent_decoded.as_bytes().to_vec()];
    for text in [value, &percent_decoded] {
        for part in std::iter::once(text).chain(text.split('.')) {
            for engine in &engines {
                readings.extend(engine.decode(part).ok());
            }
        }
    }
    readings
}

#[apply(every_chapter)]
fn every_signed_in_response_keeps_the_cookie_expiry(#[case] chapter: Chapter) {
    for &remember in remember_choices(&chapter) {
        let app = TestApp::launch(chapter);
        app.sign_in_choosing("ada", remember);
        let step = default_policy(&chapter).refresh_step;
        for path in ["/home", "/about", "/contact", "/products", "/login", "/logout", "/sessions"] {
            app.wait_for(step);
            let response = app.get(path);
            assert_eq!(response.status(), Status::Ok, "{path}");
            let refreshed = session_cookie(&chapter, &response);
            let persistent = cookie_lifetime(&chapter, remember).is_some();
            match (chapter.storage(), persistent) {
                // The id in the cookie never changes and never expires: nothing to send.
                (Storage::ServerFiles | Storage::Redis | Storage::AppStore, false) => {
                    assert!(refreshed.is_none(), "{path}: no Set-Cookie needed")
                }
                // A sliding cookie, or a sealed timestamp due for a refresh, is re-issued.
                (Storage::SealedCookie, _) | (_, true) => {
                    assert_chapter_cookie(&chapter, &app, &refreshed.expect("re-issued"), remember)
                }
            }
        }
    }
}

/// The cheap path: within one refresh step (1% of the lifetime, at most a
/// minute) nothing is re-sealed or rewritten; a sliding cookie still gets
/// its fresh `Max-Age`, with the same value.
#[apply(every_chapter)]
fn activity_is_recorded_once_per_refresh_step(#[case] chapter: Chapter) {
    for &remember in remember_choices(&chapter) {
        activity_is_recorded_once_per_refresh_step_for(chapter, remember);
    }
}

fn activity_is_recorded_once_per_refresh_step_for(chapter: Chapter, remember: bool) {
    let app = TestApp::launch(chapter);
    let signed_in = app.sign_in_choosing("ada", remember);
    let record = || app.records().first().and_then(|name| app.record(name));
    let written = record();
    let step = default_policy(&chapter).refresh_step;

    app.wait_for(step / 2);
    let response = app.get("/about");
    assert_eq!(response.status(), Status::Ok);
    let reissued = session_cookie(&chapter, &response);
    assert_eq!(record(), written, "the record is only read");
    match cookie_lifetime(&chapter, remember) {
        None => assert!(reissued.is_none(), "nothing to send"),
        Some(_) => {
            let reissued = reissued.expect("the expiry slides on every response");
            assert_eq!(reissued.value(), signed_in.value(), "the same value");
            assert_chapter_cookie(&chapter, &app, &reissued, remember);
        }
    }

    app.wait_for(step / 2);
    let response = app.get("/about");
    let reissued = session_cookie(&chapter, &response);
    match chapter.storage() {
        Storage::SealedCookie => {
            let resealed = reissued.expect("a step later, the activity is sealed in");
            assert_ne!(resealed.value(), signed_in.value());
            assert_chapter_cookie(&chapter, &app, &resealed, remember);
        }
        Storage::ServerFiles | Storage::Redis | Storage::AppStore => {
            let record: serde_json::Value = serde_json::from_slice(&record().unwrap()).unwrap();
            let last_seen = rocket::time::OffsetDateTime::parse(
                record["last_seen"].as_str().unwrap(),
                &rocket::time::format_description::well_known::Rfc3339,
            )
            .unwrap();
            assert_eq!(last_seen, app.now(), "a step later, the record is rewritten");
        }
    }
}

/// The idle limit counts from the last *recorded* activity, so a session
/// may end up to one refresh step early, never late.
#[apply(every_chapter)]
fn idle_limit_counts_from_the_recorded_activity(#[case] chapter: Chapter) {
    let app = TestConfig::new(chapter).without_absolute_limit().launch();
    let lifetime = chapter.default_session_lifetime();
    let step = default_policy(&chapter).refresh_step;
    app.sign_in("ada");
    app.wait_for(step / 2);
    assert_signed_in_as(&app.page("/home"), "ada"); // not recorded: within the step
    app.wait_for(lifetime - step / 2 - Duration::milliseconds(1));
    assert_signed_in_as(&app.page("/home"), "ada"); // recorded now
    app.wait_for(lifetime);
    assert_is_redirect_to(&app.get("/about"), "/login?next=/about");
}

#[apply(every_chapter)]
fn where_the_data_lives(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let cookie = app.sign_in("ada");
    match chapter.storage() {
        Storage::SealedCookie => {
            assert!(app.records().is_empty(), "the server stores nothing");
            assert!(tutorial::store::SessionId::parse(cookie.value()).is_none());
            assert!(cookie.value().len() > 60, "the cookie carries the sealed session");
        }
        Storage::ServerFiles | Storage::Redis | Storage::AppStore => {
            let id = tutorial::store::SessionId::parse(cookie.value())
                .expect("the cookie is just an id");
            let records = app.records();
            assert_eq!(records, vec![app.record_name_of(&id)], "one record, named by hash");
            let record: serde_json::Value =
                serde_json::from_slice(&app.record(&records[0]).unwrap()).unwrap();
            assert_eq!(record["user_name"], "ada");
            assert_eq!(record["lang"], "en");
            assert_eq!(record["theme"], "dark");
            let home = app.page("/home");
            assert!(home.contains(&id.hashed()), "the panel names the record");
        }
    }
}

// ---------------------------------------------------------------- expiry

#[apply(every_chapter)]
fn activity_within_the_lifetime_keeps_the_session(#[case] chapter: Chapter) {
    // The idle limit alone: chapters 1 and 2 end every session after 12
    // hours, long before 31 days (see `absolute_limit.rs`).
    let app = TestConfig::new(chapter).without_absolute_limit().launch();
    app.sign_in("ada");
    let lifetime = chapter.default_session_lifetime().whole_seconds();
    for _ in 0..3 {
        app.wait(lifetime - 1);
        assert_signed_in_as(&app.page("/about"), "ada");
    }
}

// ANCHOR: idle_past
#[apply(every_chapter)]
fn idle_past_the_lifetime_is_refused_by_the_server(#[case] chapter: Chapter) {
    let app = TestConfig::new(chapter).without_absolute_limit().launch();
    app.sign_in("ada");
    app.wait(chapter.default_session_lifetime().whole_seconds());
    // The tracked client ignores Max-Age and replays the cookie, as a
    // careless or malicious browser may: the server must refuse it itself.
    let response = app.get("/about");
    assert_is_redirect_to(&response, "/login?next=/about");
    assert!(is_removal(&session_cookie(&chapter, &response).expect("the cookie is removed")));
    assert_signed_out(&app.page("/home"));
    app.assert_records_deleted("no record outlives its session");
}
// ANCHOR_END: idle_past

#[apply(every_chapter)]
fn configured_lifetime_drives_expiry(#[case] chapter: Chapter) {
    let app = TestConfig::new(chapter).lifetime(7).launch();
    let cookie = app.sign_in("ada");
    if chapter.cookie_expiry() == CookieExpiry::SlidingLifetime {
        assert_eq!(cookie.max_age(), Some(Duration::seconds(7)));
    }
    app.wait(6);
    assert_signed_in_as(&app.page("/home"), "ada");
    app.wait(7);
    assert_signed_out(&app.page("/home"));
    assert!(app.page("/home").contains("7 seconds"), "the panel states the configured lifetime");
}

// ---------------------------------------------------------------- signing out

#[apply(every_chapter)]
fn sign_out_removes_the_cookie_and_the_record(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    app.sign_in("ada");
    let response = app.post_logout();
    assert_is_redirect_to(&response, "/logout");
    assert!(is_removal(&session_cookie(&chapter, &response).expect("removed")));
    app.assert_records_deleted("the record is deleted");
    let page = app.page("/logout");
    assert_signed_out(&page);
    assert!(page.contains("Signed Out!!!"));
    assert_is_redirect_to(&app.get("/about"), "/login?next=/about");
}

// ANCHOR: stolen_cookie
#[apply(every_chapter)]
fn stolen_cookie_after_sign_out(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let stolen = app.sign_in("ada");
    app.post_logout();
    let replayed = app.get_with_cookie("/about", &stolen);
    match chapter.storage() {
        // The record is gone, so the id points at nothing.
        Storage::ServerFiles | Storage::Redis | Storage::AppStore => {
            assert_is_redirect_to(&replayed, "/login?next=/about")
        }
        // The whole session is in the cookie and the server kept no list of
        // revoked cookies: a copy works until its idle limit (or the
        // absolute one, if sooner). The book's point, proven.
        Storage::SealedCookie => {
            assert_eq!(replayed.status(), Status::Ok);
            assert_signed_in_as(&replayed.into_string().unwrap(), "ada");
            let policy = default_policy(&chapter);
            app.wait_for(policy.idle_lifetime.min(policy.absolute_lifetime));
            assert_is_redirect_to(&app.get_with_cookie("/about", &stolen), "/login?next=/about");
        }
    }
}
// ANCHOR_END: stolen_cookie

// ANCHOR: frozen_copy
/// Who can keep a copy of the cookie alive. On the server, each use of the
/// id moves the record's `last_seen`, so whoever replays it keeps it alive.
/// In the cookie, `last_seen` is sealed: a copy replayed as it is (as
/// `curl -b` does) never moves, and dies a lifetime after the moment it was
/// sealed, however often it is used. Only a client that keeps the re-sealed
/// value from `Set-Cookie` (a browser, or a thief's cookie jar) slides.
#[apply(every_chapter)]
fn who_can_keep_a_copied_cookie_alive(#[case] chapter: Chapter) {
    let clock = ManualClock::default();
    // The idle limit alone: chapter 2's 12-hour absolute limit would end
    // the session long before 1.2 × 31 days.
    let config = TestConfig::new(chapter).without_absolute_limit();
    let (rocket, _root) = config.on_clock(clock.clone()).into_rocket();
    // Untracked: every request sends exactly the cookie it is given.
    let client = rocket::local::blocking::Client::untracked(rocket).unwrap();
    let about = |cookie: &Cookie<'static>| client.get("/about").cookie(cookie.clone()).dispatch();
    let login = client
        .post("/login")
        .header(rocket::http::ContentType::Form)
        .body("username=ada")
        .dispatch();
    let copy = session_cookie(&chapter, &login).expect("sign-in sets the cookie");
    let lifetime = chapter.default_session_lifetime();

    clock.advance(lifetime * 0.8);
    let used = about(&copy);
    assert_eq!(used.status(), Status::Ok, "the copy works within its lifetime");
    let resealed = session_cookie(&chapter, &used);

    clock.advance(lifetime * 0.4);
    let replayed = about(&copy);
    match chapter.storage() {
        Storage::ServerFiles | Storage::Redis | Storage::AppStore => {
            assert_eq!(replayed.status(), Status::Ok, "its use moved the record's last_seen");
        }
        Storage::SealedCookie => {
            assert_is_redirect_to(&replayed, "/login?next=/about");
            let resealed = resealed.expect("the use a refresh step later re-sealed the cookie");
            assert_ne!(resealed.value(), copy.value(), "with a new last_seen inside");
            let kept = about(&resealed);
            assert_eq!(kept.status(), Status::Ok, "the re-sealed value slid");
        }
    }
}
// ANCHOR_END: frozen_copy

/// Session fixation: an attacker sets the victim's cookie to an id they
/// know, then waits for the victim to sign in. The id is never adopted:
/// sign-in issues its own, and no record is ever stored under the planted
/// one.
#[apply(server_side_chapters)]
fn planted_session_id_is_never_adopted(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let planted = tutorial::store::SessionId::generate().unwrap();
    let cookie = Cookie::new(chapter.cookie_name(), planted.as_str().to_owned());
    app.get_with_cookie("/home", &cookie);
    let issued = app.sign_in("victim");
    assert_ne!(issued.value(), planted.as_str(), "sign-in issues its own id");
    assert_eq!(app.records().len(), 1, "one record, the issued one");
    assert!(!app.records().contains(&app.record_name_of(&planted)), "none for the planted id");
    assert_is_redirect_to(&app.get_with_cookie("/about", &cookie), "/login?next=/about");
}

#[apply(every_chapter)]
fn sign_in_always_starts_a_fresh_session(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let first = app.sign_in("ada");
    app.wait(1);
    let second = app.sign_in("bob");
    assert_ne!(first.value(), second.value(), "a new cookie value");
    assert_signed_in_as(&app.page("/home"), "bob");
    if chapter.storage().is_server_side() {
        assert_eq!(app.records().len(), 1, "the earlier record is dropped");
        app.post_logout();
        assert_is_redirect_to(&app.get_with_cookie("/about", &first), "/login?next=/about");
    }
}

// ---------------------------------------------------------------- bad cookies

#[apply(every_chapter)]
fn bad_cookies_mean_signed_out(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let genuine = app.sign_in("ada");
    app.post_logout();
    let value = genuine.value();
    let mut flipped = value.as_bytes().to_vec();
    flipped[value.len() / 2] = if flipped[value.len() / 2] == b'A' { b'B' } else { b'A' };
    let unknown_id = tutorial::store::SessionId::generate().unwrap();
    let bad_values = [
        "garbage".to_owned(),
        value[..value.len() / 2].to_owned(),
        String::from_utf8(flipped).unwrap(),
        unknown_id.as_str().to_owned(),
        "../../../../etc/passwd".to_owned(),
        "x".repeat(4000),
    ];
    let before = app.records();
    for bad in bad_values {
        let cookie = Cookie::new(chapter.cookie_name(), bad.clone());
        let response = app.get_with_cookie("/home", &cookie);
        assert_eq!(response.status(), Status::Ok, "{bad:.20}");
        assert!(is_removal(&session_cookie(&chapter, &response).expect("removed")), "{bad:.20}");
        assert_signed_out(&response.into_string().unwrap());
        assert_is_redirect_to(&app.get_with_cookie("/about", &cookie), "/login?next=/about");
    }
    assert_eq!(app.records(), before, "no file was created or touched");
}

// ---------------------------------------------------------------- the theme

// ANCHOR: theme_toggle
#[apply(every_chapter)]
fn theme_toggle_changes_the_session(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let before = app.sign_in("ada");
    let record_before = app.records();
    let response = app.post_theme("/products");
    assert_is_redirect_to(&response, "/products");
    let after = session_cookie(&chapter, &response);
    let page = app.page("/products");
    assert!(page.contains(r#"<body class="light">"#), "the light theme is applied");
    assert!(page.contains("theme = <code>light</code>"), "the session holds it");
    match chapter.storage() {
        Storage::SealedCookie => {
            let after = after.expect("a new sealed cookie");
            assert_ne!(
                after.value(),
                before.value(),
                "the data is in the cookie, so the cookie changes"
            );
            assert_chapter_cookie(&chapter, &app, &after, false);
        }
        Storage::ServerFiles | Storage::Redis | Storage::AppStore => {
            if let Some(after) = after {
                assert_eq!(after.value(), before.value(), "the same id");
            }
            assert_eq!(app.records(), record_before, "the same record");
            let record: serde_json::Value =
                serde_json::from_slice(&app.record(&record_before[0]).unwrap()).unwrap();
            assert_eq!(record["theme"], "light", "the record is rewritten");
        }
    }
    app.post_theme("/home");
    assert!(app.page("/home").contains(r#"<body class="dark">"#), "and back");
}
// ANCHOR_END: theme_toggle

#[apply(every_chapter)]
fn theme_toggle_needs_a_session(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    assert_is_redirect_to(&app.post_theme("/products"), "/login?next=/home");
    app.sign_in("ada");
    assert_is_redirect_to(&app.post_theme("https://evil.example"), "/home");
}

#[apply(every_chapter)]
fn logout_page_offers_the_button(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    app.sign_in("ada");
    let page = app.page("/logout");
    assert!(page.contains(r#"<button type="submit" id="log-out">Log Out</button>"#), "{page}");
    assert_signed_in_as(&page, "ada");
}

#[apply(every_chapter)]
fn unknown_pages_get_a_404_page(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let response = app.get("/no-such-page");
    assert_eq!(response.status(), Status::NotFound);
    let body = response.into_string().unwrap();
    assert!(body.contains("404 Not Found"), "{body}");
    assert!(body.contains("session-panel"), "a page of the site");
}

// ---------------------------------------------------------------- hostile input

/// Every `next` an attacker might try. Some are refused, a few are odd but
/// local (`/%5Cevil.example` is a path on this site); none leaves the site.
const ATTACKER_NEXT: &[&str] = &[
    "https://evil.example/",
    "HTTPS://evil.example/",
    "http:evil.example",
    "http:/\\evil.example",
    "//evil.example",
    "//evil.example/about",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "%2f%2fevil.example",
    "/.//evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "java\nscript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " /about",
    "\t/about",
    "\n//evil.example",
    "/\t/evil.example",
    "/ /evil.example",
    "\u{0}//evil.example",
    "/\u{3000}/evil.example",
    "/\u{2028}evil.example",
    "/about\r\nSet-Cookie: pwned=1",
    "/about\rSet-Cookie: pwned=1",
    "/about\nLocation: https://evil.example",
    "/about%0d%0aSet-Cookie:%20pwned=1",
    "/<script>alert(1)</script>",
];

/// Asserts `response` is one redirect to a path of this site, with no
/// header an attacker could have written.
fn assert_local_redirect(response: &rocket::local::blocking::LocalResponse<'_>, next: &str) {
    assert_eq!(response.status(), Status::SeeOther, "{next:?}");
    let locations: Vec<_> = response.headers().get("Location").collect();
    assert_eq!(locations.len(), 1, "one Location for {next:?}");
    assert!(is_local_location(locations[0]), "{next:?} sent the browser to {:?}", locations[0]);
    assert!(
        set_cookies(response).iter().all(|c| c.name() != "pwned"),
        "{next:?} injected a cookie"
    );
}

#[apply(every_chapter)]
fn hostile_next_is_always_a_local_redirect(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    for next in ATTACKER_NEXT {
        let form = app.page(&format!("/login?next={}", encode(next)));
        let kept = hidden_next(&form);
        assert!(kept.is_empty() || is_local_location(&kept), "{next:?} kept as {kept:?}");
        assert_local_redirect(&app.post_login("ada", Some(next)), next);
        assert_local_redirect(&app.post_theme(next), next);
    }
    // Sent raw in the query string, CR and LF never reach a header either.
    let form = app.get("/login?next=/about%0d%0aSet-Cookie:%20pwned=1");
    assert_eq!(form.status(), Status::Ok);
    assert!(set_cookies(&form).iter().all(|c| c.name() != "pwned"));
}

/// Usernames that try to break out of the page, or merely look unusual.
const ATTACKER_USERNAMES: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "' onmouseover='alert(1)",
    "</p><a href=//evil.example>x</a>",
    "{{ 7 * 7 }} {% raw %}",
    "&lt;b&gt; &amp;",
    "Zoë 李 🦀 مرحبا",
];

#[apply(every_chapter)]
fn hostile_usernames_are_escaped_on_every_page(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    for name in ATTACKER_USERNAMES {
        let escaped = html_escaped(name);
        app.sign_in(name);
        for path in ["/home", "/about", "/contact", "/products", "/login", "/logout", "/sessions"] {
            let body = app.page(path);
            assert_signed_in_as(&body, &escaped);
            assert!(
                body.contains(&format!("user_name = <code>{escaped}</code>")),
                "{path}: the panel shows {name:?} escaped"
            );
            if escaped != *name {
                assert!(!body.contains(name), "{path}: {name:?} appears unescaped:\n{body}");
            }
        }
        // The form shows a refused name back, escaped in its `value`.
        let refused = format!("{name}{}", "x".repeat(64));
        let response = app.post_login(&refused, None);
        assert_eq!(response.status(), Status::UnprocessableEntity);
        let body = response.into_string().unwrap();
        assert!(
            body.contains(&format!(r#"name="username" value="{}""#, html_escaped(&refused))),
            "the form value is escaped: {body}"
        );
        assert!(!body.contains(name) || escaped == *name, "no raw {name:?} in the form");
        app.post_logout();
    }
}

/// The browser's limit for one cookie (name, value and attributes): RFC
/// 6265 section 6.1 asks for at least 4096 bytes, and browsers store no more.
const BROWSER_COOKIE_LIMIT: usize = 4096;

#[apply(every_chapter)]
fn largest_session_cookie_fits_the_browser_limit(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    // 64 characters of 4-byte UTF-8 is the longest username in bytes; a
    // quote doubles in JSON, to 2 bytes; "light" is the longer theme.
    let longest = ["🦀".repeat(64), "\u{10FFFF}".repeat(64), "\"".repeat(64), "\\".repeat(64)];
    let mut largest = 0;
    for name in &longest {
        let signed_in = app.post_login(name, Some("/about"));
        let toggled = app.post_theme("/about");
        for response in [&signed_in, &toggled] {
            for header in response.headers().get("Set-Cookie") {
                largest = largest.max(header.len());
                assert!(
                    header.len() <= BROWSER_COOKIE_LIMIT,
                    "a {}-byte Set-Cookie for {name:?}",
                    header.len()
                );
            }
        }
        assert_signed_in_as(&app.page("/about"), &html_escaped(name));
        app.post_logout();
    }
    assert!(largest > 0, "cookies were measured");
    println!("chapter {}: largest Set-Cookie header: {largest} bytes", chapter.number);
}

#[apply(every_chapter)]
fn session_cookie_from_another_server_means_signed_out(#[case] chapter: Chapter) {
    // The same chapter, run with another secret key (and another store):
    // its cookie decrypts nowhere else, its id names no session here.
    let other_key = "kY6n0YxQAq2Ew7AzH1p2T0bG3yKk3m5cH7m3vN0b0qY=";
    let other = TestConfig::new(chapter).set("secret_key", other_key).launch();
    let foreign = other.sign_in("mallory");
    assert_signed_in_as(&other.page("/about"), "mallory");

    let app = TestApp::launch(chapter);
    let response = app.get_with_cookie("/home", &foreign);
    assert_eq!(response.status(), Status::Ok);
    assert!(is_removal(&session_cookie(&chapter, &response).expect("removed")));
    assert_signed_out(&response.into_string().unwrap());
    assert_is_redirect_to(&app.get_with_cookie("/about", &foreign), "/login?next=/about");
    assert!(app.records().is_empty(), "nothing is stored for it");
}

#[apply(every_chapter)]
fn hostile_cookie_values_mean_signed_out(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let genuine = app.sign_in("ada");
    app.post_logout();
    // A sealed cookie is base64 of nonce, ciphertext and tag: keep its
    // shape and length, change every byte.
    let same_shape: String = genuine
        .value()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                if c == 'A' {
                    'B'
                } else {
                    'A'
                }
            } else {
                c
            }
        })
        .collect();
    let values = [
        String::new(),
        " ".to_owned(),
        same_shape,
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd".to_owned(),
        "..\\..\\..\\windows\\win.ini".to_owned(),
        "/etc/passwd".to_owned(),
        "\u{0}".to_owned(),
        "🦀".repeat(100),
        "x".repeat(64 * 1024),
        format!("{}.json", "a".repeat(64)),
    ];
    for value in values {
        let cookie = Cookie::new(chapter.cookie_name(), value.clone());
        let response = app.get_with_cookie("/about", &cookie);
        assert_is_redirect_to(&response, "/login?next=/about");
        let page = app.get_with_cookie("/home", &cookie);
        assert_eq!(page.status(), Status::Ok, "{value:.20?}");
        assert_signed_out(&page.into_string().unwrap());
    }
    assert!(app.records().is_empty(), "nothing named after a cookie was created");
}

#[apply(every_chapter)]
fn several_session_cookies_in_one_header(#[case] chapter: Chapter) {
    // A browser sends two cookies of one name when a sibling site or a
    // longer path planted a second one. Rocket keeps the last copy of a
    // name, so the last copy decides: it signs in only if it is itself a
    // live session, and a bad last copy signs out.
    let server = RealServer::start(chapter);
    let name = chapter.cookie_name();
    let ada = server.sign_in(&chapter, "ada");
    let bob = server.sign_in(&chapter, "bob");
    let cases: [(String, Option<&str>); 6] = [
        (format!("{name}=garbage; {name}={ada}"), Some("ada")),
        (format!("{name}={ada}; {name}=garbage"), None),
        (format!("{name}={ada}; {name}="), None),
        (format!("{name}={ada}; {name}={bob}"), Some("bob")),
        (format!("{name}={ada}; other=1; {name}={ada}"), Some("ada")),
        (format!("{name}={ada};;;{name}"), Some("ada")),
    ];
    for (header, signed_in_as) in cases {
        let response = server.get_with_cookie_header("/about", header.as_bytes());
        match signed_in_as {
            Some(user) => {
                assert_eq!(response.status, 200, "{header}: {response:?}");
                assert_signed_in_as(&response.body, user);
            }
            None => {
                assert_eq!(response.status, 303, "{header}: {response:?}");
                assert_eq!(response.header_values("Location"), ["/login?next=/about"]);
            }
        }
    }
    // Bytes no browser sends: not UTF-8, or far beyond any cookie.
    let mut not_utf8 = format!("{name}=").into_bytes();
    not_utf8.extend_from_slice(&[0xff, 0xfe, 0x80]);
    let huge = format!("{name}={ada}; filler={}", "x".repeat(32 * 1024));
    for header in [not_utf8, huge.into_bytes()] {
        let response = server.get_with_cookie_header("/home", &header);
        assert!((200..500).contains(&response.status), "never a 5xx: {response:?}");
    }
}

#[apply(every_chapter)]
fn malformed_forms_get_a_clear_answer(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let post = |content_type: rocket::http::ContentType, body: &str| {
        app.client.post("/login").header(content_type).body(body).dispatch()
    };
    use rocket::http::ContentType;
    // Missing fields: the form again, with its message.
    for body in ["", "password=x", "next=/about", "username", "&&&"] {
        let response = post(ContentType::Form, body);
        assert_eq!(response.status(), Status::UnprocessableEntity, "{body:?}");
        assert!(response.into_string().unwrap().contains("Please enter a username."), "{body:?}");
    }
    // Not a form at all: 415, on a page of the site.
    let not_forms = [
        (ContentType::JSON, r#"{"username":"ada","password":"x"}"#),
        (ContentType::Plain, "username=ada"),
        (ContentType::XML, "<username>ada</username>"),
    ];
    for (content_type, body) in not_forms {
        let response = post(content_type.clone(), body);
        assert_eq!(response.status(), Status::UnsupportedMediaType, "{content_type}");
        assert_error_page(response, 415);
    }
    let response = app.client.post("/login").body("username=ada").dispatch();
    assert_eq!(response.status(), Status::UnsupportedMediaType, "no content type");
    // Beyond Rocket's form limit (32 KiB): 413.
    let oversized = format!("username=ada&password={}", "x".repeat(64 * 1024));
    let response = post(ContentType::Form, &oversized);
    assert_eq!(response.status(), Status::PayloadTooLarge);
    assert_error_page(response, 413);
    // Invalid UTF-8 (decoded lossily, to U+FFFD), a stray `%`, repeated
    // fields, a NUL: a 4xx, or a sign-in with what Rocket decoded.
    for body in ["username=%ff%fe", "username=%", "username=ada&username=bob", "next=%00"] {
        let response = post(ContentType::Form, body);
        let status = response.status();
        assert!(
            status.class().is_client_error() || status == Status::SeeOther,
            "{body:?}: {status}"
        );
    }
    assert!(app.records().len() <= 1, "at most the one repeated-field sign-in");
    // The theme form without its `next` field works.
    app.sign_in("ada");
    let token = app.csrf_token().expect("a session");
    assert_is_redirect_to(&app.post_form("/theme", format!("csrf_token={token}")), "/home");
    app.post_logout();
}

fn assert_error_page(response: rocket::local::blocking::LocalResponse<'_>, code: u16) {
    let body = response.into_string().unwrap();
    assert!(body.contains(&format!(r#"<h3 id="error">{code} "#)), "{body}");
    assert!(body.contains("session-panel"), "a page of the site");
}

#[apply(every_chapter)]
fn unknown_routes_and_methods_get_a_4xx_page(#[case] chapter: Chapter) {
    use rocket::http::Method;
    let app = TestApp::launch(chapter);
    let paths = [
        "/admin",
        "/login/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/static/../Rocket.toml",
        "/%00",
        "/home?%ff",
        "/about?next=//evil.example",
        "/home/",
    ];
    for path in paths {
        let response = app.get(path);
        assert!(
            response.status().class().is_client_error()
                || response.status() == Status::SeeOther
                || response.status() == Status::Ok,
            "GET {path}: {}",
            response.status()
        );
    }
    for path in &paths[..5] {
        let response = app.get(path);
        assert_eq!(response.status(), Status::NotFound, "GET {path}");
        assert_error_page(response, 404);
    }
    for method in [Method::Put, Method::Delete, Method::Patch, Method::Options] {
        for path in ["/", "/home", "/login", "/logout", "/theme"] {
            let response = app.client.req(method, path).dispatch();
            assert_eq!(response.status(), Status::NotFound, "{method} {path}");
            assert_error_page(response, 404);
        }
    }
    for path in ["/home", "/about", "/login"] {
        let response = app.client.post(path).header(rocket::http::ContentType::Form).dispatch();
        assert!(response.status().class().is_client_error(), "POST {path}: {}", response.status());
    }
    let head = app.client.head("/home").dispatch();
    assert_eq!(head.status(), Status::Ok, "HEAD is GET without the body");
}
