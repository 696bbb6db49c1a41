//! `Storage::SealedCookie`: the whole session travels in the cookie, sealed.
//!
//! Sealing is Rocket's own: `CookieJar::add_private` encrypts and
//! authenticates the value with AES-256-GCM under a key derived from
//! `secret_key`, so the browser can neither read nor alter it. This
//! mechanism keeps nothing on the server, so it does not implement the
//! [`SessionStore`](crate::store::SessionStore) interface: a sealed
//! cookie has no id to look up, and every change is a new cookie.

use std::marker::PhantomData;

use rocket::http::CookieJar;
use rocket::time::OffsetDateTime;

use super::cookie::SessionCookie;
use super::Mechanism;

use crate::key_rotation::PreviousKeys;
use crate::policy::{ExpiryPolicy, Verdict};
use crate::record::{RecordChange, SessionRecord, StoredData};
use crate::store::StoreUnavailable;

/// The sealed cookie as the place a session lives.
pub struct SealedCookie<T> {
    pub cookie: SessionCookie,
    pub policy: ExpiryPolicy,
    /// Keys that sealed cookies before `secret_key`: they open, never seal.
    pub previous_keys: PreviousKeys,
    /// The app's data, sealed in the cookie.
    pub data: PhantomData<fn() -> T>,
}

impl<T: StoredData> SealedCookie<T> {
    // ANCHOR: seal
    /// Seals `record`, as JSON, into the session cookie, with the current
    /// `secret_key`: the only key anything is ever sealed with.
    fn seal(&self, jar: &CookieJar<'_>, record: &SessionRecord<T>, now: OffsetDateTime) {
        jar.add_private(self.cookie.build(record.to_json(), record, now));
    }
    // ANCHOR_END: seal

    /// The record this response seals already, if a change of this request
    /// sealed one. Only a value this code added counts: the request's own
    /// cookie, whatever it holds, is never read as a record here.
    fn sealed_in_this_response(&self, jar: &CookieJar<'_>) -> Option<SessionRecord<T>> {
        let pending = jar.get_pending(self.cookie.name)?;
        let sent = jar.get(self.cookie.name).map(|cookie| cookie.value().to_owned());
        let opened = jar.get_private(self.cookie.name).map(|cookie| cookie.value().to_owned());
        // Without a change of ours, `get_pending` gives the request's cookie,
        // opened (as `get_private` does) or as sent.
        if [sent, opened].contains(&Some(pending.value().to_owned())) {
            return None;
        }
        SessionRecord::<T>::from_json(pending.value().as_bytes())
    }
}

#[rocket::async_trait]
impl<T: StoredData> Mechanism<T> for SealedCookie<T> {
    // ANCHOR: resume
    async fn resume(
        &self,
        jar: &CookieJar<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<SessionRecord<T>>, StoreUnavailable> {
        // `get_private` is `None` unless the value decrypts and authenticates
        // under our key: the browser cannot forge or edit it.
        let (cookie, sealed_with_previous_key) = match jar.get_private(self.cookie.name) {
            Some(cookie) => (cookie, false),
            None => match jar.get(self.cookie.name).and_then(|c| self.previous_keys.open(c)) {
                Some(cookie) => (cookie, true),
                None => return Ok(None),
            },
        };
        let Some(mut record) = SessionRecord::<T>::from_json(cookie.value().as_bytes()) else {
            return Ok(None);
        };
        match self.policy.verdict(&record, now) {
            Verdict::Expired => return Ok(None),
            verdict if sealed_with_previous_key => {
                // Opened with a key that is on its way out: seal it again,
                // now, with the current one.
                if verdict == Verdict::RefreshDue {
                    record.last_seen = now;
                }
                self.seal(jar, &record, now);
            }
            Verdict::RefreshDue => {
                // Record the activity: seal the session again with a new `last_seen`.
                record.last_seen = now;
                self.seal(jar, &record, now);
            }
            Verdict::Live if self.cookie.slides(&record) => {
                // Nothing new to seal, but the expiry must still slide: the
                // same sealed value goes back with a fresh `Max-Age`.
                let sealed = self.cookie.value(jar).unwrap_or_default();
                jar.add(self.cookie.build(sealed, &record, now));
            }
            Verdict::Live => {}
        }
        Ok(Some(record))
    }
    // ANCHOR_END: resume

    async fn start(
        &self,
        jar: &CookieJar<'_>,
        _: Option<&SessionRecord<T>>,
        record: SessionRecord<T>,
        now: OffsetDateTime,
    ) -> Result<(), StoreUnavailable> {
        self.seal(jar, &record, now);
        Ok(())
    }

    // ANCHOR: change
    async fn change(
        &self,
        jar: &CookieJar<'_>,
        current: &SessionRecord<T>,
        change: RecordChange<T>,
        now: OffsetDateTime,
    ) -> Result<(), StoreUnavailable> {
        // The cookie is the store: seal it again with the change made, on
        // top of any change this request sealed before (a message read, a
        // second `modify`), so that every change of the request is kept.
        let mut record = self.sealed_in_this_response(jar).unwrap_or_else(|| current.clone());
        change(&mut record);
        record.last_seen = now;
        self.seal(jar, &record, now);
        Ok(())
    }
    // ANCHOR_END: change

    async fn end(&self, _: &CookieJar<'_>) -> Result<(), StoreUnavailable> {
        // Nothing on the server: removing the cookie is all there is.
        Ok(())
    }
}
