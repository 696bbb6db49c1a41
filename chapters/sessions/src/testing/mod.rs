//! The behaviour suite: what every chapter promises (the table of the
//! chapters in the README, and the book's side-by-side page), written once as tests,
//! and run by every chapter against itself with one line in its `tests.rs`:
//!
//! ```text
//! sessions::behaviour_suite!(super::CHAPTER);
//! ```
//!
//! The tests drive the real app the way a browser does: a tracked
//! [`Client`] keeps the cookies it is sent, follows nothing by itself, and
//! the assertions read the real `Set-Cookie` and `Location` headers. Time is
//! a [`ManualClock`], so five idle minutes (or 31 days) take no time at all.

mod harness;
pub mod redis_store;
pub mod server_store;
pub mod suite;

pub use harness::*;

/// Expands to one `#[test]` per behaviour of [`suite`], run against `$chapter`.
#[macro_export]
macro_rules! behaviour_suite {
    ($chapter:expr) => {
        $crate::__tests_of!(suite, $chapter;
            chapter_has_its_own_port_and_cookie,
            defaults_come_from_the_chapter,
            rocket_toml_and_environment_override_the_defaults,
            release_build_without_secret_key_refuses_to_launch,
            development_key_is_refused_outside_debug,
            public_pages_render_for_anyone,
            protected_pages_send_visitors_to_sign_in,
            login_form_keeps_only_a_local_next,
            sign_in_returns_to_the_page_that_asked,
            sign_in_without_next_goes_home,
            sign_in_never_follows_a_foreign_next,
            sign_in_holds_the_tutorial_data,
            bad_usernames_rerender_the_form_and_set_no_session,
            session_cookie_has_the_chapter_attributes,
            every_signed_in_response_keeps_the_cookie_expiry,
            activity_is_recorded_once_per_refresh_step,
            idle_limit_counts_from_the_recorded_activity,
            where_the_data_lives,
            activity_within_the_lifetime_keeps_the_session,
            idle_past_the_lifetime_is_refused_by_the_server,
            configured_lifetime_drives_expiry,
            sign_out_removes_the_cookie_and_the_record,
            stolen_cookie_after_sign_out,
            sign_in_always_starts_a_fresh_session,
            bad_cookies_mean_signed_out,
            theme_toggle_changes_the_session,
            theme_toggle_needs_a_session,
            logout_page_offers_the_button,
            unknown_pages_get_a_404_page,
            hostile_next_is_always_a_local_redirect,
            hostile_usernames_are_escaped_on_every_page,
            largest_session_cookie_fits_the_browser_limit,
            session_cookie_from_another_server_means_signed_out,
            hostile_cookie_values_mean_signed_out,
            several_session_cookies_in_one_header,
            malformed_forms_get_a_clear_answer,
            unknown_routes_and_methods_get_a_4xx_page,
        );
    };
}

/// Expands to the tests of the server-side store ([`server_store`]),
/// for the chapters that keep sessions in files.
#[macro_export]
macro_rules! server_store_suite {
    ($chapter:expr) => {
        $crate::__tests_of!(server_store, $chapter;
            records_are_private_files_named_by_hash,
            planted_session_id_is_never_adopted,
            sweep_removes_expired_records_and_keeps_live_ones,
            unusable_session_folder_answers_503_and_public_pages_work,
            missing_session_folder_is_created,
            unwritable_session_folder_answers_503,
            sign_out_while_the_folder_is_broken_keeps_the_session,
            corrupt_records_mean_signed_out_and_are_removed,
            store_faults_are_logged,
            a_killed_writer_never_leaves_a_torn_record,
            fifty_concurrent_requests_on_one_session,
            sign_ins_racing_sign_outs,
            sweep_of_100_000_records_keeps_live_ones_and_requests_flowing,
        );
    };
}

/// Expands to the tests of the Redis store ([`redis_store`]), for the
/// chapter that keeps sessions in Redis.
#[macro_export]
macro_rules! redis_store_suite {
    ($chapter:expr) => {
        $crate::__tests_of!(redis_store, $chapter;
            redis_url_comes_from_rocket_toml_or_environment,
            records_are_redis_keys_named_by_hash_that_expire,
            activity_pushes_redis_expiry_back,
            redis_expires_idle_sessions_by_itself,
            corrupt_records_mean_signed_out_and_are_removed,
            two_instances_share_one_session,
            two_instances_on_files_do_not_share,
            concurrent_changes_lose_no_update,
            redis_down_answers_503_and_service_resumes_by_itself,
            redis_that_never_answers_gets_503_in_seconds,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __tests_of {
    ($module:ident, $chapter:expr; $($test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                $crate::testing::$module::$test($chapter);
            }
        )*
    };
}
